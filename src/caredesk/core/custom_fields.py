"""Custom fields: the one service that checks and saves their definitions (the admin
screen, Django admin and the API), and the check of values against them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils.translation import gettext as _

from caredesk.core.cache import cached
from caredesk.core.errors import CoreErrorCode, ValidationFailed
from caredesk.core.models import CustomField, CustomFieldEntity, CustomFieldType
from caredesk.core.validation import save_unique

MAX_KEY_LENGTH = 64
MAX_TEXT_LENGTH = 10_000


def custom_fields_clean(
    *, entity: str, values: dict[str, Any], current: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Return ``current`` updated with ``values``, each checked against its definition.

    Keys without a definition are kept as free-form text so that imported data is never
    lost; a value of ``None`` removes the key.
    """
    if not isinstance(values, dict):
        raise ValidationFailed(
            CoreErrorCode.INVALID_CUSTOM_FIELDS, _("custom_fields must be an object.")
        )
    definitions = _definitions(entity)
    result = dict(current or {})
    for key, value in values.items():
        if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
            raise ValidationFailed(
                CoreErrorCode.INVALID_CUSTOM_FIELDS,
                _("Invalid custom field key %(key)s.") % {"key": repr(key)},
            )
        if value is None:
            result.pop(key, None)
            continue
        definition = definitions.get(key)
        result[key] = _check(key, value, definition)
    for key, definition in definitions.items():
        if definition.required and key not in result:
            raise ValidationFailed(
                CoreErrorCode.CUSTOM_FIELD_REQUIRED,
                _("Custom field %(key)s is required.") % {"key": repr(key)},
                field=f"custom_fields.{key}",
            )
    return result


def _cache_key(entity: str) -> str:
    return f"caredesk:custom-fields:{entity}"


def definitions_cache_keys() -> list[str]:
    return [_cache_key(e) for e in CustomFieldEntity.values]


def _definitions(entity: str) -> dict[str, CustomField]:
    """The definitions of an entity's fields by key; cached, and dropped when one
    changes (see CoreConfig.ready)."""
    return cached(
        _cache_key(entity), lambda: {f.key: f for f in CustomField.objects.filter(entity=entity)}
    )


def _check(key: str, value: Any, definition: CustomField | None) -> Any:
    kind = definition.field_type if definition else None
    where = f"custom_fields.{key}"
    if kind == CustomFieldType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationFailed(
                CoreErrorCode.INVALID_CUSTOM_FIELD,
                _("%(key)s must be a number.") % {"key": key},
                field=where,
            )
        return value
    if kind == CustomFieldType.BOOLEAN:
        if not isinstance(value, bool):
            raise ValidationFailed(
                CoreErrorCode.INVALID_CUSTOM_FIELD,
                _("%(key)s must be true or false.") % {"key": key},
                field=where,
            )
        return value
    if kind == CustomFieldType.DATE:
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValidationFailed(
                CoreErrorCode.INVALID_CUSTOM_FIELD,
                _("%(key)s must be a date (YYYY-MM-DD).") % {"key": key},
                field=where,
            ) from None
    if kind == CustomFieldType.CHOICE:
        assert definition is not None
        if value not in definition.choices:
            raise ValidationFailed(
                CoreErrorCode.INVALID_CUSTOM_FIELD,
                _("%(key)s must be one of %(choices)s.")
                % {
                    "key": key,
                    "choices": ", ".join(map(str, definition.choices)),
                },
                field=where,
            )
        return value
    if not isinstance(value, str | int | float | bool):
        raise ValidationFailed(
            CoreErrorCode.INVALID_CUSTOM_FIELD,
            _("%(key)s must be a scalar value.") % {"key": key},
            field=where,
        )
    if isinstance(value, str) and len(value) > MAX_TEXT_LENGTH:
        raise ValidationFailed(
            CoreErrorCode.INVALID_CUSTOM_FIELD,
            _("%(key)s is too long.") % {"key": key},
            field=where,
        )
    return value


KEY = re.compile(r"^[a-z][a-z0-9_]*$")
FIELD_NAMES = ("entity", "key", "label", "field_type", "choices", "required", "position")


def custom_field_check(data: dict[str, Any]) -> dict[str, Any]:
    """A custom-field definition, checked: the entity and type caredesk knows, a key of
    lower-case letters, digits and _, a label, and for a choice field its distinct
    choices."""
    checked = dict(data)
    if checked.get("entity") not in CustomFieldEntity.values:
        raise ValidationFailed(
            CoreErrorCode.INVALID_ENTITY,
            _("entity must be one of %(choices)s.")
            % {"choices": ", ".join(CustomFieldEntity.values)},
            field="entity",
        )
    key = str(checked.get("key") or "").strip()
    if not KEY.match(key) or len(key) > MAX_KEY_LENGTH:
        raise ValidationFailed(
            CoreErrorCode.INVALID_KEY,
            _(
                "key: lower-case letters, digits and _, starting with a letter, at most "
                "%(MAX_KEY_LENGTH)s characters."
            )
            % {"MAX_KEY_LENGTH": MAX_KEY_LENGTH},
            field="key",
        )
    label = " ".join(str(checked.get("label") or "").split())
    if not label or len(label) > 120:
        raise ValidationFailed(
            CoreErrorCode.INVALID_LABEL, _("A label of 1 to 120 characters."), field="label"
        )
    kind = checked.get("field_type") or CustomFieldType.TEXT
    if kind not in CustomFieldType.values:
        raise ValidationFailed(
            CoreErrorCode.INVALID_FIELD_TYPE,
            _("field_type must be one of %(choices)s.")
            % {"choices": ", ".join(CustomFieldType.values)},
            field="field_type",
        )
    choices = checked.get("choices") or []
    if not isinstance(choices, list) or not all(isinstance(c, str) and c.strip() for c in choices):
        raise ValidationFailed(
            CoreErrorCode.INVALID_CHOICES, _("choices is a list of texts."), field="choices"
        )
    choices = [c.strip() for c in choices]
    if kind == CustomFieldType.CHOICE and (not choices or len(set(choices)) != len(choices)):
        raise ValidationFailed(
            CoreErrorCode.INVALID_CHOICES,
            _("A choice field needs its choices, each once."),
            field="choices",
        )
    if kind != CustomFieldType.CHOICE and choices:
        raise ValidationFailed(
            CoreErrorCode.INVALID_CHOICES, _("Only a choice field has choices."), field="choices"
        )
    position = checked.get("position") or 0
    if isinstance(position, bool) or not isinstance(position, int) or position < 0:
        raise ValidationFailed(
            CoreErrorCode.INVALID_POSITION, _("position is a whole number ≥ 0."), field="position"
        )
    return {
        **checked,
        "key": key,
        "label": label,
        "field_type": kind,
        "choices": choices,
        "required": bool(checked.get("required")),
        "position": position,
    }


def custom_field_save(*, field: CustomField | None, data: dict[str, Any]) -> CustomField:
    """Create a definition (``field`` None) or change one; a key taken on the same entity
    is refused. The hot paths' cached definitions are cleared on save (core.apps)."""
    checked = custom_field_check(data)
    row = field or CustomField()
    for name in FIELD_NAMES:
        setattr(row, name, checked[name])
    return save_unique(
        row,
        taken=lambda: ValidationFailed(
            CoreErrorCode.KEY_TAKEN,
            _("A %(entity)s field with the key %(key)s exists.")
            % {"entity": row.entity, "key": repr(row.key)},
            field="key",
        ),
    )


def custom_field_delete(*, field: CustomField) -> None:
    """Remove a definition; the values stored under its key stay as free-form text."""
    field.delete()
