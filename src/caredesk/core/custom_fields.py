"""Validate custom-field values against their definitions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from caredesk.core.cache import cached
from caredesk.core.errors import ValidationFailed
from caredesk.core.models import CustomField, CustomFieldEntity, CustomFieldType

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
        raise ValidationFailed("invalid_custom_fields", "custom_fields must be an object.")
    definitions = _definitions(entity)
    result = dict(current or {})
    for key, value in values.items():
        if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
            raise ValidationFailed("invalid_custom_fields", f"Invalid custom field key {key!r}.")
        if value is None:
            result.pop(key, None)
            continue
        definition = definitions.get(key)
        result[key] = _check(key, value, definition)
    for key, definition in definitions.items():
        if definition.required and key not in result:
            raise ValidationFailed(
                "custom_field_required",
                f"Custom field {key!r} is required.",
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
            raise ValidationFailed("invalid_custom_field", f"{key} must be a number.", field=where)
        return value
    if kind == CustomFieldType.BOOLEAN:
        if not isinstance(value, bool):
            raise ValidationFailed(
                "invalid_custom_field", f"{key} must be true or false.", field=where
            )
        return value
    if kind == CustomFieldType.DATE:
        try:
            return dt.date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValidationFailed(
                "invalid_custom_field", f"{key} must be a date (YYYY-MM-DD).", field=where
            ) from None
    if kind == CustomFieldType.CHOICE:
        assert definition is not None
        if value not in definition.choices:
            raise ValidationFailed(
                "invalid_custom_field",
                f"{key} must be one of {', '.join(map(str, definition.choices))}.",
                field=where,
            )
        return value
    if not isinstance(value, str | int | float | bool):
        raise ValidationFailed(
            "invalid_custom_field", f"{key} must be a scalar value.", field=where
        )
    if isinstance(value, str) and len(value) > MAX_TEXT_LENGTH:
        raise ValidationFailed("invalid_custom_field", f"{key} is too long.", field=where)
    return value
