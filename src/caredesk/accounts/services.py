"""Create users, teams and tokens."""

from __future__ import annotations

import hashlib
import secrets

from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from caredesk.accounts.enums import Role
from caredesk.accounts.errors import AccountErrorCode
from caredesk.accounts.models import AccessSettings, ApiToken, Team, User
from caredesk.core.errors import ValidationFailed
from caredesk.core.i18n import language_check

TOKEN_PREFIX = "cdk_"  # noqa: S105  # a public prefix, not a secret


def normalize_email(email: str) -> str:
    """Lower-cased, trimmed email, or ValidationFailed."""
    value = (email or "").strip().lower()
    try:
        validate_email(value)
    except ValidationError:
        raise ValidationFailed(
            AccountErrorCode.INVALID_EMAIL,
            _("Not a valid email: %(email)s.") % {"email": repr(email)},
            field="email",
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
    email_verified: bool | None = True,
    customer_id: int | None = None,
) -> User:
    """Create a user. A customer-role user is linked to its customer record
    (``customer_id``): create those with ``customers.services.customer_account_create``,
    which finds or creates the record by email (so history imported earlier is theirs).

    ``email_verified`` records the address for sign-in: True when whoever creates the
    user vouches for it (an admin, the CLI, an import), None when the caller (sign-up)
    records it itself and proves it by mail."""
    email = normalize_email(email)
    if role not in Role.values:
        raise ValidationFailed(
            AccountErrorCode.INVALID_ROLE,
            _("Role must be one of %(choices)s.") % {"choices": ", ".join(Role.values)},
            field="role",
        )
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationFailed(
            AccountErrorCode.EMAIL_TAKEN,
            _("A user with %(email)s exists.") % {"email": email},
            field="email",
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
        if customer_id is None:
            raise ValidationFailed(
                AccountErrorCode.INVALID_ROLE,
                _("A customer account needs its customer record."),
                field="role",
            )
        user.customer_id = customer_id
    user.save()
    if email_verified is not None:
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=email_verified)
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


CACHE_KEY_MFA_ROLES = "caredesk:mfa-required-roles"


def access_settings_get() -> AccessSettings:
    obj, _ = AccessSettings.objects.get_or_create(pk=1)
    return obj


def mfa_required_roles() -> frozenset[str]:
    """The roles that must use two-factor sign-in; cached, one query a minute at most."""
    roles = cache.get(CACHE_KEY_MFA_ROLES)
    if roles is None:
        roles = list(access_settings_get().mfa_required_roles)
        cache.set(CACHE_KEY_MFA_ROLES, roles, 60)
    return frozenset(roles)


def access_settings_update(*, mfa_required_roles: list[str]) -> AccessSettings:
    bad = [r for r in mfa_required_roles if r not in Role.values]
    if bad:
        raise ValidationFailed(
            AccountErrorCode.INVALID_ROLE,
            _("Unknown role %(bad_0)s.") % {"bad_0": repr(bad[0])},
            field="mfa_required_roles",
        )
    obj = access_settings_get()
    obj.mfa_required_roles = sorted(set(mfa_required_roles))
    obj.save()
    cache.delete(CACHE_KEY_MFA_ROLES)
    return obj


@transaction.atomic
def user_update(
    *,
    user: User,
    actor: User,
    role: str | None = None,
    is_active: bool | None = None,
    first_name: str | None = None,
    last_name: str | None = None,
) -> User:
    """Change a user's role, names or whether they may sign in. The last active admin
    cannot demote or deactivate themselves out of the system."""
    if role is not None and role not in Role.values:
        raise ValidationFailed(
            AccountErrorCode.INVALID_ROLE,
            _("Role must be one of %(choices)s.") % {"choices": ", ".join(Role.values)},
            field="role",
        )
    leaves_admin = (role is not None and role != Role.ADMIN) or is_active is False
    if user.role == Role.ADMIN and leaves_admin:
        others = User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk)
        if not others.exists():
            raise ValidationFailed(
                AccountErrorCode.LAST_ADMIN, _("caredesk needs at least one active admin.")
            )
    if role is not None:
        if role == Role.CUSTOMER and user.role != Role.CUSTOMER:
            raise ValidationFailed(
                AccountErrorCode.INVALID_ROLE,
                _("A staff account cannot become a customer account."),
                field="role",
            )
        if user.role == Role.CUSTOMER and role != Role.CUSTOMER:
            raise ValidationFailed(
                AccountErrorCode.INVALID_ROLE,
                _("A customer account cannot become staff; create a staff account."),
                field="role",
            )
        user.role = role
        user.is_staff = user.is_superuser = role == Role.ADMIN
    if is_active is not None:
        user.is_active = is_active
    if first_name is not None:
        user.first_name = first_name.strip()[:150]
    if last_name is not None:
        user.last_name = last_name.strip()[:150]
    user.save()
    return user


def team_update(*, team: Team, name: str, description: str, members: list[User]) -> Team:
    name = name.strip()
    if not name:
        raise ValidationFailed(
            AccountErrorCode.INVALID_NAME, _("A team needs a name."), field="name"
        )
    if Team.objects.filter(name__iexact=name).exclude(pk=team.pk).exists():
        raise ValidationFailed(
            AccountErrorCode.NAME_TAKEN,
            _("A team named %(name)s exists.") % {"name": repr(name)},
            field="name",
        )
    _members_check(members)
    team.name = name
    team.description = description.strip()
    team.save()
    team.members.set(members)
    return team


def team_create(*, name: str, members: list[User] | None = None) -> Team:
    name = name.strip()
    if not name:
        raise ValidationFailed(
            AccountErrorCode.INVALID_NAME, _("A team needs a name."), field="name"
        )
    team, _created = Team.objects.get_or_create(name=name)
    if members:
        _members_check(members)
        team.members.add(*members)
    return team


def _members_check(members: list[User]) -> None:
    for member in members:
        if not member.is_staff_member:
            raise ValidationFailed(
                AccountErrorCode.NOT_STAFF,
                _("%(member)s is not an agent.") % {"member": member},
                field="members",
            )


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


def user_language_set(*, user: User, language: str) -> User:
    """A member of staff's language for caredesk's pages ("" for the browser's)."""
    user.language = language_check(language)
    user.save(update_fields=["language"])
    return user


def user_email_notifications_set(*, user: User, enabled: bool) -> User:
    """Whether a member of staff is emailed their tickets' customer messages."""
    user.email_notifications = enabled
    user.save(update_fields=["email_notifications"])
    return user
