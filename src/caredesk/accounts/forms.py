"""Forms of the sign-up page and the admin screens for users and teams."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from caredesk.accounts.models import User


class SignupForm(forms.Form):
    """The extra fields allauth's sign-up form shows (its own are email and passwords)."""

    first_name = forms.CharField(max_length=150, required=False, label=gettext_lazy("First name"))
    last_name = forms.CharField(max_length=150, required=False, label=gettext_lazy("Last name"))

    def signup(self, request: HttpRequest, user: User) -> None:
        """The names are saved by the adapter already; allauth calls this hook anyway."""


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form with a plain-language label."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email or username"
        self.fields["remember"].label = "Keep me signed in"
