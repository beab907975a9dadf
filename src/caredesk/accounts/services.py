"""Create users, teams and tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from caredesk.accounts.enums import Role
from caredesk.accounts.errors import AccountErrorCode
from caredesk.accounts.models import ApiToken, Team, User
from caredesk.core.errors import ValidationFailed

TOKEN_PREFIX = "cdk_"  # noqa: S105  # a public prefix, not a secret


def normalize_email(email: str) -> str:
    """Lower-cased, trimmed email, or ValidationFailed."""
    value = (email or "").strip().lower()
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationFailed(
            AccountErrorCode.INVALID_EMAIL, f"Not a valid email: {email!r}.", field="email"
        ) from None
    return value


@transaction.atomic
def user_create(
    *,
    email: str,
    role: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    check_password: bool = True,
) -> User:
    """Create a user. A customer-role user is linked to the customer with that email,
    which is created if it does not exist yet (so history imported earlier is theirs)."""
    from caredesk.customers.services import customer_get_or_create_by_email

    email = normalize_email(email)
    if role not in Role.values:
        raise ValidationFailed(
            AccountErrorCode.INVALID_ROLE,
            f"Role must be one of {', '.join(Role.values)}.",
            field="role",
        )
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationFailed(
            AccountErrorCode.EMAIL_TAKEN, f"A user with {email} exists.", field="email"
        )
    user = User(
        username=email,
        email=email,
        role=role,
        first_name=first_name,
        last_name=last_name,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    if password:
        if check_password:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise ValidationFailed(
                    AccountErrorCode.WEAK_PASSWORD, " ".join(exc.messages), field="password"
                ) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    if role == Role.CUSTOMER:
        name = f"{first_name} {last_name}".strip()
        user.customer = customer_get_or_create_by_email(email=email, name=name)
    user.save()
    return user


def staff_user_get_or_create(*, email: str, name: str = "") -> User:
    """The agent with this email; an inactive agent is created for imported history."""
    email = normalize_email(email)
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user
    first, _, last = name.partition(" ")
    user = user_create(email=email, role=Role.AGENT, first_name=first, last_name=last)
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


def team_create(*, name: str, members: list[User] | None = None) -> Team:
    name = name.strip()
    if not name:
        raise ValidationFailed("invalid_name", "A team needs a name.", field="name")
    team, _ = Team.objects.get_or_create(name=name)
    if members:
        for member in members:
            if not member.is_staff_member:
                raise ValidationFailed(
                    AccountErrorCode.NOT_STAFF, f"{member} is not an agent.", field="members"
                )
        team.members.add(*members)
    return team


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(*, user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create an API token; returns the row and the plain token, which is never stored."""
    secret = secrets.token_urlsafe(32)
    plain = f"{TOKEN_PREFIX}{secret}"
    token = ApiToken.objects.create(user=user, name=name, prefix=plain[:12], key_hash=_hash(plain))
    return token, plain


def token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(*, plain: str) -> User | None:
    """The active user owning this token, or None. One query; last use kept per minute."""
    if not plain or not plain.startswith(TOKEN_PREFIX) or len(plain) > 200:
        return None
    found = list(  # key_hash is unique: no ORDER BY needed, unlike .first()
        ApiToken.objects.select_related("user").filter(
            key_hash=_hash(plain), revoked_at__isnull=True, user__is_active=True
        )[:1]
    )
    if not found:
        return None
    token = found[0]
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
