"""The survey page customers reach from the email (or the portal): one click records
the score, then a comment may follow. The signed token in the link is the only key: no
sign-in, and nothing about the ticket beyond its number and subject is shown."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from caredesk.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from caredesk.surveys.models import SCORE_RANGES, SurveyInvitation, SurveyKind
from caredesk.surveys.services import (
    QUESTIONS,
    SCALE_ENDS,
    invitation_from_token,
    survey_answer,
    survey_comment,
)


@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = invitation_from_token(token)
    except NotFound:
        return _page(request, None, status=404, error="This survey link is not valid.")
    except ValidationFailed as exc:
        return _page(request, None, status=410, error=exc.message)
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
