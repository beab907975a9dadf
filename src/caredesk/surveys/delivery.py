"""Send survey invitations by email: a job per invitation after its commit, the same
claim, retries and backoff as the ticket outbox (channels/mail/outbound.py)."""

from __future__ import annotations

import datetime as dt
from html import escape

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone

from caredesk.channels.mail.outbound import (
    NoRecipient,
    Sent,
    mailbox_of,
    queued_due,
    smtp_attempt,
    smtp_connection_for,
)
from caredesk.channels.models import Mailbox
from caredesk.surveys.models import SCORE_RANGES, DeliveryStatus, SurveyInvitation, SurveyKind
from caredesk.surveys.services import QUESTIONS, SCALE_ENDS, invitation_token


def survey_deliver(*, invitation_id: int, now: dt.datetime | None = None) -> Sent:
    now = now or timezone.now()
    row, sent = smtp_attempt(
        model=SurveyInvitation,
        row_id=invitation_id,
        now=now,
        send=_send,
        related=("customer", "ticket"),
    )
    if row is not None and sent.outcome in ("sent", "failed"):
        SurveyInvitation.objects.filter(pk=row.pk).update(
            status=DeliveryStatus.SENT if sent.outcome == "sent" else DeliveryStatus.FAILED,
            sent_at=timezone.now() if sent.outcome == "sent" else None,
            last_error="" if sent.outcome == "sent" else sent.detail[:2000],
            next_attempt_at=None,
            updated_at=timezone.now(),
        )
    return sent


def surveys_due(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Send what is due: first tries whose job was lost, and retries."""
    now = now or timezone.now()
    due = queued_due(SurveyInvitation, now=now, limit=limit)
    return sum(
        survey_deliver(invitation_id=pk, now=now).outcome in ("sent", "retry", "failed")
        for pk in due
    )


def _send(row: SurveyInvitation) -> str:
    if not row.email:
        raise NoRecipient("The customer has no email address that can receive mail.")
    box = mailbox_of(row.ticket) if row.ticket is not None else _first_mailbox()
    email = survey_email(row, box)
    smtp_connection_for(box).send_messages([email])
    return str(email.extra_headers["Message-ID"])


def _first_mailbox() -> Mailbox | None:
    return Mailbox.objects.filter(active=True).order_by("id").first()


def survey_link(row: SurveyInvitation, score: int | None = None) -> str:
    url = settings.CAREDESK_BASE_URL + reverse("survey", args=[invitation_token(row)])
    return url if score is None else f"{url}?score={score}"


def survey_email(row: SurveyInvitation, box: Mailbox | None) -> EmailMultiAlternatives:
    """The invitation: the question and one link per score (one click answers)."""
    kind = SurveyKind(row.kind)
    low, high = SCORE_RANGES[kind]
    scores = range(high, low - 1, -1) if kind != SurveyKind.NPS else range(low, high + 1)
    sender = box.address if box else settings.DEFAULT_FROM_EMAIL
    domain = sender.rsplit("@", 1)[-1].strip(">") or "caredesk.invalid"
    ticket = row.ticket
    about = f'your request "{ticket.subject}" (#{ticket.pk})' if ticket else "us"
    intro = (
        f"Hello {row.customer.name or ''},\n\nwe would like to hear how it went with {about}."
    ).replace("Hello ,", "Hello,")
    ends = SCALE_ENDS[kind]
    lines = [f"{s}{_label(s, low, high, ends)}: {survey_link(row, s)}" for s in scores]
    text = (
        f"{intro}\n\n{QUESTIONS[kind]}\n\n" + "\n".join(lines)
        + "\n\nOne click is enough; you can add a comment afterwards.\n"
    )  # fmt: skip
    buttons = "".join(
        f'<a href="{escape(survey_link(row, s))}" style="display:inline-block;padding:8px 12px;'
        f'margin:2px;border:1px solid #888;border-radius:4px;text-decoration:none">{s}</a>'
        for s in range(low, high + 1)
    )
    html = (
        f"<p>{escape(intro).replace(chr(10), '<br>')}</p><p><strong>{escape(QUESTIONS[kind])}"
        f"</strong></p><p>{buttons}</p><p><small>{low} = {escape(ends[0])}, {high} = "
        f"{escape(ends[1])}. One click is enough; you can add a comment afterwards.</small></p>"
    )
    subject = f"How did we do? [#{ticket.pk}]" if ticket else "How are we doing?"
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=f"{box.name} <{sender}>" if box else sender,
        to=[row.email],
        headers={
            "Message-ID": f"<caredesk.survey.{row.pk}@{domain}>",
            "Auto-Submitted": "auto-generated",
            "X-Caredesk-Survey": str(row.pk),
        },
    )
    email.attach_alternative(html, "text/html")
    return email


def _label(score: int, low: int, high: int, ends: tuple[str, str]) -> str:
    if score == low:
        return f" ({ends[0]})"
    if score == high:
        return f" ({ends[1]})"
    return ""
