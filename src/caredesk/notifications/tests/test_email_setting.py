"""A member of staff turns the emails of their tickets' customer messages on and off."""

from __future__ import annotations

import pytest

from caredesk.accounts.factories import UserFactory
from caredesk.core.testing import signed_in
from caredesk.customers.factories import customer_user

pytestmark = pytest.mark.django_db


def test_staff_turn_email_notifications_on_and_off_and_customers_cannot() -> None:
    agent = UserFactory()
    me = signed_in(agent)
    page = me.get("/notifications/").content.decode()
    assert 'name="enabled"' in page
    assert " checked" not in page
    me.post("/notifications/email", {"enabled": "on"})
    agent.refresh_from_db()
    assert agent.email_notifications
    assert " checked" in me.get("/notifications/").content.decode()
    me.post("/notifications/email", {})
    agent.refresh_from_db()
    assert not agent.email_notifications
    assert signed_in(customer_user()).post(
        "/notifications/email", {"enabled": "on"}
    ).status_code in (
        302,
        403,
    )
    assert me.get("/notifications/email").status_code == 405
