"""Tables written as CSV or XLSX files, safe to open in a spreadsheet.

A text cell that starts with = + - @ (or a tab or carriage return, which some
spreadsheets skip before looking) would be read as a formula: such cells are written
with a leading apostrophe, so a customer who types `=HYPERLINK(...)` into a subject gets
that text in the export, not a live formula. Numbers, dates and booleans are written
as such.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("csv", "xlsx")


def safe_cell(value: Any) -> Any:
    """The value as a cell: text that a spreadsheet would take for a formula is
    neutralised; numbers, dates and booleans stay what they are."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_stream(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The CSV a row at a time (for downloads of any size); UTF-8 with a BOM, so that
    spreadsheets read it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    yield "\ufeff".encode() + out.getvalue().encode()
    for row in rows:
        out.seek(0)
        out.truncate()
        writer.writerow(["" if (c := safe_cell(v)) is None else c for v in row])
        yield out.getvalue().encode()


def table_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    return b"".join(csv_stream(header, rows))


def table_xlsx(header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "Sheet")
    sheet.append([safe_cell(h) for h in header])
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_cell(value: Any) -> Any:
    cell = safe_cell(value)
    if isinstance(cell, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        cell = ILLEGAL_CHARACTERS_RE.sub("", cell)  # control characters XLSX cannot hold
    return cell


def table_bytes(
    fmt: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str
) -> bytes:
    if fmt == "csv":
        return table_csv(header, rows)
    if fmt == "xlsx":
        return table_xlsx(header, rows, title=title)
    raise ValueError(f"Unknown format {fmt!r}; use csv or xlsx.")
