"""Who may see what. Every page, export and API answer asks these functions, so a rule is
written once.

Registrators, administrators and accounts with clearance see everything. Everyone else never
learns that a secret-marked document exists (not in results or counts, 404 on its address), sees
a document with secret pages without those pages, and sees personal data masked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "█"
CLEARED_ROLES = ("registrator", "administratör")
REGISTRAR_ROLES = ("registrator", "administratör")


def role_of(user: Any) -> str | None:
    profile = getattr(user, "profile", None)
    return profile.role if profile is not None else None


def is_cleared(user: Any) -> bool:
    """May see secret-marked documents and pages, and personal data unmasked."""
    profile = getattr(user, "profile", None)
    return profile is not None and (profile.role in CLEARED_ROLES or profile.clearance)


def is_registrar(user: Any) -> bool:
    return role_of(user) in REGISTRAR_ROLES


def is_admin(user: Any) -> bool:
    return role_of(user) == "administratör"


def _active(mark: Mapping[str, Any], today: dt.date) -> bool:
    until = mark.get("until")
    if not until:
        return True
    try:
        return dt.date.fromisoformat(str(until)[:10]) >= today
    except ValueError:
        return True  # an unreadable end date keeps the secrecy


def secrecy(record: Mapping[str, Any]) -> tuple[bool, frozenset[int]]:
    """(the whole document is secret, its secret pages) from the record's `secrecy` marks that
    are still in force: [{"ground", "pages": [..] | null, "until", "by", "at"}]."""
    today = dt.date.today()
    whole = False
    pages: set[int] = set()
    for mark in record.get("secrecy") or ():
        if not isinstance(mark, Mapping) or not _active(mark, today):
            continue
        if mark.get("pages") is None:
            whole = True
        else:
            pages.update(int(p) for p in mark["pages"])
    return whole, frozenset(pages)


def may_see(user: Any, record: Mapping[str, Any]) -> bool:
    """The one check of whether an account may learn that a document exists."""
    return is_cleared(user) or not secrecy(record)[0]


def hidden_pages(user: Any, record: Mapping[str, Any]) -> frozenset[int]:
    return frozenset() if is_cleared(user) else secrecy(record)[1]


def masked_spans(user: Any, record: Mapping[str, Any], page: int) -> list[tuple[int, int]]:
    """The personal-data spans of one page this account sees masked (offsets into its text)."""
    if is_cleared(user):
        return []
    return [
        (int(s["start"]), int(s["end"]))
        for s in record.get("personal_data") or ()
        if isinstance(s, Mapping) and s.get("page") == page
    ]


def mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Each span replaced by as many mask characters: offsets after it stay where they were."""
    chars = list(text)
    for start, end in spans:
        for i in range(max(start, 0), min(end, len(chars))):
            if not chars[i].isspace():
                chars[i] = MASK
    return "".join(chars)


def masked_words(user: Any, record: Mapping[str, Any], pages: Mapping[int, str]) -> set[str]:
    """The personal data as it is written, for masking text taken out of a page elsewhere (a
    snippet)."""
    if is_cleared(user):
        return set()
    words = set()
    for span in record.get("personal_data") or ():
        text = pages.get(span.get("page"), "")
        value = text[int(span["start"]) : int(span["end"])].strip()
        if value:
            words.add(value)
    return words


def show_data(user: Any, record: Mapping[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """`diarium show --json`'s dict (`data`, of the stored `record`) as this account may see it:
    secret pages left out of the text, personal data masked, the marks only for those cleared."""
    if is_cleared(user):
        return data
    hidden = hidden_pages(user, record)
    out = {k: v for k, v in data.items() if k not in ("secrecy", "personal_data")}
    if "text" in data:
        out["text"] = [
            {**page, "text": mask(page["text"], masked_spans(user, record, page["page"]))}
            for page in data["text"]
            if page["page"] not in hidden
        ]
    return out
