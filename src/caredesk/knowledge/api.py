"""/api/v1/kb/: search and the answer bot, for anyone (what they see depends on who
they are: anonymous callers get public articles only)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from caredesk.accounts.models import User
from caredesk.knowledge.enums import ViewSource
from caredesk.knowledge.links import answer_json, article_url
from caredesk.knowledge.search import kb_answer, kb_search
from caredesk.knowledge.selectors import audience_of

router = Router(tags=["knowledge"])


class SearchIn(Schema):
    q: str
    locale: str | None = None
    limit: int = 10


class HitOut(Schema):
    external_id: str | None
    title: str
    url: str
    score: float


class AnswerIn(Schema):
    question: str
    locale: str | None = None


class AnswerArticleOut(Schema):
    external_id: str | None
    title: str
    url: str
    excerpt: str


class AnswerOut(Schema):
    answer: AnswerArticleOut | None
    handoff: bool
    confidence: float


def anyone(request: HttpRequest) -> bool:
    """The last of the router's authentications: without a token or a session, a
    caller reads as anyone does (public articles only)."""
    return True


def _reader(request: HttpRequest) -> object:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, User) else request.user


def _session(request: HttpRequest) -> str:
    session = getattr(request, "session", None)
    return (session.session_key or "") if session is not None else ""


@router.get("/search", response=list[HitOut])
def search(request: HttpRequest, params: Query[SearchIn]) -> list[dict[str, Any]]:
    """Articles best first; the caller's session or token decides what they may see."""
    hits = kb_search(
        q=params.q,
        audience=audience_of(_reader(request)),
        locale=params.locale,
        limit=params.limit,
        source=ViewSource.HELP,
        session_key=_session(request),
    )
    return [
        {
            "external_id": h.article.external_id,
            "title": h.article.title,
            "url": article_url(h.article),
            "score": round(h.score, 4),
        }
        for h in hits
    ]


@router.post("/answer", response=AnswerOut)
def answer(request: HttpRequest, body: AnswerIn) -> dict[str, Any]:
    """The bot: an article when it is confident, otherwise ``handoff`` to a person."""
    result = kb_answer(
        question=body.question,
        audience=audience_of(_reader(request)),
        locale=body.locale,
        session_key=_session(request),
    )
    return answer_json(result)
