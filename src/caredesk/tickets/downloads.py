"""Serve an attachment safely: always a download, never rendered from caredesk's origin."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse

from caredesk.tickets.models import Attachment


def attachment_response(attachment: Attachment) -> FileResponse:
    """An attachment, as download_response serves any stored file."""
    return download_response(path=attachment.storage_path, filename=attachment.filename)


def download_response(*, path: str, filename: str) -> FileResponse:
    """A stored file as application/octet-stream with Content-Disposition: attachment,
    nosniff and a sandboxing CSP, so an uploaded HTML or SVG file (or a raw email) can
    never run as caredesk."""
    response = FileResponse(
        default_storage.open(path, "rb"),
        as_attachment=True,
        filename=filename,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
