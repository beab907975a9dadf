"""Turn what a person typed into a safe full-text query: pure, no Django.

Only word characters survive, so no input can inject FTS5 or tsquery syntax; every word
must match (AND) and the last one also matches as a prefix, as in a search-as-you-type box.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 12
MAX_TERM_LENGTH = 64


def terms(text: str) -> list[str]:
    """The distinct words of ``text``, lower-cased, at most MAX_TERMS."""
    seen: list[str] = []
    for word in _WORD.findall(text or ""):
        word = word.lower()[:MAX_TERM_LENGTH]
        if word not in seen:
            seen.append(word)
        if len(seen) == MAX_TERMS:
            break
    return seen


def fts5_match(words: list[str], *, kinds: list[str], prefix_last: bool = True) -> str:
    """An FTS5 MATCH expression: the kind column restricted, then every word."""
    kind_expr = " OR ".join(f'"{k}"' for k in kinds)
    parts = []
    for i, word in enumerate(words):
        star = "*" if prefix_last and i == len(words) - 1 else ""
        parts.append(f'"{word}"{star}')
    return f"kind : ({kind_expr}) AND {{title body}} : ({' AND '.join(parts)})"


def tsquery(words: list[str], *, prefix_last: bool = True) -> str:
    """A raw PostgreSQL tsquery: every word, the last as a prefix."""
    parts = []
    for i, word in enumerate(words):
        suffix = ":*" if prefix_last and i == len(words) - 1 else ""
        parts.append(f"'{word}'{suffix}")
    return " & ".join(parts)
