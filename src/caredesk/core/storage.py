"""Content-addressed file storage for attachments and raw messages."""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage


@dataclass(frozen=True)
class StoredBlob:
    path: str
    sha256: str
    size: int


def blob_store(*, data: bytes, namespace: str = "blobs") -> StoredBlob:
    """Store bytes under their SHA-256; storing the same bytes twice keeps one copy."""
    digest = hashlib.sha256(data).hexdigest()
    # One level of 256 folders (as git does): a second level made nearly every new blob
    # create a folder, which cost as much as writing the file.
    path = f"{namespace}/{digest[:2]}/{digest}"
    if isinstance(default_storage, FileSystemStorage):
        _local_store(Path(default_storage.path(path)), data)
    elif not default_storage.exists(path):
        saved = default_storage.save(path, ContentFile(data))
        if saved != path:  # a concurrent writer won the race; keep theirs, drop ours
            default_storage.delete(saved)
    return StoredBlob(path=path, sha256=digest, size=len(data))


def _local_store(target: Path, data: bytes) -> None:
    """Write under a temporary name in the same folder, then rename: a process killed
    while writing never leaves part of a blob under its final name (which the next store
    of the same bytes would take as complete), and two writers of the same bytes both
    end with the whole file. Also several times cheaper than Storage.save."""
    if target.exists():
        return
    temporary = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def blob_open(path: str) -> bytes:
    with default_storage.open(path, "rb") as fh:
        data: bytes = fh.read()
    return data
