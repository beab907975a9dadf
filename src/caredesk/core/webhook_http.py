"""Send a webhook: refuse addresses inside the network unless allowed, pin the checked
address for the connection (so a second DNS answer cannot swap it), sign the body.
Framework-free."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

SIGNATURE_HEADER = "X-Caredesk-Signature"
TIMESTAMP_HEADER = "X-Caredesk-Timestamp"
EVENT_HEADER = "X-Caredesk-Event"
DELIVERY_HEADER = "X-Caredesk-Delivery"
# seconds between tries of a webhook post: a minute, then up to twelve hours
BACKOFF = (60, 300, 1800, 7200, 21600, 43200)


class AddressRefused(ValueError):
    """The URL is not one caredesk will call."""


@dataclass(frozen=True)
class Response:
    status: int
    body: str


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256 over ``timestamp + "." + body``: a receiver checks
    it with the shared secret and rejects old timestamps (replays)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def signature_problem(
    secret: str, timestamp: str, body: bytes, given: str, *, now: float, window: int
) -> str:
    """Why a received signature is refused: "" (it is good), "stale" (the timestamp is
    more than ``window`` seconds from ``now``: a replay, or a clock far off) or
    "invalid" (missing, malformed or made with another secret)."""
    try:
        stamp = int(timestamp)
    except ValueError:
        return "invalid"
    if abs(now - stamp) > window:
        return "stale"
    if not hmac.compare_digest(signature(secret, timestamp, body), given.strip()):
        return "invalid"
    return ""


def url_check(url: str) -> tuple[str, str, int]:
    """Scheme, host and port of an http(s) URL, or AddressRefused."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused("A webhook URL must be http:// or https:// with a host.")
    if parts.username or parts.password:
        raise AddressRefused("A webhook URL must not carry a user name or password.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise AddressRefused("The port in the webhook URL is not a number.") from None
    return parts.scheme, parts.hostname, port


def address_allowed(ip: str) -> bool:
    """Only public unicast addresses: not loopback, link-local, private, shared,
    multicast, reserved or unspecified (IPv4 inside IPv6 is judged as IPv4)."""
    address = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def resolve(host: str, port: int, *, allow_private: bool) -> str:
    """The address to connect to; every address the name has must be allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise AddressRefused(f"Cannot resolve {host}: {exc.strerror}") from None
    addresses = [str(info[4][0]) for info in infos]
    if not allow_private:
        refused = [a for a in addresses if not address_allowed(a)]
        if refused:
            raise AddressRefused(
                f"{host} resolves to {refused[0]}, a loopback, link-local or private "
                "address; an admin must allow private addresses for this webhook."
            )
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.pinned_ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self.pinned_ip, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.pinned_ip = ip

    def connect(self) -> None:
        sock = socket.create_connection((self.pinned_ip, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]  # set by HTTPSConnection


def post(
    url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_private: bool
) -> Response:
    """POST ``body``; AddressRefused for a refused address, OSError for network trouble."""
    scheme, host, port = url_check(url)
    ip = resolve(host, port, allow_private=allow_private)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, ip, timeout)
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={"Content-Type": "application/json", "User-Agent": "caredesk-webhooks"}
            | headers,
        )
        response = connection.getresponse()
        return Response(response.status, response.read(2000).decode("utf-8", "replace"))
    finally:
        connection.close()
