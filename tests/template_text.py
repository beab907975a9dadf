"""Find text in Django templates that is not marked for translation.

A template is read as the template engine reads it (tags, variables, comments, text)
and the text between HTML tags as a browser shows it: every run of words outside
``{% translate %}``/``{% blocktranslate %}`` is unmarked, and so is every literal value
of an attribute a person reads (placeholder, title, aria-label, alt, a button's value).
Left alone: script, style, code, kbd, pre and samp elements (code and keys), blocks
named ``*_class`` (CSS class names), and words that are the same in every language
(caredesk, the names of protocols and measures).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

TOKEN = re.compile(r"({%.*?%}|{{.*?}}|{#.*?#})")
WORD = re.compile(r"[^\W\d_]+")
SAME_IN_EVERY_LANGUAGE = frozenset(
    {"caredesk", "CSAT", "NPS", "CES", "AHT", "SLA", "IMAP", "SMTP", "LMTP", "API", "JSON",
     "CSV", "XLSX", "PDF", "ID", "htmx", "Erlang", "eml", "UTC", "ASA", "FCR", "Markdown"}
)  # fmt: skip
READ_ATTRIBUTES = frozenset({"placeholder", "title", "aria-label", "alt", "aria-description"})
RAW_ELEMENTS = ("script", "style", "code", "kbd", "pre", "samp")
SKIPPED_TAGS = ("blocktranslate", "blocktrans", "comment", "verbatim")
TAG_START = re.compile(r"</?([A-Za-z0-9!-]*)")
ATTRIBUTE = re.compile(r"\s*([A-Za-z_:@.-][A-Za-z0-9_:@.-]*)\s*=\s*([\"'])")
RAW_END = re.compile(r"</(" + "|".join(RAW_ELEMENTS) + r")\s*>", re.I)
FILTER_LITERAL = re.compile(r"\|(default|default_if_none|yesno):([\"'])[^\"']*[^\W\d_]{2}")


def words(text: str) -> bool:
    """Whether ``text`` has a word a reader would want in their language."""
    return any(w not in SAME_IN_EVERY_LANGUAGE and len(w) > 1 for w in WORD.findall(text))


@dataclass(frozen=True)
class Unmarked:
    line: int
    text: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.text.strip()[:80]!r}"


def unmarked(source: str) -> list[Unmarked]:  # one state machine
    found: list[Unmarked] = []
    state = "text"  # text | tag | value | raw | comment
    skip = 0
    blocks: list[str] = []
    run: list[tuple[int, int, bool]] = []  # (start, end, is_text)
    tag, attribute, quote, tag_type = "", "", "", ""
    value: list[tuple[int, int, str]] = []
    pending_value: Unmarked | None = None

    def line(at: int) -> int:
        return source.count("\n", 0, at) + 1

    def flush() -> None:
        nonlocal run
        text = "".join(source[a:b] for a, b, is_text in run if is_text)
        if run and not skip and words(text):
            found.append(Unmarked(line(run[0][0]), text))
        run = []

    pos = 0
    pieces: list[tuple[str, int, int]] = []
    for m in TOKEN.finditer(source):
        if m.start() > pos:
            pieces.append(("text", pos, m.start()))
        pieces.append((m.group(0)[:2], m.start(), m.end()))
        pos = m.end()
    pieces.append(("text", pos, len(source)))

    for kind, a, b in pieces:
        if kind == "{%":
            inner = source[a + 2 : b - 2].split()
            name = inner[0] if inner else ""
            if state == "text":
                flush()
            if name == "block" and len(inner) > 1:
                blocks.append(inner[1])
                skip += inner[1].endswith("class")
            elif name == "endblock" and blocks:
                skip -= blocks.pop().endswith("class")
            elif name in SKIPPED_TAGS:
                skip += 1
            elif name in {f"end{t}" for t in SKIPPED_TAGS}:
                skip -= 1
            if state == "value":
                value.append((a, b, "tag"))
            continue
        if kind == "{#":
            continue
        if kind == "{{":
            if name_filter := FILTER_LITERAL.search(source, a, b):
                found.append(Unmarked(line(a), name_filter.group(0)))
            if state == "text":
                run.append((a, b, False))
            elif state == "value":
                value.append((a, b, "var"))
            continue
        i = a
        while i < b:
            if state == "raw":
                end = RAW_END.search(source, i, b)
                i, state = (end.end(), "text") if end else (b, "raw")
            elif state == "comment":
                end_at = source.find("-->", i, b)
                i, state = (end_at + 3, "text") if end_at >= 0 else (b, "comment")
            elif state == "text":
                if source.startswith("<!--", i):
                    flush()
                    state, i = "comment", i + 4
                elif (
                    source[i] == "<"
                    and i + 1 < len(source)
                    and (source[i + 1].isalpha() or source[i + 1] in "/!")
                ):
                    flush()
                    m = TAG_START.match(source, i)
                    tag = m.group(1).lower() if m else ""
                    tag_type, pending_value = "", None
                    state, i = "tag", (m.end() if m else i + 1)
                else:
                    j = source.find("<", i, b)
                    j = b if j < 0 else j
                    run.append((i, j, True))
                    i = j
            elif state == "tag":
                if source[i] == ">":
                    state = "raw" if tag in RAW_ELEMENTS else "text"
                    if (
                        pending_value
                        and tag == "input"
                        and tag_type in ("submit", "button", "reset")
                    ):
                        found.append(pending_value)
                    i += 1
                    continue
                m = ATTRIBUTE.match(source, i, b)
                if m:
                    attribute, quote, value = m.group(1).lower(), m.group(2), []
                    state, i = "value", m.end()
                else:
                    i += 1
            elif state == "value":
                end_at = source.find(quote, i, b)
                stop = b if end_at < 0 else end_at
                if stop > i:
                    value.append((i, stop, "text"))
                if end_at < 0:
                    i = b
                    continue
                text = "".join(source[x:y] for x, y, k in value if k == "text")
                if attribute == "type":
                    tag_type = text.strip().lower()
                plain = not any(k == "tag" for _, _, k in value)
                if value and plain and not skip and words(text):
                    item = Unmarked(line(value[0][0]), text)
                    if attribute in READ_ATTRIBUTES:
                        found.append(item)
                    elif attribute == "value":
                        pending_value = item
                state, i = "tag", end_at + 1
    if state == "text":
        flush()
    return found


def templates(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("templates/**/*") if p.suffix in (".html", ".txt"))
