from django.db import models


class TicketType(models.TextChoices):
    QUESTION = "question", "Question"
    INCIDENT = "incident", "Incident"
    REQUEST = "request", "Request"
    COMPLAINT = "complaint", "Complaint"
    FEEDBACK = "feedback", "Feedback"


class TicketStatus(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING = "pending", "Pending (on customer)"
    ON_HOLD = "on_hold", "On hold (third party)"
    SOLVED = "solved", "Solved"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = frozenset(
    {TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.ON_HOLD}
)


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    PORTAL = "portal", "Portal"
    WEB = "web", "Web form"
    CHAT = "chat", "Chat"
    PHONE = "phone", "Phone"
    SOCIAL = "social", "Social"
    WEBHOOK = "webhook", "Webhook"
    API = "api", "API"


class AuthorRole(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    AGENT = "agent", "Agent"
    SYSTEM = "system", "System"


class EventKind(models.TextChoices):
    CREATED = "created", "Created"
    CHANGED = "changed", "Field changed"
    MESSAGE = "message", "Message added"
    NOTE = "note", "Internal note added"
    MERGED = "merged", "Merged"
    COMMITMENT = "commitment", "Commitment"
    CALL = "call", "Call"
    RULE = "rule", "Automation rule"
    ROUTED = "routed", "Routed"


class CommitmentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    KEPT = "kept", "Kept"
    BROKEN = "broken", "Broken"
