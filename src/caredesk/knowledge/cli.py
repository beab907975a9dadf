"""`caredesk kb …`: import and export articles, search, ask the bot, learn."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from caredesk.core.cli import cli_error, cli_setup

AUDIENCES = ["anonymous", "customer", "agent"]


@click.group()
def kb() -> None:
    """The knowledge base."""


@kb.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True))
@click.option("--no-learn", is_flag=True, help="Leave vectors and the model to the job.")
def import_cmd(file: Path, no_learn: bool) -> None:
    """Import articles from a JSON-lines FILE (- for standard input), idempotent by
    external_id. Exits 1 when a line was refused (each is reported with its number)."""
    cli_setup()
    from caredesk.knowledge.transfer import kb_import

    try:
        stream = sys.stdin if str(file) == "-" else file.open(encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"Cannot read {file}: {exc.strerror}") from None
    with stream:
        try:
            report = kb_import(stream)
        except UnicodeDecodeError:
            raise click.ClickException(f"{file} is not UTF-8 text.") from None
    for number, why in report.errors:
        where = f"line {number}" if number else "after the last line"
        click.echo(f"{file}: {where}: {why}", err=True)
    click.echo(
        f"{report.created} created, {report.updated} updated, {report.unchanged} "
        f"unchanged, {len(report.errors)} refused"
    )
    if not no_learn:
        _learn()
    if report.errors:
        sys.exit(1)


def _learn() -> None:
    from caredesk.knowledge.learning import article_vectors_compute, question_model_train

    computed = article_vectors_compute()
    row = question_model_train()
    if computed:
        click.echo(f"vectors of {computed} article(s) computed")
    if row is not None:
        click.echo(
            f"question model: {row.articles} articles, cross-validated accuracy "
            f"{row.cv_accuracy:.1%}, answers at confidence ≥ {row.threshold:.2f}"
        )


@kb.command("learn")
def learn_cmd() -> None:
    """Compute the vectors of changed articles and train the question model now (the
    periodic job does the same)."""
    cli_setup()
    _learn()


@kb.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export_cmd(output: Path | None) -> None:
    """Every article as JSON lines (to standard output, or a file)."""
    cli_setup()
    from caredesk.knowledge.transfer import kb_export

    out = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        for line in kb_export():
            out.write(line + "\n")
    finally:
        if output:
            out.close()


F = TypeVar("F", bound=Callable[..., None])


def _audience_option(f: F) -> F:
    f = click.option(
        "--as",
        "audience",
        type=click.Choice(AUDIENCES),
        default="anonymous",
        help="Whose view: what they may see.",
    )(f)
    f = click.option("--locale", default=None, help="Only articles in this language.")(f)
    return click.option("--json", "as_json", is_flag=True, help="JSON output.")(f)


@kb.command("search")
@click.argument("query")
@click.option("--limit", default=10, show_default=True)
@_audience_option
def search_cmd(query: str, limit: int, audience: str, locale: str | None, as_json: bool) -> None:
    """Search articles: [{"external_id","title","url","score"}] best first."""
    cli_setup()
    from caredesk.core.errors import DomainError
    from caredesk.knowledge.links import article_url
    from caredesk.knowledge.search import kb_search

    try:
        hits = kb_search(q=query, audience=audience, locale=locale, limit=limit, source="agent")
    except DomainError as exc:
        raise cli_error(exc) from None
    rows = [
        {
            "external_id": h.article.external_id,
            "title": h.article.title,
            "url": article_url(h.article),
            "score": round(h.score, 4),
        }
        for h in hits
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"{row['score']:.3f}  {row['title']}  {row['url']}")
    if not rows:
        click.echo("No article matches.")


@kb.command("answer")
@click.argument("question")
@_audience_option
def answer_cmd(question: str, audience: str, locale: str | None, as_json: bool) -> None:
    """Ask the bot: an article when it is confident, otherwise a hand-over."""
    cli_setup()
    from caredesk.core.errors import DomainError
    from caredesk.knowledge.links import answer_json
    from caredesk.knowledge.search import kb_answer

    try:
        answer = kb_answer(question=question, audience=audience, locale=locale)
    except DomainError as exc:
        raise cli_error(exc) from None
    body = answer_json(answer)
    if as_json:
        click.echo(json.dumps(body, ensure_ascii=False))
    elif answer.article is None:
        click.echo(
            f"Handed over to a person (confidence {answer.confidence:.2f} < "
            f"{answer.threshold:.2f})."
        )
    else:
        click.echo(f"{answer.article.title}\n{body['answer']['url']}\n\n{answer.excerpt}")
