"""Scheduled reports: the KPI report of the week or month before, as a PDF, XLSX or CSV
file, mailed to its recipients. The periodic `reports` job sends what is due; each run
is claimed before it is sent, so two workers never send one twice."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from caredesk.analytics.errors import AnalyticsErrorCode
from caredesk.analytics.figures import kpis_for
from caredesk.analytics.kpis import Period, flatten
from caredesk.analytics.models import ReportFormat, ReportFrequency, ScheduledReport
from caredesk.analytics.selectors import EVERYONE, Scope, kpi_period
from caredesk.core.errors import ValidationFailed
from caredesk.core.exports import table_bytes
from caredesk.core.i18n import language_or_site
from caredesk.core.periods import day_range

SEND_HOUR = 7  # local time of the report's time zone
MIME = {"pdf": "application/pdf", "csv": "text/csv",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}  # fmt: skip


def recipients_of(text: str) -> list[str]:
    """The addresses of a recipients field; ValidationFailed naming a bad one."""
    found = [a.strip() for a in text.replace(",", "\n").splitlines() if a.strip()]
    if not found:
        raise ValidationFailed(
            AnalyticsErrorCode.NO_RECIPIENTS,
            _("Give at least one email address."),
            field="recipients",
        )
    for address in found:
        try:
            validate_email(address)
        except DjangoValidationError:
            raise ValidationFailed(
                AnalyticsErrorCode.INVALID_RECIPIENT,
                _("%(address)s is not an email address.") % {"address": repr(address)},
                field="recipients",
            ) from None
    return found


def next_run(report: ScheduledReport, after: dt.datetime) -> dt.datetime:
    """The next Monday (weekly) or 1st of the month (monthly) at 07:00 in its time zone."""
    zone = zoneinfo.ZoneInfo(report.tz)
    day = after.astimezone(zone).date()
    while True:
        day += dt.timedelta(days=1)
        if (report.frequency == ReportFrequency.WEEKLY and day.weekday() == 0) or (
            report.frequency == ReportFrequency.MONTHLY and day.day == 1
        ):
            return dt.datetime.combine(day, dt.time(SEND_HOUR), tzinfo=zone)


def covered_period(report: ScheduledReport, at: dt.datetime) -> Period:
    """The week (Monday to Sunday) or month before the moment the report goes out."""
    day = at.astimezone(zoneinfo.ZoneInfo(report.tz)).date()
    if report.frequency == ReportFrequency.WEEKLY:
        monday = day - dt.timedelta(days=day.weekday() + 7)
        return kpi_period(date_from=monday, date_to=monday + dt.timedelta(days=6), tz=report.tz)
    last = day.replace(day=1) - dt.timedelta(days=1)
    return kpi_period(date_from=last.replace(day=1), date_to=last, tz=report.tz)


def report_file(figures: dict[str, Any], fmt: str, *, title: str) -> bytes:
    """The figures as a PDF, CSV or XLSX file, headed in the active language (the KPI
    names are the identifiers of docs/kpis.md); numbers as the language writes them in
    the PDF, as plain numbers in the tables."""
    rows = flatten(figures)
    if fmt == ReportFormat.PDF:
        return _pdf(rows, title=title)
    return table_bytes(fmt, [_("kpi"), _("value")], rows, title=_("KPIs"))


def _pdf(rows: list[tuple[str, Any]], *, title: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 8, _latin(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    with pdf.table(col_widths=(110, 70), text_align=("LEFT", "RIGHT")) as table:
        table.row([_latin(_("KPI")), _latin(_("Value"))])
        for name, value in rows:
            shown = "-" if value is None else number_format(value) if _number(value) else value
            table.row([_latin(name), _latin(str(shown))])
    return bytes(pdf.output())


def _number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _latin(text: str) -> str:
    """The PDF core fonts speak Latin-1: anything else becomes a question mark."""
    return text.encode("latin-1", "replace").decode("latin-1")


def report_send(*, report: ScheduledReport, at: dt.datetime | None = None) -> Period:
    """Mail the report of the period before ``at`` (now) to its recipients."""
    at = at or timezone.now()
    period = covered_period(report, at)
    scope = Scope(team_id=report.team_id) if report.team_id else EVERYONE
    figures = kpis_for(period, scope)
    with translation.override(language_or_site(report.language)):
        span = _("%(start)s to %(end)s") % {
            "start": date_format(period.date_from),
            "end": date_format(period.date_to),
        }
        title = f"{report.name}: {span}" + (f" ({report.team})" if report.team_id else "")
        data = report_file(figures, report.format, title=title)
        body = _(
            "The service KPIs of %(span)s (%(tz)s) are attached.\nDefinitions: docs/kpis.md.\n"
        ) % {"span": span, "tz": report.tz}
    email = EmailMessage(
        subject=title,
        body=body,
        to=recipients_of(report.recipients),
        headers={"Auto-Submitted": "auto-generated"},
    )
    filename = f"kpis-{period.date_from:%Y-%m-%d}-{period.date_to:%Y-%m-%d}.{report.format}"
    email.attach(filename, data, MIME[report.format])
    get_connection().send_messages([email])
    return period


def reports_due(*, now: dt.datetime | None = None) -> int:
    """Send every active report whose time has come; returns how many went out. A
    failure is recorded on the report (and shown on its screen); the next period's run
    is due as usual."""
    now = now or timezone.now()
    sent = 0
    for report in ScheduledReport.objects.filter(active=True, next_run_at__lte=now):
        with transaction.atomic():
            claimed = ScheduledReport.objects.filter(
                pk=report.pk, next_run_at=report.next_run_at
            ).update(next_run_at=next_run(report, now))
        if not claimed:
            continue  # another worker has it
        try:
            report_send(report=report, at=now)
        except Exception as exc:  # an SMTP or file error: recorded, not raised
            ScheduledReport.objects.filter(pk=report.pk).update(
                last_error=f"{type(exc).__name__}: {exc}"[:2000]
            )
            continue
        ScheduledReport.objects.filter(pk=report.pk).update(last_sent_at=now, last_error="")
        sent += 1
    return sent


def report_save(*, report: ScheduledReport | None, data: dict[str, Any]) -> ScheduledReport:
    """Create or change a scheduled report: recipients and time zone checked, the next
    run computed."""

    report = report or ScheduledReport()
    for key, value in data.items():
        setattr(report, key, value)
    if not (report.name or "").strip():
        raise ValidationFailed(
            AnalyticsErrorCode.INVALID_NAME, _("A report needs a name."), field="name"
        )
    recipients_of(report.recipients)
    day_range(start=dt.date.today(), days=1, tz=report.tz)  # an unknown time zone fails here
    report.next_run_at = next_run(report, timezone.now())
    report.save()
    return report
