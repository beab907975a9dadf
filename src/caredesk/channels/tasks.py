"""Jobs of the channels domain: sending the outbox and fetching mailboxes."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from caredesk.core.jobs import RETRY


@shared_task(acks_late=True, bind=True, **RETRY)
def outbox_deliver_task(self: Any, row_id: int) -> str:
    """Send one outbox row; if another worker holds it, the periodic job follows up."""
    from caredesk.channels.mail.outbound import outbox_deliver

    return outbox_deliver(row_id=row_id).outcome


@shared_task(acks_late=True, bind=True, **RETRY)
def agent_notice_task(self: Any, row_id: int) -> str:
    """Send one agent notice (channels.mail.notices)."""
    from caredesk.channels.mail.notices import notice_deliver

    return notice_deliver(row_id=row_id).outcome


@shared_task(acks_late=True, bind=True, **RETRY)
def messaging_deliver_task(self: Any, row_id: int) -> str:
    """Post one reply to its messaging channel (channels.messaging.outbound)."""
    from caredesk.channels.messaging.outbound import messaging_deliver

    return messaging_deliver(row_id=row_id).outcome


@shared_task(acks_late=True)
def outbox_due_task() -> int:
    """What is due of the customers' outbox (mail and messaging channels) and of the
    agent notices."""
    from caredesk.channels.mail.notices import notices_due
    from caredesk.channels.mail.outbound import outbox_due
    from caredesk.channels.messaging.outbound import messaging_due

    return outbox_due() + notices_due() + messaging_due()


@shared_task(acks_late=True)
def mail_fetch_task() -> int:
    """Fetch every active mailbox with an IMAP server, and finish anything a crash left."""
    from caredesk.channels.mail.fetch import mail_fetch_all
    from caredesk.channels.mail.inbound import mail_process_pending

    return mail_fetch_all() + mail_process_pending()
