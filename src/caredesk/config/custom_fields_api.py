"""Custom-field definitions over JSON (admins write, staff read), through the one
service in core.custom_fields."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from caredesk.accounts.gates import admin_actor, staff_actor
from caredesk.core.api import found_or_404
from caredesk.core.custom_fields import custom_field_delete, custom_field_save
from caredesk.core.models import CustomField
from caredesk.core.schemas import InputSchema

router = Router(tags=["custom fields"])


class CustomFieldIn(InputSchema):
    entity: str = Field(..., examples=["ticket"])
    key: str = Field(..., min_length=1, max_length=64, examples=["contract_tier"])
    label: str = Field(..., min_length=1, max_length=120)
    field_type: str = Field("text", examples=["choice"])
    choices: list[str] = Field(default_factory=list, max_length=500)
    required: bool = False
    position: int = Field(0, ge=0, le=100_000)


class CustomFieldOut(Schema):
    id: int
    entity: str
    key: str
    label: str
    field_type: str
    choices: list[str]
    required: bool
    position: int


def _field(field_id: int) -> CustomField:
    return found_or_404(CustomField.objects.all(), field_id, "custom field")


@router.get("", response=list[CustomFieldOut])
def custom_fields(request: HttpRequest, entity: str | None = None) -> list[CustomField]:
    staff_actor(request)
    rows = CustomField.objects.order_by("entity", "position", "key")
    return list(rows.filter(entity=entity) if entity else rows)


@router.post("", response={201: CustomFieldOut})
def custom_field_create(request: HttpRequest, body: CustomFieldIn) -> Status[CustomField]:
    admin_actor(request)
    return Status(201, custom_field_save(field=None, data=body.model_dump()))


@router.put("/{field_id}", response=CustomFieldOut)
def custom_field_replace(request: HttpRequest, field_id: int, body: CustomFieldIn) -> CustomField:
    admin_actor(request)
    return custom_field_save(field=_field(field_id), data=body.model_dump())


@router.delete("/{field_id}", response={204: None})
def custom_field_remove(request: HttpRequest, field_id: int) -> Status[None]:
    admin_actor(request)
    custom_field_delete(field=_field(field_id))
    return Status(204, None)
