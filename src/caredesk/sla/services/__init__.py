"""Put SLA clocks on tickets, move them with what happens, and record warnings and
breaches once, by stage: settings (policies.py), live clocks (clocks.py), many tickets
at once (sweep.py). The SLA reaction (sla/reactions.py) calls them; no signals."""

from caredesk.sla.services.clocks import sla_apply, sla_on_message, sla_on_status, sla_stop
from caredesk.sla.services.policies import (
    POLICIES_CACHE_KEY,
    POLICY_FIELDS,
    calendar_check,
    calendar_of,
    calendar_save,
    conditions_check,
    policy_for,
    policy_save,
)
from caredesk.sla.services.sweep import SlaEvent, SweepStats, sla_check, sla_sweep

__all__ = [
    "POLICIES_CACHE_KEY",
    "POLICY_FIELDS",
    "SlaEvent",
    "SweepStats",
    "calendar_check",
    "calendar_of",
    "calendar_save",
    "conditions_check",
    "policy_for",
    "policy_save",
    "sla_apply",
    "sla_check",
    "sla_on_message",
    "sla_on_status",
    "sla_stop",
    "sla_sweep",
]
