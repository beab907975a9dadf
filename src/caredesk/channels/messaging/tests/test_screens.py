"""The messaging channels' admin screen: admins only, the secret shown once, rotation."""

from __future__ import annotations

import pytest
from django.test import Client

from caredesk.accounts.enums import Role
from caredesk.accounts.factories import UserFactory
from caredesk.channels.messaging.tests.conftest import message, post_signed
from caredesk.channels.models import MessagingChannel
from caredesk.core.testing import signed_in
from caredesk.customers.factories import customer_user

pytestmark = pytest.mark.django_db

SCREEN = "/manage/messaging-channels/"


def test_only_admins_open_the_screen() -> None:
    assert signed_in(UserFactory(role=Role.ADMIN)).get(SCREEN).status_code == 200
    for user in (UserFactory(role=Role.SUPERVISOR), UserFactory(role=Role.AGENT), customer_user()):
        assert signed_in(user).get(SCREEN).status_code == 403
    assert Client().get(SCREEN).status_code == 302


def test_an_admin_adds_a_channel_sees_its_secret_once_and_rotates_it() -> None:
    client = signed_in(UserFactory(role=Role.ADMIN))
    private = client.post(
        SCREEN, {"name": "Chat app", "adapter": "generic", "outbound_url": "http://127.0.0.1:9/x"}
    )
    assert private.status_code == 422
    assert b"private" in private.content
    no_token = client.post(SCREEN, {"name": "SMS", "adapter": "sms_form"})
    assert no_token.status_code == 422
    assert not MessagingChannel.objects.exists()

    saved = client.post(
        SCREEN,
        {
            "name": "Chat app",
            "adapter": "generic",
            "outbound_url": "http://127.0.0.1:9/x",
            "allow_private": "on",
            "active": "on",
        },
        follow=True,
    )
    channel = MessagingChannel.objects.get()
    assert channel.key.startswith("mc_")
    assert len(channel.secret) == 64
    assert channel.secret.encode() in saved.content
    page = client.get(f"{SCREEN}{channel.pk}/")
    assert page.status_code == 200
    assert channel.secret.encode() not in page.content
    assert f"/api/v1/channels/{channel.key}/inbound".encode() in page.content

    old = channel.secret
    rotated = client.post(f"{SCREEN}{channel.pk}/rotate", follow=True)
    channel.refresh_from_db()
    assert channel.secret != old
    assert channel.secret.encode() in rotated.content
    assert post_signed(channel, message("a", "hi"), secret=old).status_code == 401
    assert post_signed(channel, message("a", "hi")).status_code == 200
    assert (
        signed_in(UserFactory(role=Role.AGENT)).post(f"{SCREEN}{channel.pk}/rotate").status_code
        == 403
    )
    assert client.post(f"{SCREEN}999999/rotate").status_code == 404
