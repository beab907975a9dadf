"""Segment rules: a saved filter over customers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.db.models import Q
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from caredesk.core.errors import ValidationFailed
from caredesk.customers.errors import CustomerErrorCode

LifecycleName = Literal["potential", "existing", "former"]


class SegmentRules(BaseModel):
    """All given conditions must hold (AND); a list means any of its values (OR)."""

    model_config = ConfigDict(extra="forbid")

    lifecycle: list[LifecycleName] | None = None
    min_lifetime_value: Decimal | None = Field(default=None, ge=0)
    max_lifetime_value: Decimal | None = Field(default=None, ge=0)
    organization_ids: list[int] | None = None
    organization_kind: Literal["internal", "external"] | None = None
    custom_fields: dict[str, str | int | float | bool] | None = None


def rules_parse(raw: object) -> SegmentRules:
    try:
        return SegmentRules.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ValidationFailed(
            CustomerErrorCode.INVALID_SEGMENT,
            _("Invalid segment rule %(where)s: %(first_msg)s")
            % {"where": where, "first_msg": first["msg"]},
            field=f"rules.{where}",
        ) from None


def lifecycle_q(kinds: list[str], *, now: dt.datetime, window_days: int) -> Q:
    cutoff = now - dt.timedelta(days=window_days)
    q = Q(pk__in=[])
    if "potential" in kinds:
        q |= Q(last_purchase_at__isnull=True)
    if "existing" in kinds:
        q |= Q(last_purchase_at__gte=cutoff)
    if "former" in kinds:
        q |= Q(last_purchase_at__lt=cutoff)
    return q


def rules_q(rules: SegmentRules, *, now: dt.datetime, window_days: int) -> Q:
    """The rules as one Q over Customer."""
    q = Q()
    if rules.lifecycle is not None:
        q &= lifecycle_q(list(rules.lifecycle), now=now, window_days=window_days)
    if rules.min_lifetime_value is not None:
        q &= Q(lifetime_value__gte=rules.min_lifetime_value)
    if rules.max_lifetime_value is not None:
        q &= Q(lifetime_value__lte=rules.max_lifetime_value)
    if rules.organization_ids is not None:
        q &= Q(organization_id__in=rules.organization_ids)
    if rules.organization_kind is not None:
        q &= Q(organization__kind=rules.organization_kind)
    for key, value in (rules.custom_fields or {}).items():
        q &= Q(**{f"custom_fields__{key}": value})
    return q
