"""The audit log: one append-only row per login, search, view, download, upload, change,
generation and redaction, with account, time and what."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from web.models import AuditEvent

ACTIONS = {
    "login": "inloggning",
    "login_failed": "misslyckad inloggning",
    "logout": "utloggning",
    "search": "sökning",
    "export": "export",
    "view": "visning",
    "download": "nedladdning",
    "upload": "uppladdning",
    "change": "ändring",
    "generate": "generering",
    "file": "arkivering",
    "redaction": "maskering",
    "account": "kontoändring",
    "refused": "nekad åtkomst",
}


def record(
    account: Any,
    action: str,
    target: str = "",
    detail: dict[str, Any] | None = None,
    request: Any = None,
) -> AuditEvent:
    """Append one event; `account` is a user or a name (e.g. a failed login's typed name)."""
    name = account if isinstance(account, str) else getattr(account, "username", "") or ""
    address = ""
    if request is not None:
        address = request.META.get("REMOTE_ADDR", "") or ""
    return AuditEvent.objects.create(
        account=name, action=action, target=target[:300], detail=detail or {}, address=address
    )


def events(
    *, account: str | None = None, action: str | None = None, limit: int | None = None
) -> list[AuditEvent]:
    """Newest first."""
    query = AuditEvent.objects.all()
    if account:
        query = query.filter(account=account)
    if action:
        query = query.filter(action=action)
    return list(query[:limit] if limit else query)


CSV_COLUMNS = ["tid", "konto", "händelse", "vad", "detaljer", "adress"]


def csv_rows(items: list[AuditEvent]) -> Iterator[list[str]]:
    for event in items:
        data = event.to_dict()
        yield [
            data["at"],
            data["account"],
            data["action"],
            data["target"],
            ", ".join(f"{k}={v}" for k, v in data["detail"].items()),
            data["address"],
        ]


def to_csv(items: list[AuditEvent]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(csv_rows(items))
    return out.getvalue()
