from pathlib import Path

from caredesk.config.openapi import schema_json

COMMITTED = Path(__file__).resolve().parents[4] / "docs" / "api" / "openapi.json"


def test_committed_openapi_schema_matches_the_code() -> None:
    assert COMMITTED.read_text() == schema_json(), (
        "The API changed: run `make openapi` and commit docs/api/openapi.json."
    )
