"""Make untrusted HTML safe to show (nh3, an ammonia binding)."""

from __future__ import annotations

import re
from html import unescape

import nh3

_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "img",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


def _only_embedded_images(element: str, attribute: str, value: str) -> str | None:
    """Drop remote image sources: they load without consent and track the reader."""
    if element == "img" and attribute == "src":
        return value if value.startswith(("cid:", "data:image/")) else None
    return value


def sanitize_html(html: str, *, images_from: str | None = None) -> str:
    """Return HTML with scripts, event handlers, javascript: URLs, iframes and remote
    images removed; links get rel="noopener noreferrer nofollow". ``images_from``: a
    path of caredesk's own (such as "/help/images/") whose images are kept too."""
    if not html:
        return ""

    def keep(element: str, attribute: str, value: str) -> str | None:
        own = images_from and value.startswith(images_from) and "//" not in value
        if own and element == "img" and attribute == "src":
            return value
        return _only_embedded_images(element, attribute, value)

    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel", "cid", "data"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=keep,
        strip_comments=True,
    )


_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(?:p|div|li|tr|h[1-6]|blockquote|pre|table|ul|ol)\s*>")


def html_to_text(html: str) -> str:
    """Plain text of a fragment of HTML: one line per block, spaces collapsed."""
    text = unescape(nh3.clean(_BLOCK_END.sub("\n", html), tags=set(), strip_comments=True))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)
