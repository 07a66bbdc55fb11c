"""Accounts' roles and tokens, failed logins (for the lockout) and the append-only audit log."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import models

ROLES = ("läsare", "registrator", "administratör")


class Profile(models.Model):
    """What diarium adds to Django's account: the role, clearance for secret documents and the
    API token (only its SHA-256 is kept; the token is shown once, by `diarium users token`)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    role = models.CharField(max_length=20, choices=[(r, r) for r in ROLES], default="läsare")
    clearance = models.BooleanField(default=False)
    token_sha256 = models.CharField(max_length=64, unique=True, null=True, blank=True)
    token_created = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class LoginFailure(models.Model):
    """One failed login for an account name (existing or not); counted for the lockout."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)


class AppendOnly(Exception):
    """The audit log is never changed or thinned out (the database refuses it too)."""


class AuditEvent(models.Model):
    """Who did what when: login, search, view, download, upload, change, generation, redaction.

    `account` is the name as it was, so the log outlives the account."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    account = models.CharField(max_length=150, db_index=True)
    action = models.CharField(max_length=30, db_index=True)
    target = models.CharField(max_length=300, blank=True, default="")
    detail = models.JSONField(default=dict, blank=True)
    address = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-at", "-id"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnly("audit events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnly("audit events are never deleted")

    def to_dict(self) -> dict[str, Any]:
        """The `diarium audit --json` contract and the columns of the export."""
        return {
            "at": self.at.isoformat(),
            "account": self.account,
            "action": self.action,
            "target": self.target,
            "detail": self.detail,
            "address": self.address,
        }
