"""Content-addressed file storage for attachments and raw messages."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


@dataclass(frozen=True)
class StoredBlob:
    path: str
    sha256: str
    size: int


def blob_store(*, data: bytes, namespace: str = "blobs") -> StoredBlob:
    """Store bytes under their SHA-256; storing the same bytes twice keeps one copy."""
    digest = hashlib.sha256(data).hexdigest()
    path = f"{namespace}/{digest[:2]}/{digest[2:4]}/{digest}"
    if not default_storage.exists(path):
        saved = default_storage.save(path, ContentFile(data))
        if saved != path:  # a concurrent writer won the race; keep theirs, drop ours
            default_storage.delete(saved)
    return StoredBlob(path=path, sha256=digest, size=len(data))


def blob_open(path: str) -> bytes:
    with default_storage.open(path, "rb") as fh:
        data: bytes = fh.read()
    return data
