"""Serve an attachment safely: always a download, never rendered from caredesk's origin."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse

from caredesk.tickets.models import Attachment


def attachment_response(attachment: Attachment) -> FileResponse:
    """The file as application/octet-stream with Content-Disposition: attachment, nosniff
    and a sandboxing CSP, so an uploaded HTML or SVG file can never run as caredesk."""
    response = FileResponse(
        default_storage.open(attachment.storage_path, "rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
