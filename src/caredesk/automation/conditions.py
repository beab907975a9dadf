"""A rule's conditions: parsed once (with a clear message for a bad one), then checked
against the facts of a ticket and its event. Framework-free: imports nothing from Django.

The form, in JSON::

    {"match": "all" | "any",
     "conditions": [{"field": "priority", "op": "is", "value": "urgent"}, ...]}

No conditions means the rule applies to every ticket of its trigger.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TEXT, NUMBER, LIST = "text", "number", "list"

# The facts a condition can look at, and their kind.
FIELDS: dict[str, str] = {
    "status": TEXT,
    "priority": TEXT,
    "type": TEXT,
    "channel": TEXT,
    "subject": TEXT,
    "team": TEXT,
    "assignee": TEXT,
    "organization": TEXT,
    "requester.email": TEXT,
    "customer.lifecycle": TEXT,
    "customer.segments": LIST,
    "tags": LIST,
    "actor": TEXT,  # who caused the event: customer, agent, system
    "message.text": TEXT,
    # mail that no person sent: "auto_submitted" (Auto-Submitted, a null return path) or
    # "bulk" (lists, newsletters); empty for a person's message
    "message.automatic": TEXT,
    "hours_since_created": NUMBER,
    "hours_since_updated": NUMBER,
    "hours_in_status": NUMBER,
    "sla.target": TEXT,
    "survey.kind": TEXT,
    "survey.score": NUMBER,
}
CUSTOM_PREFIX = "custom_fields."

OPS_BY_KIND: dict[str, frozenset[str]] = {
    TEXT: frozenset(
        {"is", "is_not", "in", "not_in", "contains", "not_contains", "starts_with", "is_set"}
        | {"not_set", "changed", "changed_to", "changed_from"}
    ),
    NUMBER: frozenset({"is", "is_not", "gt", "gte", "lt", "lte", "is_set", "not_set"}),
    LIST: frozenset({"contains", "not_contains", "is_set", "not_set", "changed"}),
}
# Operators that take no value, and those that take a list of values.
NO_VALUE = frozenset({"is_set", "not_set", "changed"})
MANY_VALUES = frozenset({"in", "not_in"})
MAX_CONDITIONS = 50


class ConditionError(ValueError):
    """A condition that cannot be checked; the message says which and why."""


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class Conditions:
    match: str  # "all" or "any"
    items: tuple[Condition, ...]


def field_kind(name: str) -> str:
    if name in FIELDS:
        return FIELDS[name]
    if name.startswith(CUSTOM_PREFIX) and len(name) > len(CUSTOM_PREFIX):
        return TEXT
    raise ConditionError(
        f"Unknown field {name!r}; use one of {', '.join(FIELDS)} or custom_fields.<key>."
    )


def conditions_parse(raw: object) -> Conditions:
    """Check the JSON form and return it parsed; ConditionError says what is wrong."""
    if raw in (None, {}, []):
        return Conditions("all", ())
    if not isinstance(raw, Mapping):
        raise ConditionError('Conditions must be an object: {"match": …, "conditions": […]}.')
    match = raw.get("match", "all")
    if match not in ("all", "any"):
        raise ConditionError('"match" must be "all" or "any".')
    items = raw.get("conditions", [])
    if not isinstance(items, list):
        raise ConditionError('"conditions" must be a list.')
    if len(items) > MAX_CONDITIONS:
        raise ConditionError(f"At most {MAX_CONDITIONS} conditions.")
    return Conditions(match, tuple(_condition(i, item) for i, item in enumerate(items, 1)))


def _condition(number: int, item: object) -> Condition:
    where = f"Condition {number}"
    if not isinstance(item, Mapping):
        raise ConditionError(f'{where} must be an object with "field", "op" and "value".')
    name, op = item.get("field"), item.get("op")
    if not isinstance(name, str):
        raise ConditionError(f'{where} needs a "field".')
    kind = field_kind(name)
    if op not in OPS_BY_KIND[kind]:
        raise ConditionError(
            f"{where}: {name} takes the operators {', '.join(sorted(OPS_BY_KIND[kind]))}."
        )
    if op in NO_VALUE:
        return Condition(name, op)
    if "value" not in item:
        raise ConditionError(f'{where} needs a "value".')
    value = item["value"]
    if op in MANY_VALUES:
        if not isinstance(value, list) or not value:
            raise ConditionError(f"{where}: {op} takes a non-empty list of values.")
        return Condition(name, op, tuple(_scalar(where, kind, v) for v in value))
    return Condition(name, op, _scalar(where, kind, value))


def _scalar(where: str, kind: str, value: object) -> Any:
    if kind == NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConditionError(f"{where}: the value must be a number.")
        return float(value)
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise ConditionError(f"{where}: the value must be text.")
    return str(value).strip().lower()


def conditions_match(conditions: Conditions, facts: Mapping[str, Any]) -> bool:
    """Whether the facts satisfy the conditions. ``facts["changed"]`` maps each field the
    event changed to its (old, new) pair."""
    if not conditions.items:
        return True
    results = (condition_holds(c, facts) for c in conditions.items)
    return all(results) if conditions.match == "all" else any(results)


def condition_holds(condition: Condition, facts: Mapping[str, Any]) -> bool:
    kind = field_kind(condition.field)
    op, want = condition.op, condition.value
    changed: Mapping[str, tuple[Any, Any]] = facts.get("changed", {})
    if op == "changed":
        return condition.field in changed
    if op in ("changed_to", "changed_from"):
        if condition.field not in changed:
            return False
        old, new = changed[condition.field]
        return bool(_text(new if op == "changed_to" else old) == want)
    value = facts.get(condition.field)
    if op == "is_set":
        return _present(value)
    if op == "not_set":
        return not _present(value)
    if kind == LIST:
        members = {_text(v) for v in value or ()}
        return bool(want in members) == (op == "contains")
    if kind == NUMBER:
        return _compare_number(op, value, want)
    text = _text(value)
    if op == "is":
        return bool(text == want)
    if op == "is_not":
        return bool(text != want)
    if op in ("in", "not_in"):
        return bool(text in want) == (op == "in")
    if op in ("contains", "not_contains"):
        return (str(want) in text) == (op == "contains")
    return text.startswith(str(want))


def _compare_number(op: str, value: Any, want: float) -> bool:
    if value is None or isinstance(value, bool):
        return op == "is_not"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return op == "is_not"
    results = {
        "is": number == want,
        "is_not": number != want,
        "gt": number > want,
        "gte": number >= want,
        "lt": number < want,
        "lte": number <= want,
    }
    return results[op]


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str | list | tuple | set | frozenset | dict):
        return len(value) > 0
    return True


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip().lower()
