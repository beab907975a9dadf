"""Send survey invitations by email: a job per invitation after its commit, through the
leased outbox of core/outbox.py with the ticket outbox's backoff and timeout
(channels/mail/outbound.py)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from caredesk.channels.mail.outbound import (
    NoRecipient,
    Sent,
    mail_outbox,
    mailbox_of,
    send_with_return_path,
)
from caredesk.channels.mail.trust import message_id, return_path
from caredesk.channels.models import Mailbox
from caredesk.core.i18n import language_or_site
from caredesk.core.outbox import Delivered, Outcome
from caredesk.surveys.models import SCORE_RANGES, SurveyInvitation, SurveyKind
from caredesk.surveys.services import QUESTIONS, SCALE_ENDS, invitation_token
from caredesk.tickets.enums import EventKind
from caredesk.tickets.services.events import event_record


def _send(row: SurveyInvitation) -> Delivered:
    if not row.email:
        raise NoRecipient("The customer has no email address that can receive mail.")
    box = mailbox_of(row.ticket) if row.ticket is not None else _first_mailbox()
    email = survey_email(row, box)
    send_with_return_path(box, email)
    return Delivered(str(email.extra_headers["Message-ID"]))


def _invitation_done(row: SurveyInvitation, outcome: Outcome) -> None:
    """An invitation that could not be sent is recorded on its ticket."""
    if outcome.outcome == "failed" and row.ticket is not None:
        event_record(
            ticket=row.ticket,
            actor=None,
            kind=EventKind.CHANGED,
            field="survey_delivery",
            new=f"the {row.kind.upper()} survey could not be sent: {outcome.detail}"[:2000],
        )


# Survey invitations share the ticket outbox's statuses (queued, sent, failed).
OUTBOX = mail_outbox(SurveyInvitation, _send, _invitation_done, ("customer", "ticket"))


def survey_deliver(*, invitation_id: int, now: dt.datetime | None = None) -> Outcome:
    return OUTBOX.attempt(row_id=invitation_id, now=now)


def surveys_due(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Send what is due: first tries whose job was lost, and retries."""
    return OUTBOX.run_due(now=now, limit=limit)


def _first_mailbox() -> Mailbox | None:
    return Mailbox.objects.filter(active=True).order_by("id").first()


def survey_link(row: SurveyInvitation, score: int | None = None) -> str:
    url = settings.CAREDESK_BASE_URL + reverse("survey", args=[invitation_token(row)])
    return url if score is None else f"{url}?score={score}"


def survey_email(row: SurveyInvitation, box: Mailbox | None) -> EmailMultiAlternatives:
    """The invitation, in the customer's language: the question and one link per score
    (one click answers)."""
    kind = SurveyKind(row.kind)
    low, high = SCORE_RANGES[kind]
    order = range(high, low - 1, -1) if kind != SurveyKind.NPS else range(low, high + 1)
    sender = box.address if box else settings.DEFAULT_FROM_EMAIL
    domain = sender.rsplit("@", 1)[-1].strip(">") or "caredesk.invalid"
    ticket = row.ticket
    with translation.override(language_or_site(row.customer.language)):
        ends = [str(end) for end in SCALE_ENDS[kind]]
        context = {
            "name": row.customer.name,
            "ticket": ticket,
            "question": str(QUESTIONS[kind]),
            "low": low,
            "high": high,
            "ends": ends,
            "links": [
                (s, ends[0] if s == low else ends[1] if s == high else "", survey_link(row, s))
                for s in order
            ],
            "buttons": [(s, survey_link(row, s)) for s in range(low, high + 1)],
        }
        text = render_to_string("surveys/email/invitation.txt", context)
        html = render_to_string("surveys/email/invitation.html", context)
        subject = (
            _("How did we do? [#%(ticket)s]") % {"ticket": ticket.pk}
            if ticket
            else _("How are we doing?")
        )
    headers = {
        "Message-ID": message_id(f"survey.{row.pk}", domain),
        "Auto-Submitted": "auto-generated",
        "X-Caredesk-Survey": str(row.pk),
    }
    if box:  # the envelope sender is the invitation's own signed return path (VERP)
        headers["From"] = f"{box.name} <{sender}>"
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=return_path(sender, "s", row.pk) if box else sender,
        to=[row.email],
        headers=headers,
    )
    email.attach_alternative(html, "text/html")
    return email


def invitation_sent(row_id: int) -> Sent | None:
    """What a delivery report to an invitation's return path is about (channels.mail)."""
    row = SurveyInvitation.objects.filter(pk=row_id).values("ticket_id", "email").first()
    if row is None:
        return None
    return Sent(row["ticket_id"], frozenset({row["email"].lower()} if row["email"] else ()))
