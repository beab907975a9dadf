"""Magic sign-in links for customers."""

from __future__ import annotations

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from sesame.utils import get_query_string

from caredesk.accounts.enums import Role
from caredesk.accounts.models import User
from caredesk.core.i18n import language_or_site


def magic_link_eligible(user: User | None) -> bool:
    """Active customers without two-factor authentication: a link in a mailbox must never
    bypass a second factor, and staff sign in with their password."""
    return bool(
        user is not None
        and user.is_active
        and user.role == Role.CUSTOMER
        and not is_mfa_enabled(user)
    )


def magic_link_send(*, email: str, base_url: str) -> bool:
    """Mail a one-time, 15-minute sign-in link to the customer with this address. Says
    nothing to the caller about whether the address exists (the page shows the same
    text either way); returns whether a mail was sent, for tests and logs."""
    user = User.objects.filter(email__iexact=email.strip()).first()
    if not magic_link_eligible(user):
        return False
    assert user is not None
    query: str = get_query_string(user)  # type: ignore[no-untyped-call]  # sesame is untyped
    link = base_url + reverse("portal:magic_login") + query
    minutes = settings.SESAME_MAX_AGE // 60
    customer = user.customer
    with translation.override(language_or_site(customer.language if customer else "")):
        subject = _("Your sign-in link")
        message = render_to_string(
            "portal/email/magic_link.txt", {"link": link, "minutes": minutes}
        )
    send_mail(subject=subject, message=message, from_email=None, recipient_list=[user.email])
    return True
