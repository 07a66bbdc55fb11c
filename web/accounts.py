"""Accounts: made by `diarium users` and by administrators in the page, the same functions."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from archive import DiariumError
from web.config import LOCKOUT_FAILURES, LOCKOUT_SECONDS
from web.models import ROLES, LoginFailure, Profile


@dataclass
class AccountInfo:
    name: str
    role: str
    clearance: bool
    active: bool
    has_token: bool
    last_login: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _user_model() -> Any:
    return get_user_model()


def check_role(role: str) -> str:
    if role not in ROLES:
        raise DiariumError(f"okänd roll {role!r}: välj {', '.join(ROLES)}")
    return role


def check_password(password: str, user: Any = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DiariumError("lösenordet duger inte: " + " ".join(exc.messages)) from None


def add_user(name: str, role: str, password: str, *, clearance: bool = False) -> Any:
    """A new account; DiariumError for a taken name, an unknown role or a weak password."""
    name = name.strip()
    check_role(role)
    if not name:
        raise DiariumError("kontot behöver ett namn")
    User = _user_model()
    if User.objects.filter(username=name).exists():
        raise DiariumError(f"kontot {name!r} finns redan")
    check_password(password)
    with transaction.atomic():
        user = User.objects.create_user(username=name, password=password)
        Profile.objects.create(user=user, role=role, clearance=clearance)
    return user


def get_user(name: str) -> Any:
    User = _user_model()
    try:
        return User.objects.select_related("profile").get(username=name)
    except User.DoesNotExist:
        raise DiariumError(f"inget konto heter {name!r}") from None


def profile_of(user: Any) -> Profile:
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


def change_user(
    name: str,
    *,
    role: str | None = None,
    clearance: bool | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> Any:
    user = get_user(name)
    profile = profile_of(user)
    if role is not None:
        profile.role = check_role(role)
    if clearance is not None:
        profile.clearance = clearance
    profile.save()
    if active is not None:
        user.is_active = active
    if password:
        check_password(password, user)
        user.set_password(password)
    user.save()
    return user


def new_token(name: str) -> str:
    """A fresh API token for the account (any earlier one stops working); only its hash is
    stored, so this is the one time it can be read."""
    user = get_user(name)
    token = secrets.token_urlsafe(32)
    profile = profile_of(user)
    profile.token_sha256 = Profile.hash_token(token)
    profile.token_created = timezone.now()
    profile.save()
    return token


def user_for_token(token: str) -> Any | None:
    if not token:
        return None
    try:
        profile = Profile.objects.select_related("user").get(token_sha256=Profile.hash_token(token))
    except Profile.DoesNotExist:
        return None
    return profile.user if profile.user.is_active else None


def accounts() -> list[AccountInfo]:
    User = _user_model()
    out = []
    for user in User.objects.select_related("profile").order_by("username"):
        profile = getattr(user, "profile", None)
        out.append(
            AccountInfo(
                name=user.username,
                role=profile.role if profile else "",
                clearance=bool(profile and profile.clearance),
                active=user.is_active,
                has_token=bool(profile and profile.token_sha256),
                last_login=(
                    user.last_login.isoformat(timespec="seconds") if user.last_login else None
                ),
            )
        )
    return out


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=LOCKOUT_SECONDS)


def locked(name: str) -> bool:
    """Too many failed logins for this name lately: even the right password is refused."""
    recent = LoginFailure.objects.filter(username=name, at__gte=_window_start())
    return recent.count() >= LOCKOUT_FAILURES


def note_failure(name: str) -> None:
    LoginFailure.objects.create(username=name)
    LoginFailure.objects.filter(at__lt=_window_start()).delete()


def clear_failures(name: str) -> None:
    LoginFailure.objects.filter(username=name).delete()
