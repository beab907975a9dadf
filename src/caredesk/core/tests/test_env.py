import pytest
from django.db import connection

from caredesk.config.env import ConfigurationError, database_config, read_env


def test_missing_secret_key_without_debug_stops_with_a_clear_message(monkeypatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DEBUG", raising=False)
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        read_env()


def test_debug_allows_a_development_key(monkeypatch, tmp_path) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DEBUG", "true")
    monkeypatch.setenv("CAREDESK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    env = read_env()
    assert env.debug is True
    assert env.database_url == f"sqlite:///{tmp_path / 'caredesk.sqlite3'}"


def test_bad_boolean_is_reported(monkeypatch) -> None:
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ConfigurationError, match="DEBUG must be a boolean"):
        read_env()


def test_sqlite_gets_wal_and_immediate_transactions() -> None:
    config = database_config("sqlite:////tmp/x.sqlite3")
    options = config["OPTIONS"]
    assert isinstance(options, dict)
    assert "journal_mode=WAL" in options["init_command"]
    assert options["transaction_mode"] == "IMMEDIATE"


def test_postgresql_connections_run_without_jit() -> None:
    config = database_config("postgres://app@db.example:5432/caredesk")
    options = config["OPTIONS"]
    assert isinstance(options, dict)
    assert options["options"] == "-c jit=off"


@pytest.mark.django_db
def test_the_test_database_connection_has_the_options() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW jit")
            assert cursor.fetchone() == ("off",)
        else:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone() == ("wal",)


def test_unsupported_database_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="SQLite or PostgreSQL"):
        database_config("mysql://root@localhost/x")
