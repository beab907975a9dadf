"""The channel layer of the embedded mode (no Redis)."""

from __future__ import annotations

import time

from channels.layers import InMemoryChannelLayer


class EmbeddedChannelLayer(InMemoryChannelLayer):  # type: ignore[misc]  # channels is untyped
    """Channels' in-memory layer, dropping expired messages and group memberships at
    most once a second. The stock layer walks every channel and every group on each
    send and receive; at 1,000 open sockets that walk took 60 % of the server's time
    (bench/chat_load.py)."""

    clean_every = 1.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - getattr(self, "_cleaned_at", 0.0) < self.clean_every:
            return
        self._cleaned_at = now
        super()._clean_expired()
