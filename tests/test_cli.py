"""The caredesk command, run in-process against the test database."""

import json

import pytest
from click.testing import CliRunner

from caredesk.accounts.models import ApiToken, User
from caredesk.cli import main
from caredesk.search.selectors import search_ids
from caredesk.tickets.factories import ticket_make
from caredesk.tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def test_user_create_and_token_create(monkeypatch) -> None:
    runner = CliRunner()
    monkeypatch.setenv("CAREDESK_PASSWORD", "a-long-cli-password-77")
    result = runner.invoke(
        main, ["user", "create", "--email", "Ops@Example.org", "--role", "supervisor"]
    )
    assert result.exit_code == 0, result.output
    user = User.objects.get(email="ops@example.org")
    assert user.role == "supervisor"
    assert user.check_password("a-long-cli-password-77")
    result = runner.invoke(main, ["token", "create", "--email", "ops@example.org"])
    assert result.exit_code == 0
    assert result.output.strip().startswith("cdk_")
    assert ApiToken.objects.filter(user=user).count() == 1


def test_user_create_errors_are_messages_not_tracebacks(monkeypatch) -> None:
    runner = CliRunner()
    monkeypatch.setenv("CAREDESK_PASSWORD", "a-long-cli-password-77")
    result = runner.invoke(main, ["user", "create", "--email", "bad", "--role", "agent"])
    assert result.exit_code == 1
    assert "Not a valid email" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(main, ["user", "create", "--email", "x@y.org", "--role", "king"])
    assert result.exit_code == 2
    monkeypatch.delenv("CAREDESK_PASSWORD")
    result = runner.invoke(main, ["user", "create", "--email", "x@y.org", "--role", "agent"])
    assert result.exit_code == 1
    assert "CAREDESK_PASSWORD" in result.output
    result = runner.invoke(main, ["token", "create", "--email", "ghost@example.org"])
    assert result.exit_code == 1
    assert "No user" in result.output


def test_import_reports_bad_lines_and_exits_nonzero(tmp_path) -> None:
    bundle = tmp_path / "b.jsonl"
    bundle.write_text(
        "\n".join(
            [
                json.dumps(
                    {
                        "kind": "ticket",
                        "external_id": "t1",
                        "subject": "Hi",
                        "created_at": "2024-01-01T00:00:00Z",
                        "requester": "a@b.org",
                        "events": [
                            {
                                "at": "2024-01-01T00:00:00Z",
                                "type": "message",
                                "from": "customer",
                                "text": "hello",
                            }
                        ],
                    }
                ),
                "garbage",
            ]
        )
    )
    result = CliRunner().invoke(main, ["import", str(bundle), "--json"])
    assert result.exit_code == 1
    report = json.loads(result.output.strip().splitlines()[-1])
    assert report["created"] == {"ticket": 1}
    assert report["errors"][0]["line"] == 2
    assert Ticket.objects.count() == 1
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["export", "--out", str(out)])
    assert result.exit_code == 0
    assert '"external_id":"t1"' in out.read_text()


def test_seed_adds_tickets_with_conversations() -> None:
    result = CliRunner().invoke(main, ["seed", "--tickets", "250", "--customers", "40", "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output.strip().splitlines()[-1])
    assert stats["tickets"] == 250
    assert Ticket.objects.count() == 250

    agent = User.objects.filter(role="agent").first()
    assert search_ids(user=agent, q="router").ticket_ids  # the seeded index is searchable

    after = ticket_make(subject="After the seed")  # ids and sequences continue past the seed
    assert after.pk > max(Ticket.objects.exclude(pk=after.pk).values_list("pk", flat=True))
