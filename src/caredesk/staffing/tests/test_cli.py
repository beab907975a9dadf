import json

import pytest
from click.testing import CliRunner

from caredesk.cli import main


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["staffing", *args])
    return result.exit_code, result.output


QUEUE = ["--volume", "100", "--interval-seconds", "1800", "--aht", "180"]


def test_erlang_c_prints_the_specified_json() -> None:
    code, out = run("erlang-c", *QUEUE, "--agents", "14", "--target-seconds", "20", "--json")
    assert code == 0
    figures = json.loads(out)
    assert list(figures) == [
        "traffic_erlangs",
        "stable",
        "wait_probability",
        "service_level",
        "asa_seconds",
        "occupancy",
    ]
    assert figures["traffic_erlangs"] == 10
    assert round(figures["service_level"], 4) == 0.8884


def test_erlang_c_unstable_is_reported_not_crashed() -> None:
    code, out = run("erlang-c", *QUEUE, "--agents", "10", "--target-seconds", "20", "--json")
    assert code == 0
    assert json.loads(out) == {
        "traffic_erlangs": 10.0,
        "stable": False,
        "wait_probability": 1.0,
        "service_level": 0.0,
        "asa_seconds": None,
        "occupancy": None,
    }


def test_erlang_a_and_b() -> None:
    code, out = run(
        "erlang-a", *QUEUE, "--agents", "12", "--patience-seconds", "120",
        "--target-seconds", "20", "--json",
    )  # fmt: skip
    assert code == 0
    assert set(json.loads(out)) == {
        "traffic_erlangs",
        "stable",
        "wait_probability",
        "abandon_probability",
        "service_level",
        "asa_seconds",
        "occupancy",
    }
    code, out = run("erlang-b", "--traffic", "10", "--servers", "15", "--json")
    assert round(json.loads(out)["blocking_probability"], 4) == 0.0365
    code, out = run("erlang-b", "--traffic", "10", "--max-blocking", "0.01", "--json")
    assert json.loads(out)["servers"] == 18
    assert json.loads(out)["blocking_probability"] <= 0.01


def test_required_with_occupancy_and_exact_shrinkage() -> None:
    code, out = run(
        "required", "--volume", "105", "--interval-seconds", "900", "--aht", "120",
        "--target-seconds", "20", "--max-occupancy", "0.7", "--shrinkage", "0.3", "--json",
    )  # fmt: skip
    figures = json.loads(out)
    assert code == 0
    # 14 E at 70 % occupancy needs exactly 20 agents, and 20 / 0.7 rounds up to 29
    assert figures["agents"] == 20
    assert figures["scheduled_staff"] == 29
    assert "abandon_probability" not in figures


def test_required_with_patience_uses_erlang_a() -> None:
    code, out = run(
        "required", *QUEUE, "--target-seconds", "20", "--patience-seconds", "120",
        "--max-abandon", "0.05", "--json",
    )  # fmt: skip
    figures = json.loads(out)
    assert code == 0
    assert figures["abandon_probability"] <= 0.05
    assert figures["service_level"] >= 0.8


@pytest.mark.parametrize(
    "args",
    [
        ["erlang-c", "--volume", "-5", "--interval-seconds", "900", "--aht", "180",
         "--agents", "3", "--target-seconds", "20"],
        ["erlang-c", "--volume", "nan", "--interval-seconds", "900", "--aht", "180",
         "--agents", "3", "--target-seconds", "20"],
        ["required", "--volume", "10", "--interval-seconds", "0", "--aht", "180",
         "--target-seconds", "20"],
        ["required", "--volume", "10", "--interval-seconds", "900", "--aht", "0",
         "--target-seconds", "20"],
        ["required", "--volume", "10", "--interval-seconds", "900", "--aht", "180",
         "--target-seconds", "20", "--target-level", "1.5"],
        ["required", "--volume", "10", "--interval-seconds", "900", "--aht", "180",
         "--target-seconds", "20", "--shrinkage", "1"],
        ["erlang-b", "--traffic", "10"],
    ],
)  # fmt: skip
def test_bad_values_exit_non_zero_with_one_clear_line(args: list[str]) -> None:
    code, out = run(*args)
    assert code != 0
    assert "Traceback" not in out
    assert "Error:" in out
