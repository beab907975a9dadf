"""`caredesk report kpis`: files, bad input as messages, and exports that are safe to
open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from caredesk.cli import main
from caredesk.core.exports import safe_cell, table_csv, table_xlsx
from caredesk.tickets.factories import ticket_make

pytestmark = pytest.mark.django_db(transaction=True)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["report", "kpis", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-03-31", "--to", "2026-03-01"], "ends before it starts"),
        (["--from", "2020-01-01", "--to", "2026-03-01"], "at most 1099 days"),
        (
            ["--from", "2026-03-01", "--to", "2026-03-31", "--tz", "Mars/Olympus"],
            "Unknown time zone",
        ),
        (["--from", "2026-02-30", "--to", "2026-03-31"], "2026-02-30"),
        (["--from", "2026-03-01", "--to", "2026-03-31", "--format", "csv"], "--format needs --out"),
    ],
)
def test_bad_input_is_a_message_and_a_failing_exit(args: list[str], message: str) -> None:
    code, output = run(*args)
    assert code != 0
    assert message in output
    assert "Traceback" not in output


def test_the_report_as_json_csv_and_xlsx_files(tmp_path: Path) -> None:
    ticket_make()
    today = dt.date.today().isoformat()
    code, output = run("--from", today, "--to", today, "--json")
    assert code == 0
    figures = json.loads(output)
    assert figures["tickets_created"] == 1
    for fmt in ("json", "csv", "xlsx"):
        out = tmp_path / f"kpis.{fmt}"
        code, output = run("--from", today, "--to", today, "--out", str(out))
        assert code == 0, output
        assert out.stat().st_size > 0
    rows = list(csv.reader(io.StringIO((tmp_path / "kpis.csv").read_text("utf-8-sig"))))
    assert rows[0] == ["kpi", "value"]
    assert ["tickets_created", "1"] in rows
    assert ["csat.percent_satisfied", ""] in rows  # nothing to compute: empty, not 0
    sheet = load_workbook(tmp_path / "kpis.xlsx").active
    assert sheet is not None
    values = {r[0]: r[1] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["tickets_created"] == 1
    assert json.loads((tmp_path / "kpis.json").read_text()) == figures


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1",
                                  '=HYPERLINK("http://evil.example","Click")'])  # fmt: skip
def test_a_formula_in_a_cell_is_text_in_every_export(text: str) -> None:
    assert safe_cell(text) == "'" + text
    written = table_csv(["h"], [[text]]).decode("utf-8-sig")
    header, row = csv.reader(io.StringIO(written, newline=""))
    assert (header, row) == (["h"], ["'" + text])
    book = load_workbook(io.BytesIO(table_xlsx(["h"], [[text]], title="t")))
    cell = book.active["A2"]  # type: ignore[index]
    assert cell.data_type == "s"
    assert cell.value == "'" + text.replace("\r", "\n")  # XML reads a CR back as a LF


def test_numbers_dates_and_plain_text_stay_what_they_are() -> None:
    assert safe_cell(-3) == -3
    assert safe_cell(2.5) == 2.5
    assert safe_cell(None) is None
    assert safe_cell(dt.date(2026, 3, 1)) == "2026-03-01"
    assert safe_cell("Router drops") == "Router drops"
    assert safe_cell("a=b") == "a=b"
