"""What every part of the `caredesk` command shares: Django set up, errors as messages."""

from __future__ import annotations

import os
from pathlib import Path

import click

from caredesk.core.errors import ConfigurationError, DomainError


def cli_setup(*, debug: bool | None = None) -> None:
    """Configure Django; a configuration problem becomes a one-line message."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caredesk.config.settings")
    if debug is not None:
        os.environ.setdefault("DEBUG", "true" if debug else "false")
    try:
        import django

        django.setup()
    except ConfigurationError as exc:
        raise click.ClickException(str(exc)) from None
    from django.conf import settings

    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)


def cli_error(exc: Exception) -> click.ClickException:
    """A refused request (or any error) as the command's one-line message."""
    if isinstance(exc, DomainError):
        return click.ClickException(exc.message)
    return click.ClickException(str(exc))
