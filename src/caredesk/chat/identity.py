"""Who a chat visitor is: session tokens (only their SHA-256 is stored), the site's
signature of a signed-in visitor's email, and origins. Pure: no Django."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

TOKEN_PREFIX = "cdc_"  # noqa: S105  # not a secret: what a token starts with


def token_new() -> str:
    """A visitor's session token: 256 random bits."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def identity_sign(secret: str, email: str) -> str:
    """What the embedding site computes on its server for a signed-in visitor:
    hex HMAC-SHA256 of the lower-cased email with the widget's identity secret."""
    return hmac.new(secret.encode(), email.strip().lower().encode(), hashlib.sha256).hexdigest()


def identity_valid(secret: str, email: str, signature: str) -> bool:
    if not secret or not email or not signature:
        return False
    return hmac.compare_digest(identity_sign(secret, email), signature.strip().lower())


def origin_normalize(origin: str) -> str:
    """scheme://host[:port], lower-cased, default ports dropped; "" when not an origin."""
    try:
        parts = urlsplit(origin.strip())
        port = parts.port
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname.lower()
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")


def origin_allowed(origin: str, allowed: list[str]) -> bool:
    """Whether a browser's Origin is one of the widget's sites ("*" allows any)."""
    if "*" in allowed:
        return True
    normal = origin_normalize(origin)
    return bool(normal) and normal in {origin_normalize(a) for a in allowed}
