"""Save and delete rules; the active rules of a trigger, parsed and cached."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from caredesk.accounts.enums import STAFF_ROLES
from caredesk.accounts.models import Team, User
from caredesk.automation.actions import Action, ActionError, actions_parse
from caredesk.automation.conditions import ConditionError, Conditions, conditions_parse
from caredesk.automation.errors import AutomationErrorCode
from caredesk.automation.models import Rule, Trigger, WebhookSubscription
from caredesk.core.cache import cache_clear_now_and_on_commit, cache_forget, cached
from caredesk.core.errors import ValidationFailed
from caredesk.routing.models import Skill
from caredesk.tickets.enums import Priority, TicketStatus, TicketType

RULE_FIELDS = frozenset(
    {"name", "description", "trigger", "conditions", "actions", "position", "active"}
)
CACHE_SECONDS = 60  # a change made elsewhere is seen within this even if a delete is lost
SET_FIELDS = {
    "status": tuple(TicketStatus.values),
    "priority": tuple(Priority.values),
    "type": tuple(TicketType.values),
}


@dataclass(frozen=True)
class ActiveRule:
    id: int
    name: str
    conditions: Conditions
    actions: tuple[Action, ...]


def _cache_key(trigger: str) -> str:
    return f"caredesk:automation:rules:{trigger}"


def rules_for(trigger: str) -> list[ActiveRule]:
    """The active rules of a trigger in their order, from the cache when it has them."""

    def load() -> list[ActiveRule]:
        rules = Rule.objects.filter(trigger=trigger, active=True).order_by("position", "id")
        return [
            ActiveRule(
                r.pk,
                r.name,
                conditions_parse(r.conditions),
                tuple(actions_parse(r.actions, set_fields=SET_FIELDS)),
            )
            for r in rules
        ]

    return cached(_cache_key(trigger), load, CACHE_SECONDS, local=True)


def rules_cache_clear() -> None:
    cache_forget(_cache_key(t) for t in Trigger.values)


def rule_check(*, trigger: str, conditions: Any, actions: Any) -> list[Action]:
    """Refuse a rule that could not run: unknown trigger, field, operator, value, or an
    action naming an agent, team, skill or webhook that does not exist."""
    if trigger not in Trigger.values:
        raise ValidationFailed(
            AutomationErrorCode.INVALID_TRIGGER,
            _("trigger must be one of %(choices)s.") % {"choices": ", ".join(Trigger.values)},
            field="trigger",
        )
    try:
        parsed_conditions = conditions_parse(conditions)
        parsed = actions_parse(actions, set_fields=SET_FIELDS)
    except ConditionError as exc:
        raise ValidationFailed(
            AutomationErrorCode.INVALID_CONDITIONS, str(exc), field="conditions"
        ) from None
    except ActionError as exc:
        raise ValidationFailed(
            AutomationErrorCode.INVALID_ACTIONS, str(exc), field="actions"
        ) from None
    if trigger == Trigger.TIME and not any(
        c.field.startswith("hours_") for c in parsed_conditions.items
    ):
        raise ValidationFailed(
            AutomationErrorCode.TIME_RULE_NEEDS_HOURS,
            _(
                "A time-based rule needs a condition on hours_in_status, "
                "hours_since_created or hours_since_updated."
            ),
            field="conditions",
        )
    for action in parsed:
        _references_check(action)
    return parsed


def _references_check(action: Action) -> None:
    staff = User.objects.filter(is_active=True, role__in=sorted(STAFF_ROLES))
    checks: dict[str, tuple[Any, str]] = {
        "assign": (staff, "active agent"),
        "notify": (staff, "active member of staff"),
        "route": (Team.objects.all(), "team"),
        "escalate": (Team.objects.all(), "team"),
        "webhook": (WebhookSubscription.objects.all(), "webhook"),
        "require_skills": (Skill.objects.all(), "skill"),
    }
    if action.type not in checks or not action.ids:
        return
    rows, what = checks[action.type]
    found = set(rows.filter(pk__in=action.ids).values_list("pk", flat=True))
    missing = [i for i in action.ids if i not in found]
    if missing:
        raise ValidationFailed(
            AutomationErrorCode.INVALID_ACTIONS,
            _("Action %(type)s: no %(what)s with id %(missing_0)s.")
            % {"type": action.type, "what": what, "missing_0": missing[0]},
            field="actions",
        )


@transaction.atomic
def rule_save(*, rule: Rule | None = None, **fields: Any) -> Rule:
    """Create a rule, or change the given fields of one; checked before it is saved."""
    rule = rule or Rule()
    for name, value in fields.items():
        if name not in RULE_FIELDS:
            raise ValidationFailed(
                AutomationErrorCode.UNKNOWN_FIELD,
                _("A rule has no field %(name)s.") % {"name": repr(name)},
                field=name,
            )
        setattr(rule, name, value)
    name = " ".join(str(rule.name or "").split())
    if not name or len(name) > 120:
        raise ValidationFailed(
            AutomationErrorCode.INVALID_NAME,
            _("A rule needs a name of at most 120 characters."),
            field="name",
        )
    rule.name = name
    rule_check(trigger=rule.trigger, conditions=rule.conditions, actions=rule.actions)
    rule.conditions = rule.conditions or {}
    rule.save()
    cache_clear_now_and_on_commit(rules_cache_clear)
    return rule


@transaction.atomic
def rule_delete(*, rule: Rule) -> None:
    rule.delete()
    cache_clear_now_and_on_commit(rules_cache_clear)
