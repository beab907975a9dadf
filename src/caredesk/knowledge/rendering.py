"""Article bodies: Markdown to safe HTML, and to plain text for search and excerpts.
Raw HTML in the Markdown is shown as text, never run; what Markdown makes is cleaned
once more (nh3), and images are only those stored with the help centre."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

from caredesk.core.html import html_to_text, sanitize_html

IMAGES_PATH = "/help/images/"
_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(["table", "strikethrough"])
_SPACE = re.compile(r"\s+")


def markdown_html(body: str) -> str:
    """The article's body as HTML that is safe to put in a page."""
    return sanitize_html(_md.render(body or ""), images_from=IMAGES_PATH)


def markdown_text(body: str) -> str:
    """The words of the body, without markup."""
    return _SPACE.sub(" ", html_to_text(_md.render(body or ""))).strip()


def excerpt(body: str, *, length: int = 240) -> str:
    """The start of the body as plain text, cut at a word."""
    text = markdown_text(body)
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0]
    return cut + "…"
