"""The pure condition and action parsers: no database."""

from __future__ import annotations

import pytest

from caredesk.automation.actions import ActionError, actions_parse
from caredesk.automation.conditions import ConditionError, conditions_match, conditions_parse

SET_FIELDS = {"priority": ("low", "normal", "high", "urgent"), "status": ("open", "solved")}


def test_all_and_any() -> None:
    raw = {
        "match": "all",
        "conditions": [
            {"field": "priority", "op": "in", "value": ["high", "Urgent"]},
            {"field": "tags", "op": "contains", "value": "VIP"},
        ],
    }
    facts = {"priority": "urgent", "tags": ["vip", "billing"]}
    assert conditions_match(conditions_parse(raw), facts)
    assert not conditions_match(conditions_parse(raw), {**facts, "tags": ["billing"]})
    assert conditions_match(conditions_parse({**raw, "match": "any"}), {**facts, "tags": []})


def test_no_conditions_match_everything() -> None:
    assert conditions_match(conditions_parse({}), {})
    assert conditions_match(conditions_parse(None), {"status": "new"})


@pytest.mark.parametrize(
    ("op", "value", "fact", "expected"),
    [
        ("gte", 72, 72.0, True),
        ("gte", 72, 71.9, False),
        ("gt", 72, 72.0, False),
        ("lt", 2, 1.5, True),
        ("lte", 2, None, False),  # no value is not "less than"
        ("is_not", 3, None, True),
    ],
)
def test_numbers(op: str, value: float, fact: float | None, expected: bool) -> None:
    raw = {"conditions": [{"field": "hours_in_status", "op": op, "value": value}]}
    assert conditions_match(conditions_parse(raw), {"hours_in_status": fact}) is expected


def test_text_is_case_and_space_insensitive_and_contains_searches() -> None:
    parsed = conditions_parse(
        {
            "conditions": [
                {"field": "subject", "op": "contains", "value": "Refund"},
                {"field": "requester.email", "op": "is", "value": " Ann@Example.org "},
            ]
        }
    )
    assert conditions_match(
        parsed, {"subject": "I want a REFUND now", "requester.email": "ann@example.org"}
    )
    assert not conditions_match(parsed, {"subject": "Thanks", "requester.email": "ann@example.org"})


def test_changed_to_and_from_look_at_the_event() -> None:
    to_urgent = conditions_parse(
        {"conditions": [{"field": "priority", "op": "changed_to", "value": "urgent"}]}
    )
    assert conditions_match(to_urgent, {"changed": {"priority": ("normal", "urgent")}})
    assert not conditions_match(to_urgent, {"changed": {"priority": ("urgent", "low")}})
    assert not conditions_match(to_urgent, {"changed": {}, "priority": "urgent"})
    changed = conditions_parse({"conditions": [{"field": "status", "op": "changed"}]})
    assert conditions_match(changed, {"changed": {"status": ("new", "open")}})


def test_set_and_custom_fields() -> None:
    parsed = conditions_parse(
        {"conditions": [{"field": "custom_fields.plan", "op": "is", "value": "gold"}]}
    )
    assert conditions_match(parsed, {"custom_fields.plan": "Gold"})
    assert not conditions_match(parsed, {"custom_fields.plan": None})
    unset = conditions_parse({"conditions": [{"field": "assignee", "op": "not_set"}]})
    assert conditions_match(unset, {"assignee": ""})
    assert not conditions_match(unset, {"assignee": "a@example.com"})


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([1], "must be an object"),
        ({"match": "most"}, '"match" must be'),
        ({"conditions": [{"field": "colour", "op": "is", "value": "red"}]}, "Unknown field"),
        ({"conditions": [{"field": "priority", "op": "gt", "value": "x"}]}, "operators"),
        ({"conditions": [{"field": "hours_in_status", "op": "gt", "value": "3"}]}, "number"),
        ({"conditions": [{"field": "priority", "op": "in", "value": []}]}, "non-empty list"),
        ({"conditions": [{"field": "priority", "op": "is"}]}, "needs a"),
    ],
)
def test_bad_conditions_say_what_is_wrong(raw: object, message: str) -> None:
    with pytest.raises(ConditionError, match=message):
        conditions_parse(raw)


def test_actions_parse_and_describe() -> None:
    actions = actions_parse(
        [
            {"type": "set", "field": "priority", "value": "urgent"},
            {"type": "add_tags", "tags": ["vip"]},
            {"type": "notify", "to": "user", "user": 3, "text": "Look at {{ticket.id}}"},
            {"type": "escalate", "team": 2, "priority": "high"},
        ],
        set_fields=SET_FIELDS,
    )
    assert [a.describe() for a in actions] == [
        "set priority to urgent",
        "add tags vip",
        "notify user",
        "escalate (priority high)",
    ]
    assert actions[2].ids == (3,)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "at least one action"),
        ([{"type": "explode"}], "type must be one of"),
        ([{"type": "set", "field": "subject", "value": "x"}], "set works on"),
        ([{"type": "set", "field": "priority", "value": "extreme"}], "must be one of"),
        ([{"type": "assign", "agent": "7"}], "the id of a agent"),
        ([{"type": "assign", "agent": True}], "the id of a agent"),
        ([{"type": "notify", "to": "everyone", "text": "x"}], "to must be one of"),
        ([{"type": "note", "text": "  "}], "needs a text"),
        ([{"type": "require_skills", "skills": []}], "skill ids"),
    ],
)
def test_bad_actions_say_what_is_wrong(raw: object, message: str) -> None:
    with pytest.raises(ActionError, match=message):
        actions_parse(raw, set_fields=SET_FIELDS)
