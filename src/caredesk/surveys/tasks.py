"""Jobs of the surveys domain: sending invitations and running NPS campaigns."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from caredesk.core.jobs import RETRY


@shared_task(acks_late=True, bind=True, **RETRY)
def survey_deliver_task(self: Any, invitation_id: int) -> str:
    """Send one invitation; if another worker holds it, the periodic job follows up."""
    from caredesk.surveys.delivery import survey_deliver

    return survey_deliver(invitation_id=invitation_id).outcome


@shared_task(acks_late=True)
def surveys_due_task() -> int:
    """Invitations due (first tries that were missed, and retries), then the NPS
    campaigns whose time has come."""
    from caredesk.surveys.delivery import surveys_due
    from caredesk.surveys.services import campaigns_run

    return surveys_due() + campaigns_run()
