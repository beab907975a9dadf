"""Webhook signing and the address guard (pure; DNS of literal addresses only)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from caredesk.core.webhook_http import (
    AddressRefused,
    address_allowed,
    resolve,
    signature,
    url_check,
)


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    body = b'{"event":"ticket.created"}'
    expected = hmac.new(b"s3cret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert signature("s3cret", "1700000000", body) == f"sha256={expected}"
    assert signature("other", "1700000000", body) != signature("s3cret", "1700000000", body)


@pytest.mark.parametrize(
    ("ip", "allowed"),
    [
        ("93.184.215.14", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),  # noqa: S104  # an address under test, not a binding
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4 inside IPv6
    ],
)
def test_address_allowed(ip: str, allowed: bool) -> None:
    assert address_allowed(ip) is allowed


def test_resolve_refuses_private_unless_allowed() -> None:
    with pytest.raises(AddressRefused, match="private"):
        resolve("127.0.0.1", 80, allow_private=False)
    assert resolve("127.0.0.1", 80, allow_private=True) == "127.0.0.1"


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/x", "http://", "https://user:pw@example.com/", "http://example.com:99999/"],
)
def test_url_check_refuses(url: str) -> None:
    with pytest.raises(AddressRefused):
        url_check(url)
