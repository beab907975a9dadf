"""The survey page customers reach from the email (or the portal): one click records
the score, then a comment may follow. The signed token in the link is the only key: no
sign-in, and nothing about the ticket beyond its number and subject is shown.
Supervisors work through the follow-ups of low scores."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caredesk.accounts.gates import supervisor_required, user_of
from caredesk.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from caredesk.core.i18n import language_codes
from caredesk.surveys.models import (
    SCORE_RANGES,
    FollowUp,
    FollowUpStatus,
    SurveyInvitation,
    SurveyKind,
)
from caredesk.surveys.selectors import follow_ups_list
from caredesk.surveys.services import (
    QUESTIONS,
    SCALE_ENDS,
    follow_up_close,
    invitation_from_token,
    survey_answer,
    survey_comment,
)

LIST_SIZE = 200


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = invitation_from_token(token)
    except NotFound:
        return _page(request, None, status=404, error=_("This survey link is not valid."))
    except ValidationFailed as exc:
        return _page(request, None, status=410, error=exc.message)
    language = invitation.customer.language  # the customer's, as in the invitation
    if language in language_codes():
        translation.activate(language)
        request.LANGUAGE_CODE = language
    error = ""
    if request.method == "POST":
        try:
            if "comment" in request.POST and invitation.response_id is not None:
                survey_comment(invitation=invitation, comment=request.POST["comment"])
                return redirect(reverse("survey", args=[token]) + "?thanks=1")
            survey_answer(
                invitation=invitation,
                score=_int(request.POST.get("score")),
                comment=request.POST.get("comment", ""),
            )
            return redirect(reverse("survey", args=[token]))
        except Conflict as exc:
            error = exc.message
        except DomainError as exc:
            return _page(request, invitation, status=422, error=exc.message, token=token)
        invitation.refresh_from_db()
    chosen = _int(request.GET.get("score")) if invitation.response_id is None else None
    return _page(request, invitation, token=token, chosen=chosen, error=error,
                 thanks=request.GET.get("thanks") == "1")  # fmt: skip


def _int(value: object) -> object:
    try:
        return int(str(value))
    except ValueError:
        return value


def _page(
    request: HttpRequest,
    invitation: SurveyInvitation | None,
    *,
    status: int = 200,
    error: str = "",
    token: str = "",
    chosen: object = None,
    thanks: bool = False,
) -> HttpResponse:
    context: dict[str, object] = {"error": error, "token": token, "thanks": thanks}
    if invitation is not None:
        kind = SurveyKind(invitation.kind)
        low, high = SCORE_RANGES[kind]
        context.update(
            invitation=invitation,
            question=QUESTIONS[kind],
            ends=SCALE_ENDS[kind],
            scores=list(range(low, high + 1)),
            chosen=chosen if isinstance(chosen, int) and low <= chosen <= high else None,
            response=invitation.response,
        )
    return render(request, "surveys/answer.html", context, status=status)


@require_GET
@supervisor_required
def follow_ups(request: HttpRequest) -> HttpResponse:
    """Low scores to follow up: open ones by due time (overdue first), or done ones with
    their outcome."""
    status = request.GET.get("status", FollowUpStatus.OPEN)
    if status not in FollowUpStatus.values:
        status = FollowUpStatus.OPEN
    rows = follow_ups_list(status=status)[:LIST_SIZE]
    context = {"rows": rows, "status": status, "now": timezone.now(), "size": LIST_SIZE}
    return render(request, "surveys/follow_ups.html", {"nav": "manage", **context})


@require_POST
@supervisor_required
def follow_up_done(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    row = FollowUp.objects.filter(pk=follow_up_id).first()
    if row is None:
        raise Http404
    try:
        follow_up_close(
            follow_up=row, actor=user_of(request), outcome=request.POST.get("outcome", "")
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Follow-up closed with its outcome."))
    return redirect("manage:follow_ups")
