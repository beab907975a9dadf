import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from caredesk.cli import main

CALENDAR = {
    "timezone": "Europe/Berlin",
    "hours": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "09:00", "end": "17:00"}],
    "holidays": ["2026-12-25"],
}


def due(tmp_path: Path, *args: str, calendar: object = CALENDAR) -> tuple[int, str]:
    path = tmp_path / "calendar.json"
    path.write_text(json.dumps(calendar))
    result = CliRunner().invoke(main, ["sla", "due", "--calendar", str(path), *args])
    return result.exit_code, result.output.strip()


def test_due_prints_utc(tmp_path: Path) -> None:
    assert due(tmp_path, "--start", "2026-12-24T15:00:00Z", "--minutes", "120") == (
        0,
        "2026-12-28T09:00:00Z",
    )


def test_a_start_without_offset_is_the_calendars_local_time(tmp_path: Path) -> None:
    code, out = due(tmp_path, "--start", "2026-12-24T16:00:00", "--minutes", "120")
    assert (code, out) == (0, "2026-12-28T09:00:00Z")


def test_a_start_outside_hours_counts_from_the_next_opening(tmp_path: Path) -> None:
    code, out = due(tmp_path, "--start", "2026-11-28T12:00:00Z", "--minutes", "0")
    assert (code, out) == (0, "2026-11-30T08:00:00Z")


@pytest.mark.parametrize(
    ("args", "calendar", "message"),
    [
        (["--start", "yesterday", "--minutes", "5"], CALENDAR, "ISO 8601"),
        (["--start", "2026-12-24T15:00:00Z", "--minutes", "-1"], CALENDAR, "zero or more"),
        (["--start", "2026-12-24T15:00:00Z", "--minutes", "NaN"], CALENDAR, "finite"),
        (["--start", "2026-12-24T15:00:00Z", "--minutes", "5"], {"timezone": "X/Y"}, "time zone"),
        (["--start", "2026-12-24T15:00:00Z", "--minutes", "5"], "not json", "JSON object"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(
    tmp_path: Path, args: list[str], calendar: object, message: str
) -> None:
    code, out = due(tmp_path, *args, calendar=calendar)
    assert code != 0
    assert message in out
    assert "Traceback" not in out
