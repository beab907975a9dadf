"""Forms of the agent's ticket screens; they parse input, the services decide."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy

from caredesk.accounts.models import Team, User
from caredesk.accounts.selectors import staff_list, team_list
from caredesk.core.forms import ServiceForm
from caredesk.core.models import CustomField, CustomFieldEntity, CustomFieldType
from caredesk.tickets.canned import canned_reply_check, canned_reply_save
from caredesk.tickets.enums import Channel, Priority, TicketStatus, TicketType
from caredesk.tickets.models import CannedReply, Ticket
from caredesk.tickets.placeholders import KNOWN
from caredesk.tickets.services import AttachmentData

ANY = [("", gettext_lazy("Any"))]


class AgentChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Agents by name, not by email address."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input; each becomes an AttachmentData."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


def attachments_from(files: list[UploadedFile]) -> list[AttachmentData]:
    return [
        AttachmentData(
            filename=f.name or "attachment",
            content_type=f.content_type or "application/octet-stream",
            data=f.read(),
        )
        for f in files
    ]


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=ANY + list(TicketStatus.choices), required=False, label=gettext_lazy("Status")
    )
    priority = forms.ChoiceField(
        choices=ANY + list(Priority.choices), required=False, label=gettext_lazy("Priority")
    )
    type = forms.ChoiceField(
        choices=ANY + list(TicketType.choices), required=False, label=gettext_lazy("Type")
    )
    channel = forms.ChoiceField(
        choices=ANY + list(Channel.choices), required=False, label=gettext_lazy("Channel")
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label=gettext_lazy("Any"),
        label=gettext_lazy("Team"),
    )
    assignee = AgentChoiceField(
        queryset=User.objects.none(), required=False, empty_label=gettext_lazy("Anyone")
    )
    tag = forms.CharField(max_length=64, required=False, label=gettext_lazy("Tag"))
    sort = forms.ChoiceField(
        choices=[
            ("-updated_at", "Last update, newest first"),
            ("updated_at", gettext_lazy("Last update, oldest first")),
            ("-created_at", "Created, newest first"),
            ("created_at", gettext_lazy("Created, oldest first")),
        ],
        required=False,
        label=gettext_lazy("Sort"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = team_list()  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = staff_list()  # type: ignore[attr-defined]


class BulkForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(
        coerce=int, choices=[], required=True, label=gettext_lazy("Ids")
    )
    action = forms.ChoiceField(
        choices=[("assign", "assign"), ("status", "status"), ("tag", "tag")],
        label=gettext_lazy("Action"),
    )
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label=gettext_lazy("Assignee")
    )
    status = forms.ChoiceField(
        choices=ANY + list(TicketStatus.choices), required=False, label=gettext_lazy("Status")
    )
    tag = forms.CharField(max_length=64, required=False, label=gettext_lazy("Tag"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_list()  # type: ignore[attr-defined]
        # any id may be posted; the selector keeps only tickets the agent may see
        self.fields["ids"].valid_value = lambda value: True  # type: ignore[attr-defined]


class ComposerForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[
            ("reply", gettext_lazy("Reply to customer")),
            ("note", gettext_lazy("Internal note")),
        ],
        label=gettext_lazy("Kind"),
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), max_length=100_000, label=gettext_lazy("Text")
    )
    status_after = forms.ChoiceField(
        choices=[("", gettext_lazy("Keep status")), *TicketStatus.choices],
        required=False,
        label=gettext_lazy("Status after"),
    )
    attachments = MultipleFileField()
    version = forms.IntegerField(widget=forms.HiddenInput)


def _custom_field(definition: CustomField) -> forms.Field:
    label = definition.label
    if definition.field_type == CustomFieldType.NUMBER:
        return forms.DecimalField(label=label, required=False)
    if definition.field_type == CustomFieldType.BOOLEAN:
        return forms.BooleanField(label=label, required=False)
    if definition.field_type == CustomFieldType.DATE:
        return forms.DateField(
            label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
    if definition.field_type == CustomFieldType.CHOICE:
        choices = [("", "—")] + [(str(c), str(c)) for c in definition.choices]
        return forms.ChoiceField(label=label, required=False, choices=choices)
    return forms.CharField(label=label, required=False, max_length=10_000)


class TicketPropertiesForm(forms.Form):
    """Status, priority, type, assignee, team, tags and the ticket's custom fields."""

    status = forms.ChoiceField(choices=TicketStatus.choices, label=gettext_lazy("Status"))
    priority = forms.ChoiceField(choices=Priority.choices, label=gettext_lazy("Priority"))
    type = forms.ChoiceField(choices=TicketType.choices, label=gettext_lazy("Type"))
    assignee = AgentChoiceField(
        queryset=User.objects.none(), required=False, empty_label=gettext_lazy("Unassigned")
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        empty_label=gettext_lazy("None"),
        label=gettext_lazy("Team"),
    )
    tags = forms.CharField(
        required=False,
        max_length=2000,
        help_text=gettext_lazy("Comma-separated"),
        label=gettext_lazy("Tags"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, ticket: Ticket, tags: list[str], **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "status": ticket.status,
                "priority": ticket.priority,
                "type": ticket.type,
                "assignee": ticket.assignee_id,
                "team": ticket.team_id,
                "tags": ", ".join(tags),
                "version": ticket.version,
                **{f"cf_{k}": v for k, v in ticket.custom_fields.items()},
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_list()  # type: ignore[attr-defined]
        self.fields["team"].queryset = team_list()  # type: ignore[attr-defined]
        self.custom_keys: list[str] = []
        for definition in CustomField.objects.filter(entity=CustomFieldEntity.TICKET):
            self.fields[f"cf_{definition.key}"] = _custom_field(definition)
            self.custom_keys.append(definition.key)

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        custom: dict[str, Any] = {}
        for key in self.custom_keys:
            value = data.get(f"cf_{key}")
            if value in (None, ""):
                custom[key] = None
            elif isinstance(value, dt.date):
                custom[key] = value.isoformat()
            elif isinstance(value, Decimal):
                custom[key] = int(value) if value == int(value) else float(value)
            else:
                custom[key] = value
        return {
            "status": data["status"],
            "priority": data["priority"],
            "type": data["type"],
            "assignee": data["assignee"],
            "team": data["team"],
            "tags": [t for t in (s.strip() for s in data["tags"].split(",")) if t],
            "custom_fields": custom,
        }


class MergeForm(forms.Form):
    target = forms.IntegerField(min_value=1, label=gettext_lazy("Merge into ticket #"))


class CommitmentForm(forms.Form):
    description = forms.CharField(max_length=500, label=gettext_lazy("Promise"))
    due_at = forms.DateTimeField(
        label=gettext_lazy("Due by"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def clean_due_at(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["due_at"]
        return timezone.make_aware(value) if timezone.is_naive(value) else value


class CannedReplyForm(ServiceForm):
    """A canned reply on the admin screen and in Django admin; the service checks and
    saves."""

    class Meta:
        model = CannedReply
        fields = ["title", "body", "team"]
        help_texts = {
            "body": "Placeholders: " + ", ".join("{{" + k + "}}" for k in KNOWN),
        }

    def service_check(self, data: dict[str, Any]) -> dict[str, Any]:
        return canned_reply_check(data)

    def service_save(self, data: dict[str, Any]) -> CannedReply:
        return canned_reply_save(reply=self.existing, data=data)
