"""Turn what a person typed into a safe full-text query: pure, no Django.

Only word characters survive, so no input can inject FTS5 or tsquery syntax; every word
must match (AND). Words match by their stem (the index stems English), not as prefixes:
a prefix query must merge the postings of every word it expands to and cannot stop at the
first page, which at a million tickets costs more than the whole rest of a search.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERMS = 12
MAX_TERM_LENGTH = 64


# The Snowball English stop words, as PostgreSQL's 'english' configuration drops them
# (tsearch_data/english.stop): SQLite's FTS5 keeps them, and a query of any of its words
# would then match, and rank, nearly every document.
_STOP_TEXT = (
    "i me my myself we our ours ourselves you your yours yourself yourselves he him his "
    "himself she her hers herself it its itself they them their theirs themselves what "
    "which who whom this that these those am is are was were be been being have has had "
    "having do does did doing a an the and but if or because as until while of at by for "
    "with about against between into through during before after above below to from up "
    "down in out on off over under again further then once here there when where why how "
    "all any both each few more most other some such no nor not only own same so than too "
    "very s t can will just don should now"
)
STOP_WORDS = frozenset(_STOP_TEXT.split())


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


def fts5_match(words: list[str], *, kinds: list[str]) -> str:
    """An FTS5 MATCH expression: the kind column restricted, then every word."""
    kind_expr = " OR ".join(f'"{k}"' for k in kinds)
    parts = " AND ".join(f'"{word}"' for word in words)
    return f"kind : ({kind_expr}) AND {{title body}} : ({parts})"


def tsquery_text(words: list[str]) -> str:
    """Plain words for PostgreSQL's plainto_tsquery, which stems them and ANDs them."""
    return " ".join(words)


def meaningful(words: list[str]) -> list[str]:
    """The words that are not stop words."""
    return [w for w in words if w not in STOP_WORDS]


def fts5_match_any(words: list[str], *, kind: str) -> str:
    """An FTS5 MATCH expression: the kind column restricted, then any of the words."""
    parts = " OR ".join(f'"{word}"' for word in words)
    return f'kind : "{kind}" AND {{title body}} : ({parts})'


def tsquery_any(words: list[str]) -> str:
    """A to_tsquery text matching any of the words (they are word characters only)."""
    return " | ".join(words)
