from django.db import models
from django.utils.translation import gettext_lazy


class TicketType(models.TextChoices):
    QUESTION = "question", gettext_lazy("Question")
    INCIDENT = "incident", gettext_lazy("Incident")
    REQUEST = "request", gettext_lazy("Request")
    COMPLAINT = "complaint", gettext_lazy("Complaint")
    FEEDBACK = "feedback", gettext_lazy("Feedback")


class TicketStatus(models.TextChoices):
    NEW = "new", gettext_lazy("New")
    OPEN = "open", gettext_lazy("Open")
    PENDING = "pending", gettext_lazy("Pending (on customer)")
    ON_HOLD = "on_hold", gettext_lazy("On hold (third party)")
    SOLVED = "solved", gettext_lazy("Solved")
    CLOSED = "closed", gettext_lazy("Closed")


OPEN_STATUSES = frozenset(
    {TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.ON_HOLD}
)


class Priority(models.TextChoices):
    LOW = "low", gettext_lazy("Low")
    NORMAL = "normal", gettext_lazy("Normal")
    HIGH = "high", gettext_lazy("High")
    URGENT = "urgent", gettext_lazy("Urgent")


class Channel(models.TextChoices):
    EMAIL = "email", gettext_lazy("Email")
    PORTAL = "portal", gettext_lazy("Portal")
    WEB = "web", gettext_lazy("Web form")
    CHAT = "chat", gettext_lazy("Chat")
    PHONE = "phone", gettext_lazy("Phone")
    SOCIAL = "social", gettext_lazy("Social")
    WEBHOOK = "webhook", gettext_lazy("Webhook")
    API = "api", gettext_lazy("API")


class Automatic(models.TextChoices):
    """What sent a message when no person did (RFC 3834): never answered automatically."""

    NO = "", gettext_lazy("A person")
    AUTO_SUBMITTED = "auto_submitted", gettext_lazy("Sent automatically")
    BULK = "bulk", gettext_lazy("Bulk or list mail")


class AuthorRole(models.TextChoices):
    CUSTOMER = "customer", gettext_lazy("Customer")
    AGENT = "agent", gettext_lazy("Agent")
    SYSTEM = "system", gettext_lazy("System")


class EventKind(models.TextChoices):
    CREATED = "created", gettext_lazy("Created")
    CHANGED = "changed", gettext_lazy("Field changed")
    MESSAGE = "message", gettext_lazy("Message added")
    NOTE = "note", gettext_lazy("Internal note added")
    MERGED = "merged", gettext_lazy("Merged")
    COMMITMENT = "commitment", gettext_lazy("Commitment")
    CALL = "call", gettext_lazy("Call")
    RULE = "rule", gettext_lazy("Automation rule")
    ROUTED = "routed", gettext_lazy("Routed")


class CommitmentStatus(models.TextChoices):
    PENDING = "pending", gettext_lazy("Pending")
    KEPT = "kept", gettext_lazy("Kept")
    BROKEN = "broken", gettext_lazy("Broken")
