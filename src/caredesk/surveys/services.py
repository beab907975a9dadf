"""Record survey responses; send surveys (after a solve, NPS campaigns) and close the
loop on low scores with follow-ups."""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from caredesk.accounts.models import User
from caredesk.automation.services.engine import Event, automation_fire
from caredesk.channels.mail.outbound import deliverable_email
from caredesk.core.business_hours import add_business_minutes
from caredesk.core.cache import cached
from caredesk.core.errors import Conflict, NotFound, ValidationFailed
from caredesk.core.jobs import job_enqueue
from caredesk.customers.models import Customer
from caredesk.customers.selectors import segment_members
from caredesk.notifications.models import NotificationKind
from caredesk.notifications.services import notify, supervisors_of
from caredesk.sla.models import TicketSla
from caredesk.sla.services import calendar_of
from caredesk.surveys.errors import SurveyErrorCode
from caredesk.surveys.models import (
    SCORE_RANGES,
    DeliveryStatus,
    FollowUp,
    FollowUpStatus,
    NpsCampaign,
    SurveyInvitation,
    SurveyKind,
    SurveyResponse,
    SurveySettings,
)
from caredesk.surveys.tasks import survey_deliver_task
from caredesk.tickets.enums import EventKind
from caredesk.tickets.models import Ticket
from caredesk.tickets.services.events import event_record


def survey_response_record(
    *,
    kind: str,
    customer: Customer,
    score: object,
    responded_at: dt.datetime,
    ticket: Ticket | None = None,
    comment: str = "",
    external_id: str | None = None,
    live: bool = False,
) -> SurveyResponse:
    """Store one response; the score must lie in the survey's range. A ``live`` response
    (a customer answering now, not imported history) runs the survey.answered rules and
    webhooks of its ticket."""
    if kind not in SurveyKind.values:
        raise ValidationFailed(
            SurveyErrorCode.INVALID_SURVEY, _("survey must be csat, nps or ces."), field="survey"
        )
    if isinstance(score, bool) or not isinstance(score, int):
        raise ValidationFailed(
            SurveyErrorCode.INVALID_SCORE, _("score must be an integer."), field="score"
        )
    low, high = SCORE_RANGES[SurveyKind(kind)]
    if not low <= score <= high:
        raise ValidationFailed(
            SurveyErrorCode.INVALID_SCORE,
            _("A %(kind)s score lies between %(low)s and %(high)s.")
            % {"kind": kind, "low": low, "high": high},
            field="score",
        )
    if external_id and SurveyResponse.objects.filter(external_id=external_id).exists():
        raise Conflict(
            SurveyErrorCode.EXTERNAL_ID_TAKEN,
            _("A response with external_id %(external_id)s exists.")
            % {"external_id": repr(external_id)},
        )
    with transaction.atomic():
        response = SurveyResponse.objects.create(
            kind=kind,
            customer=customer,
            ticket=ticket,
            score=score,
            responded_at=responded_at,
            comment=comment,
            external_id=external_id or None,
        )
        if live and ticket is not None:
            automation_fire(
                event=Event(
                    "survey.answered",
                    ticket.pk,
                    key=f"survey:{response.pk}",
                    actor_role="customer",
                    detail={"survey_kind": kind, "score": score, "comment": comment[:2000]},
                    at=responded_at,
                ),
                ticket=ticket,
            )
    return response


# --- Sending surveys and the closed loop --------------------------------------------

TOKEN_SALT = "caredesk.surveys.invitation"  # noqa: S105  # a signing namespace, not a secret
LINK_DAYS = 60
LOW_SCORES = {SurveyKind.CSAT: range(1, 3), SurveyKind.NPS: range(0, 7)}  # the closed loop
QUESTIONS = {
    SurveyKind.CSAT: gettext_lazy("How satisfied are you with the help you got?"),
    SurveyKind.CES: gettext_lazy("How easy was it to get your issue solved?"),
    SurveyKind.NPS: gettext_lazy("How likely are you to recommend us to a friend or colleague?"),
}
SCALE_ENDS = {
    SurveyKind.CSAT: (gettext_lazy("very dissatisfied"), gettext_lazy("very satisfied")),
    SurveyKind.CES: (gettext_lazy("very difficult"), gettext_lazy("very easy")),
    SurveyKind.NPS: (gettext_lazy("not at all likely"), gettext_lazy("extremely likely")),
}


