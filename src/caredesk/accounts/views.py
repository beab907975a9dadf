"""Start page, shortcut help, and the admin screens for people, teams and sign-in policy."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from caredesk.accounts.enums import Role
from caredesk.accounts.gates import admin_required, supervisor_required, user_of
from caredesk.accounts.models import Team, User
from caredesk.accounts.selectors import staff_list, team_list
from caredesk.accounts.services import (
    team_create,
    team_update,
    user_create,
    user_update,
)
from caredesk.core.errors import DomainError

STAFF_ROLE_CHOICES = [(r.value, r.label) for r in Role if r != Role.CUSTOMER]


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Agents land on their inbox, customers on their requests, strangers on sign-in."""
    user = request.user
    if not isinstance(user, User):
        return redirect("account_login")
    return redirect("tickets:inbox" if user.is_staff_member else "portal:requests")


@require_GET
def shortcuts(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/shortcuts.html", {})


def _form_error(form: forms.Form, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


class UserNewForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"))
    first_name = forms.CharField(max_length=150, required=False, label=gettext_lazy("First name"))
    last_name = forms.CharField(max_length=150, required=False, label=gettext_lazy("Last name"))
    role = forms.ChoiceField(choices=STAFF_ROLE_CHOICES, label=gettext_lazy("Role"))
    password = forms.CharField(
        widget=forms.PasswordInput,
        required=False,
        help_text=gettext_lazy("Leave empty to let them reset it."),
        label=gettext_lazy("Password"),
    )


class UserEditForm(forms.Form):
    first_name = forms.CharField(max_length=150, required=False, label=gettext_lazy("First name"))
    last_name = forms.CharField(max_length=150, required=False, label=gettext_lazy("Last name"))
    role = forms.ChoiceField(choices=Role.choices, label=gettext_lazy("Role"))
    is_active = forms.BooleanField(required=False, label=gettext_lazy("May sign in"))


class TeamForm(forms.Form):
    name = forms.CharField(max_length=100, label=gettext_lazy("Name"))
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=gettext_lazy("Description")
    )
    members = forms.ModelMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Members"),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["members"].queryset = staff_list()  # type: ignore[attr-defined]


@require_GET
@supervisor_required
def manage_index(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/manage/index.html", {"nav": "manage"})


@require_http_methods(["GET", "POST"])
@admin_required
def users(request: HttpRequest) -> HttpResponse:
    form = UserNewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = user_create(
                email=d["email"],
                role=d["role"],
                password=d["password"] or None,
                first_name=d["first_name"],
                last_name=d["last_name"],
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Created %(email)s.") % {"email": user.email})
            return redirect("manage:users")
    people = User.objects.exclude(role=Role.CUSTOMER).order_by("email")
    return render(
        request, "accounts/manage/users.html", {"nav": "manage", "people": people, "form": form}
    )


@require_http_methods(["GET", "POST"])
@admin_required
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    person = User.objects.filter(pk=user_id).first()
    if person is None:
        return render(request, "404.html", status=404)
    initial = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "role": person.role,
        "is_active": person.is_active,
    }
    form = UserEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user_update(user=person, actor=user_of(request), **d)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved %(email)s.") % {"email": person.email})
            return redirect("manage:users")
    return render(
        request, "accounts/manage/user_edit.html", {"nav": "manage", "person": person, "form": form}
    )


@require_http_methods(["GET", "POST"])
@admin_required
def teams(request: HttpRequest, team_id: int | None = None) -> HttpResponse:
    team = Team.objects.filter(pk=team_id).first() if team_id else None
    if team_id and team is None:
        return render(request, "404.html", status=404)
    initial = (
        {"name": team.name, "description": team.description, "members": team.members.all()}
        if team
        else None
    )
    form = TeamForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if team is None:
                team = team_create(name=d["name"])  # members and description below
            team_update(
                team=team, name=d["name"], description=d["description"], members=list(d["members"])
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Saved team %(name)s.") % {"name": team.name})
            return redirect("manage:teams")
    return render(
        request,
        "accounts/manage/teams.html",
        {
            "nav": "manage",
            "teams": team_list().prefetch_related("members"),
            "team": team,
            "form": form,
        },
    )
