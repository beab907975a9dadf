"""The one NinjaAPI: /api/v1/, bearer tokens or a session, problem+json errors."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from caredesk.accounts.api import router as accounts_router
from caredesk.accounts.models import User
from caredesk.accounts.services import token_authenticate
from caredesk.analytics.api import router as analytics_router
from caredesk.analytics.api import sla_router as analytics_sla_router
from caredesk.automation.api import router as automation_router
from caredesk.channels.mail.api import router as mail_router
from caredesk.config.custom_fields_api import router as custom_fields_router
from caredesk.core.errors import DomainError
from caredesk.customer360.api import timeline_router
from caredesk.customers import api as customers_api
from caredesk.knowledge.api import anyone
from caredesk.knowledge.api import router as kb_router
from caredesk.notifications.api import router as notifications_router
from caredesk.routing.api import router as routing_router
from caredesk.sla.api import router as sla_router
from caredesk.staffing.api import router as staffing_router
from caredesk.staffing.erlang import StaffingInputError
from caredesk.surveys.api import router as surveys_router
from caredesk.tickets import api as tickets_api
from caredesk.tickets.search_api import router as search_router

log = logging.getLogger("caredesk.api")


class TokenAuth(HttpBearer):
    """Authorization: Bearer cdk_…"""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return token_authenticate(plain=token)


class SessionAuth(APIKeyCookie):
    """The signed-in web user (CSRF checked for unsafe methods)."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if isinstance(user, User) and user.is_active and not isinstance(user, AnonymousUser):
            return user
        return None


PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "An RFC 9457 problem body.",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
PROBLEM_STATUSES = {
    400: "Malformed request (for example a body that is not JSON)",
    401: "Missing or invalid credentials",
    403: "Not allowed for this role",
    404: "Not found, or not visible to the caller",
    409: "Conflict with the current state (stale version, closed ticket, taken id)",
    422: "Invalid input",
}


class CaredeskAPI(NinjaAPI):
    """The API, with its problem responses documented on every operation."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        problem_ref = {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        }
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, text in PROBLEM_STATUSES.items():
                    responses.setdefault(status, {"description": text, "content": problem_ref})
        return schema


api = CaredeskAPI(
    title="caredesk API",
    version="1",
    description="Customers, organisations, purchases, tickets and search. "
    "Authenticate with `Authorization: Bearer <token>` (create one with "
    "`caredesk token create --email you@example.com`). Errors are RFC 9457 problem bodies.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api-v1",
)


def problem(
    request: HttpRequest, status: int, title: str, *, code: str, detail: str, **extra: Any
) -> HttpResponse:
    body = {
        "type": f"urn:caredesk:problem:{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = "application/problem+json"
    return response


_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    422: "Invalid input",
    429: "Too many requests",
}


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    extra: dict[str, Any] = dict(exc.extra)
    if exc.field:
        extra["errors"] = [{"field": exc.field, "message": exc.message}]
    return problem(
        request,
        exc.status,
        _TITLES.get(exc.status, "Error"),
        code=str(exc.code),
        detail=exc.message,
        **extra,
    )


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        errors.append({"field": ".".join(loc), "message": str(err.get("msg", "invalid"))})
    detail = "; ".join(f"{e['field'] or 'body'}: {e['message']}" for e in errors[:5])
    return problem(
        request,
        422,
        _TITLES[422],
        code="validation_error",
        detail=detail or "The request is not valid.",
        errors=errors,
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem(
        request,
        401,
        _TITLES[401],
        code="not_authenticated",
        detail="Send a valid API token: Authorization: Bearer <token>.",
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    status = exc.status_code
    return problem(
        request,
        status,
        _TITLES.get(status, "Error"),
        code=f"http_{status}",
        detail=str(exc.message),
    )


@api.exception_handler(DataError)
def on_data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    """A value the database cannot hold (an id beyond 64 bits, say): the input's fault."""
    return problem(
        request,
        422,
        _TITLES[422],
        code="value_out_of_range",
        detail="A value in the request is out of range.",
    )


@api.exception_handler(OverflowError)
def on_overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    return on_data_error(request, DataError(str(exc)))


@api.exception_handler(StaffingInputError)
def on_staffing_input(request: HttpRequest, exc: StaffingInputError) -> HttpResponse:
    return problem(request, 422, _TITLES[422], code="invalid_staffing_input", detail=str(exc))


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem(request, 404, _TITLES[404], code="not_found", detail="Not found.")


api.add_router("/", accounts_router)
api.add_router("/customers", customers_api.customers)
api.add_router("/customers", timeline_router)
api.add_router("/organizations", customers_api.organizations)
api.add_router("/purchases", customers_api.purchases)
api.add_router("/segments", customers_api.segments)
api.add_router("/tickets", tickets_api.tickets)
api.add_router("/", tickets_api.other)
api.add_router("/search", search_router)
api.add_router("/staffing", staffing_router)
api.add_router("/sla", sla_router)
api.add_router("/sla", analytics_sla_router)
api.add_router("/automation", automation_router)
api.add_router("/routing", routing_router)
api.add_router("/notifications", notifications_router)
api.add_router("/mail", mail_router)
api.add_router("/analytics", analytics_router)
api.add_router("/surveys", surveys_router)
api.add_router("/custom-fields", custom_fields_router)
api.add_router("/kb", kb_router, auth=[TokenAuth(), SessionAuth(), anyone])