SETTINGS_CACHE_KEY = "caredesk:surveys:settings"


def survey_settings_get() -> SurveySettings:
    """The survey settings (read on every solve): cached, and dropped when they change
    (see SurveysConfig.ready)."""
    return cached(SETTINGS_CACHE_KEY, lambda: SurveySettings.objects.get_or_create(pk=1)[0])


def invitation_token(invitation: SurveyInvitation) -> str:
    """The signed token of an invitation's links (valid LINK_DAYS days)."""
    return signing.dumps(invitation.pk, salt=TOKEN_SALT, compress=True)


def invitation_from_token(token: str) -> SurveyInvitation:
    """The invitation a link was made for; NotFound for a forged or mangled token,
    ValidationFailed for one that expired."""
    try:
        pk = signing.loads(token, salt=TOKEN_SALT, max_age=LINK_DAYS * 86400)
    except signing.SignatureExpired:
        raise ValidationFailed(
            SurveyErrorCode.SURVEY_EXPIRED,
            _("This survey link has expired. Thank you all the same."),
        ) from None
    except signing.BadSignature:
        raise NotFound("survey", token[:40]) from None
    invitation = (
        SurveyInvitation.objects.select_related("customer", "ticket", "response")
        .filter(pk=pk)
        .first()
    )
    if invitation is None:
        raise NotFound("survey", pk)
    return invitation


def survey_on_solved(*, ticket: Ticket) -> SurveyInvitation | None:
    """The survey of a solved ticket (the setting's kind), once per ticket."""
    kind = survey_settings_get().on_solve
    if not kind:
        return None
    return survey_invite(kind=kind, customer=ticket.requester, ticket=ticket)


def survey_invite(
    *,
    kind: str,
    customer: Customer,
    ticket: Ticket | None = None,
    campaign: NpsCampaign | None = None,
    now: dt.datetime | None = None,
) -> SurveyInvitation | None:
    """Invite a customer to a survey, unless this ticket's survey went out already or
    the customer had one within the throttle. Sent by email after the commit when the
    customer has a deliverable address; shown in the portal either way."""

    now = now or timezone.now()
    throttle = dt.timedelta(days=survey_settings_get().throttle_days)
    if ticket is not None and SurveyInvitation.objects.filter(ticket=ticket, kind=kind).exists():
        return None
    if SurveyInvitation.objects.filter(customer=customer, created_at__gte=now - throttle).exists():
        return None
    email = deliverable_email(customer.pk) or ""
    try:
        with transaction.atomic():
            invitation = SurveyInvitation.objects.create(
                kind=kind,
                customer=customer,
                ticket=ticket,
                campaign=campaign,
                email=email,
                status=DeliveryStatus.QUEUED if email else DeliveryStatus.PORTAL,
                created_at=now,
            )
    except IntegrityError:  # the same ticket's survey, created concurrently
        return None
    if ticket is not None:
        how = f"queued by email to {email}" if email else "in the portal (no email address)"
        event_record(ticket=ticket, actor=None, kind=EventKind.CHANGED, field="survey",
                     new=f"{kind.upper()} survey {how}")  # fmt: skip
    if email:
        job_enqueue(survey_deliver_task, invitation.pk)
    return invitation


def survey_answer(
    *, invitation: SurveyInvitation, score: object, comment: str = ""
) -> SurveyResponse:
    """Record the customer's answer, once: a second answer to the same survey is a
    Conflict (a comment may still be added with survey_comment). A low CSAT or NPS opens
    a follow-up for the ticket's team and tells its supervisors."""
    with transaction.atomic():
        locked = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.response_id is not None:
            raise Conflict(
                SurveyErrorCode.SURVEY_ANSWERED, _("This survey was answered already. Thank you!")
            )
        response = survey_response_record(
            kind=locked.kind,
            customer=invitation.customer,
            score=score,
            responded_at=timezone.now(),
            ticket=invitation.ticket,
            comment=(comment or "").strip()[:5000],
            live=True,
        )
        SurveyInvitation.objects.filter(pk=locked.pk).update(
            response=response, updated_at=timezone.now()
        )
        if response.score in LOW_SCORES.get(SurveyKind(response.kind), ()):
            follow_up_open(response=response)
    invitation.refresh_from_db()
    return response


