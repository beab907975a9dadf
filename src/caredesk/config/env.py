"""The only reader of the process environment.

Everything caredesk can be configured with is read here, once, so that the rest of the
code sees typed values and the list of settings is in one place.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import environ

from caredesk.core.errors import ConfigurationError

__all__ = ["ConfigurationError", "Env", "read_env"]


@dataclass(frozen=True)
class Env:
    debug: bool
    secret_key: str
    data_dir: Path
    database_url: str
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    recency_days_default: int
    max_attachment_bytes: int
    time_zone: str
    secure_cookies: bool
    behind_tls_proxy: bool
    redis_url: str
    broker_url: str
    job_visibility_timeout: int
    webhook_timeout: int
    email_url: str
    default_from_email: str
    signup_open: bool
    base_url: str = "http://127.0.0.1:8000"
    chat_ws_url: str = ""
    chat_ws_port: int = 0


def _bool(name: str, raw: str | None, default: bool = False) -> bool:
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be a boolean (true or false), got {raw!r}")


def _int(name: str, raw: str | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be an integer, got {raw!r}") from None


def read_env() -> Env:
    """Read and validate the environment; raise ConfigurationError with a clear message."""
    e = os.environ
    debug = _bool("DEBUG", e.get("DEBUG"))
    data_dir = Path(e.get("CAREDESK_DATA_DIR") or "./var").resolve()
    secret_key = e.get("SECRET_KEY", "")
    if not secret_key:
        if not debug:
            raise ConfigurationError(
                "SECRET_KEY is not set. Set SECRET_KEY to a long random string "
                "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
                "or set DEBUG=true for local development."
            )
        secret_key = "insecure-development-key-only-used-with-DEBUG-on"  # noqa: S105
    database_url = e.get("DATABASE_URL") or f"sqlite:///{data_dir / 'caredesk.sqlite3'}"
    hosts = [h.strip() for h in e.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    if not hosts:
        hosts = ["localhost", "127.0.0.1", "[::1]"]
    origins = [o.strip() for o in e.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
    return Env(
        debug=debug,
        secret_key=secret_key,
        data_dir=data_dir,
        database_url=database_url,
        allowed_hosts=hosts,
        csrf_trusted_origins=origins,
        recency_days_default=_int("CAREDESK_RECENCY_DAYS", e.get("CAREDESK_RECENCY_DAYS"), 365),
        max_attachment_bytes=_int(
            "CAREDESK_MAX_ATTACHMENT_BYTES",
            e.get("CAREDESK_MAX_ATTACHMENT_BYTES"),
            25 * 1024 * 1024,
        ),
        time_zone=e.get("TIME_ZONE") or "UTC",
        secure_cookies=_bool("SECURE_COOKIES", e.get("SECURE_COOKIES"), default=not debug),
        behind_tls_proxy=_bool("BEHIND_TLS_PROXY", e.get("BEHIND_TLS_PROXY")),
        redis_url=e.get("REDIS_URL", ""),
        # Background jobs go through a broker when there is one (Celery); without one
        # they run inside the serving process (the embedded mode).
        broker_url=e.get("CAREDESK_BROKER_URL") or e.get("REDIS_URL", ""),
        job_visibility_timeout=_int(
            "CAREDESK_JOB_VISIBILITY_TIMEOUT", e.get("CAREDESK_JOB_VISIBILITY_TIMEOUT"), 3600
        ),
        webhook_timeout=_int("CAREDESK_WEBHOOK_TIMEOUT", e.get("CAREDESK_WEBHOOK_TIMEOUT"), 10),
        # Without a mail server, mail (password resets, sign-in links) is printed to the
        # console, which is what a demo on a laptop wants.
        email_url=e.get("EMAIL_URL") or "consolemail://",
        default_from_email=e.get("DEFAULT_FROM_EMAIL") or "caredesk <caredesk@localhost>",
        signup_open=_bool("CAREDESK_SIGNUP_OPEN", e.get("CAREDESK_SIGNUP_OPEN"), default=True),
        # where chat widgets open their WebSocket when it is not this host's /ws/chat/
        chat_ws_url=e.get("CAREDESK_CHAT_WS_URL", ""),
        chat_ws_port=_int("CAREDESK_CHAT_WS_PORT", e.get("CAREDESK_CHAT_WS_PORT"), 0),
        # Links in mail sent by background jobs (surveys) start with this.
        base_url=(e.get("CAREDESK_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
    )


def cache_config(redis_url: str, data_dir: Path) -> dict[str, object]:
    """Redis when REDIS_URL is set; otherwise a file cache in the data directory, which
    every process on the machine shares (login rate limits and presence need that)."""
    if redis_url:
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    return {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(data_dir / "cache"),
    }


def channel_layers_config(redis_url: str) -> dict[str, dict[str, object]]:
    """Chat's channel layer: Redis when REDIS_URL is set (every server process hears
    every broadcast), else in memory (embedded: one process serves the sockets)."""
    if redis_url:
        return {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [redis_url]},
            }
        }
    return {"default": {"BACKEND": "caredesk.chat.layers.EmbeddedChannelLayer"}}


def chat_ws_sources(url: str, port: int) -> list[str]:
    """The Content-Security-Policy sources of chat's WebSocket server, when it is not
    this host's own port."""
    if url:
        parts = urlsplit(url)
        return [f"{parts.scheme}://{parts.netloc}"]
    if port:
        return [f"ws://*:{port}", f"wss://*:{port}"]
    return []


def email_config(url: str) -> dict[str, object]:
    """Turn EMAIL_URL (smtp://user:pass@host:587/?tls=True, consolemail://) into settings."""
    try:
        return dict(environ.Env.email_url_config(url))
    except Exception as exc:  # django-environ raises several types for a bad URL
        raise ConfigurationError(f"EMAIL_URL is not a valid mail URL: {exc}") from None


def database_config(url: str) -> dict[str, object]:
    """Turn DATABASE_URL into Django's DATABASES entry, with caredesk's engine options."""
    try:
        config: dict[str, object] = dict(environ.Env.db_url_config(url))
    except Exception as exc:  # django-environ raises several types for a bad URL
        raise ConfigurationError(f"DATABASE_URL is not a valid database URL: {exc}") from None
    engine = str(config.get("ENGINE", ""))
    if engine.endswith("sqlite3"):
        config["ENGINE"] = "caredesk.core.sqlite"  # Django's, with queued writers
        config["OPTIONS"] = {
            # WAL lets readers work while one writer writes; IMMEDIATE avoids the
            # "database is locked" upgrade deadlock of deferred transactions.
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA busy_timeout=10000;"
                "PRAGMA temp_store=MEMORY;"
                "PRAGMA cache_size=-65536;"
                "PRAGMA mmap_size=268435456;"
                "PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
        # Keep connections: opening one costs the pragmas above, and closing the last one
        # checkpoints the WAL, on every request otherwise.
        config["CONN_MAX_AGE"] = None
        config["CONN_HEALTH_CHECKS"] = True
    elif "postgresql" in engine:
        config["CONN_MAX_AGE"] = 60
        config["CONN_HEALTH_CHECKS"] = True
        # JIT compilation pays off for long analytical scans only; for caredesk's
        # queries (reports included) it added up to 0.3 s of compiling to each.
        options = dict(config.get("OPTIONS") or {})  # type: ignore[call-overload]
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
        config["OPTIONS"] = options
    else:
        raise ConfigurationError(
            f"DATABASE_URL must point to SQLite or PostgreSQL, got engine {engine!r}"
        )
    return config
