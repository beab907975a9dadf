"""A rule's actions: their JSON form checked and parsed. Framework-free; whether a team,
agent, skill or webhook with that id exists is checked by the service that saves the
rule, and the actions are carried out by automation.services.

    [{"type": "set", "field": "priority", "value": "urgent"},
     {"type": "add_tags", "tags": ["vip"]},
     {"type": "notify", "to": "team", "text": "VIP ticket {{ticket.id}}"}]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

NOTIFY_TO = ("assignee", "team", "supervisors", "user")
TYPES = (
    "set",
    "assign",
    "unassign",
    "route",
    "add_tags",
    "remove_tags",
    "note",
    "notify",
    "reply",
    "webhook",
    "escalate",
    "require_skills",
)
MAX_ACTIONS = 20
MAX_TEXT = 10_000


class ActionError(ValueError):
    """An action that cannot be carried out; the message says which and why."""


@dataclass(frozen=True)
class Action:
    type: str
    field: str = ""
    value: str = ""
    ids: tuple[int, ...] = ()  # agent, team, webhook, user or skill ids
    tags: tuple[str, ...] = ()
    text: str = ""
    to: str = ""

    def describe(self) -> str:
        """One line for the ticket's history and the rule log."""
        if self.type == "set":
            return f"set {self.field} to {self.value}"
        if self.type in ("add_tags", "remove_tags"):
            return f"{self.type.replace('_', ' ')} {', '.join(self.tags)}"
        if self.type == "notify":
            return f"notify {self.to}"
        if self.type == "escalate":
            return "escalate" + (f" (priority {self.value})" if self.value else "")
        return self.type.replace("_", " ")


def actions_parse(raw: object, *, set_fields: Mapping[str, tuple[str, ...]]) -> list[Action]:
    """Check the JSON list of actions; ``set_fields`` gives the fields a "set" may change
    and their allowed values. ActionError says what is wrong."""
    if not isinstance(raw, list) or not raw:
        raise ActionError("A rule needs a list of at least one action.")
    if len(raw) > MAX_ACTIONS:
        raise ActionError(f"At most {MAX_ACTIONS} actions per rule.")
    return [_action(i, item, set_fields) for i, item in enumerate(raw, 1)]


def _action(number: int, item: object, set_fields: Mapping[str, tuple[str, ...]]) -> Action:
    where = f"Action {number}"
    if not isinstance(item, Mapping):
        raise ActionError(f'{where} must be an object with a "type".')
    kind = item.get("type")
    if kind not in TYPES:
        raise ActionError(f"{where}: type must be one of {', '.join(TYPES)}.")
    if kind == "set":
        name, value = str(item.get("field")), item.get("value")
        if name not in set_fields:
            raise ActionError(f"{where}: set works on {', '.join(set_fields)}.")
        if value not in set_fields[name]:
            raise ActionError(f"{where}: {name} must be one of {', '.join(set_fields[name])}.")
        return Action("set", field=name, value=str(value))
    if kind == "unassign":
        return Action("unassign")
    if kind == "assign":
        return Action("assign", ids=(_id(where, item, "agent"),))
    if kind == "route":
        return Action("route", ids=(_id(where, item, "team"),))
    if kind == "webhook":
        return Action("webhook", ids=(_id(where, item, "webhook"),))
    if kind in ("add_tags", "remove_tags"):
        tags = item.get("tags")
        if not isinstance(tags, list) or not tags or not all(isinstance(t, str) for t in tags):
            raise ActionError(f"{where}: tags must be a non-empty list of names.")
        return Action(kind, tags=tuple(tags))
    if kind in ("note", "reply"):
        return Action(kind, text=_text(where, item, required=True))
    if kind == "notify":
        to = item.get("to")
        if to not in NOTIFY_TO:
            raise ActionError(f"{where}: to must be one of {', '.join(NOTIFY_TO)}.")
        ids = (_id(where, item, "user"),) if to == "user" else ()
        return Action("notify", to=to, ids=ids, text=_text(where, item, required=True))
    if kind == "escalate":
        priority = item.get("priority", "")
        if priority and priority not in set_fields["priority"]:
            raise ActionError(
                f"{where}: priority must be one of {', '.join(set_fields['priority'])}."
            )
        return Action(
            "escalate",
            ids=(_id(where, item, "team"),),
            value=priority,
            text=_text(where, item, required=False),
        )
    skills = item.get("skills")
    if not isinstance(skills, list) or not skills or not all(_is_id(s) for s in skills):
        raise ActionError(f"{where}: skills must be a non-empty list of skill ids.")
    return Action("require_skills", ids=tuple(int(s) for s in skills if isinstance(s, int)))


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _id(where: str, item: Mapping[str, Any], key: str) -> int:
    value = item.get(key)
    if not isinstance(value, int) or not _is_id(value):
        raise ActionError(f"{where} needs {key!r}: the id of a {key}.")
    return value


def _text(where: str, item: Mapping[str, Any], *, required: bool) -> str:
    value = item.get("text", "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise ActionError(f"{where} needs a text.")
    if len(value) > MAX_TEXT:
        raise ActionError(f"{where}: the text is longer than {MAX_TEXT} characters.")
    return value
