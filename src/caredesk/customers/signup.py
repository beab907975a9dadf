"""How django-allauth creates accounts (sign-ups are customers) and where it sends people
after sign-in."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.urls import reverse

from caredesk.accounts.models import User
from caredesk.customers.services import customer_account_create


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(settings.CAREDESK_SIGNUP_OPEN)

    def save_user(
        self, request: HttpRequest, user: AbstractBaseUser, form: Any, commit: bool = True
    ) -> User:
        """Sign-up makes customer accounts only, through the same service as everything
        else; allauth records the address and proves it by mail before the first sign-in."""
        data = form.cleaned_data
        return customer_account_create(
            email=data["email"],
            password=data["password1"],
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            email_verified=None,
        )

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user = request.user
        if isinstance(user, User) and not user.is_staff_member:
            return reverse("portal:requests")
        return str(super().get_login_redirect_url(request))