def survey_comment(*, invitation: SurveyInvitation, comment: str) -> SurveyResponse:
    """Add the comment to an answered survey (the one-click answer came first)."""
    text = (comment or "").strip()[:5000]
    if invitation.response is None:
        raise Conflict(SurveyErrorCode.SURVEY_NOT_ANSWERED, _("Choose a score first."))
    if not text:
        raise ValidationFailed(
            SurveyErrorCode.EMPTY_COMMENT, _("Write a comment, or close this page.")
        )
    response = invitation.response
    if response.comment:
        raise Conflict(
            SurveyErrorCode.SURVEY_COMMENTED, _("This survey has a comment already. Thank you!")
        )
    SurveyResponse.objects.filter(pk=response.pk).update(comment=text, updated_at=timezone.now())
    response.refresh_from_db()
    return response


def follow_up_open(*, response: SurveyResponse) -> FollowUp:
    """The closed loop: a task for the team of the ticket (due in business hours of its
    SLA calendar, else calendar hours) and a notification to its supervisors."""

    ticket = response.ticket
    team = ticket.team if ticket is not None else None
    hours = survey_settings_get().follow_up_hours
    due = _due_after(ticket, response.responded_at, hours * 60)
    follow_up = FollowUp.objects.create(response=response, ticket=ticket, team=team, due_at=due)
    about = f" on #{ticket.pk} {ticket.subject}" if ticket is not None else ""
    notify(
        users=supervisors_of(team),
        kind=NotificationKind.FOLLOW_UP,
        text=_("%(kind)s %(score)s from %(customer)s%(about)s: follow up by %(due)s.")
        % {
            "kind": response.kind.upper(),
            "score": response.score,
            "customer": response.customer,
            "about": about,
            "due": format(timezone.localtime(due), "%Y-%m-%d %H:%M"),
        },
        ticket=ticket,
    )
    return follow_up


def _due_after(ticket: Ticket | None, start: dt.datetime, minutes: int) -> dt.datetime:
    sla = (
        TicketSla.objects.select_related("policy__calendar").filter(ticket=ticket).first()
        if ticket is not None
        else None
    )
    if sla is not None and sla.policy.calendar is not None:
        return add_business_minutes(calendar_of(sla.policy.calendar), start, minutes)
    return start + dt.timedelta(minutes=minutes)


def follow_up_close(*, follow_up: FollowUp, actor: User, outcome: str) -> FollowUp:
    """Record what came of a follow-up (a call, a refund, an apology…)."""
    text = (outcome or "").strip()
    if not text:
        raise ValidationFailed(
            SurveyErrorCode.EMPTY_OUTCOME, _("Say what came of the follow-up."), field="outcome"
        )
    done = FollowUp.objects.filter(pk=follow_up.pk, status=FollowUpStatus.OPEN).update(
        status=FollowUpStatus.DONE, outcome=text[:5000], done_by=actor,
        done_at=timezone.now(), updated_at=timezone.now(),
    )  # fmt: skip
    if not done:
        raise Conflict(SurveyErrorCode.FOLLOW_UP_DONE, _("This follow-up was closed already."))
    follow_up.refresh_from_db()
    return follow_up


def campaigns_run(*, now: dt.datetime | None = None) -> int:
    """Send the NPS campaigns whose time has come to their segment's customers (each
    customer's throttle applies); returns how many invitations went out."""

    now = now or timezone.now()
    sent = 0
    for campaign in NpsCampaign.objects.filter(active=True, next_run_at__lte=now).select_related(
        "segment"
    ):
        with transaction.atomic():
            claimed = NpsCampaign.objects.filter(
                pk=campaign.pk, next_run_at=campaign.next_run_at
            ).update(next_run_at=now + dt.timedelta(days=max(1, campaign.every_days)))
            if not claimed:
                continue  # another worker runs it
            for customer in segment_members(segment=campaign.segment).iterator():
                invited = survey_invite(
                    kind=SurveyKind.NPS, customer=customer, campaign=campaign, now=now
                )
                sent += invited is not None
    return sent
