"""Which language a page or an email speaks.

- Anyone: the browser's Accept-Language, or the language cookie (LocaleMiddleware).
- A member of staff who chose a language: theirs (User.language), on every page.
- A customer: their customer's language (Customer.language) in the portal, in the
  emails caredesk sends them and on their survey pages, even when they are not signed
  in; empty means the browser's language on pages and the site's (LANGUAGE_CODE) in
  email.
Dates and numbers follow the active language (Django's formats).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from caredesk.core.errors import CoreErrorCode, ValidationFailed


def language_codes() -> list[str]:
    return [code for code, _ in settings.LANGUAGES]


def language_check(code: str | None) -> str:
    """``code`` when caredesk speaks it; "" (no preference) for empty; refused if not."""
    value = (code or "").strip().lower()
    if value and value not in language_codes():
        raise ValidationFailed(
            CoreErrorCode.INVALID_LANGUAGE,
            _("language must be one of %(choices)s, or empty.")
            % {"choices": ", ".join(language_codes())},
            field="language",
        )
    return value


def language_or_site(code: str | None) -> str:
    """The language to write in for someone whose preference is ``code``."""
    return code if code in language_codes() else settings.LANGUAGE_CODE


def preferred_language(user: Any) -> str:
    """A signed-in user's own choice: a customer's is their customer's, staff choose
    theirs; "" when they have none."""
    if not getattr(user, "is_authenticated", False):
        return ""
    if getattr(user, "customer_id", None) and not getattr(user, "is_staff_member", False):
        return str(user.customer.language or "")
    return str(getattr(user, "language", "") or "")


class PreferredLanguageMiddleware:
    """After LocaleMiddleware (the browser's language) and authentication: a signed-in
    user's own choice wins."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = preferred_language(request.user)
        if language in language_codes():
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
