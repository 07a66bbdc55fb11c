"""Secrecy marks (sekretessmarkeringar): a document, or some of its pages, is secret on a legal
ground (`OSL 26:1`) until a date or for good, as a named person marked it.

A mark is kept in the record's `secrecy` list as {"ground", "pages": [..] | null (the whole
document), "until": "YYYY-MM-DD" | null, "by", "at"}. A mark whose date has passed no longer
hides anything, but stays in the record as history.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

from archive.errors import DiariumError

USER_ENV = "DIARIUM_USER"  # who marks, where the login name is not the person (a shared account)
_RANGE = re.compile(r"^(\d+)(?:\s*[-–]\s*(\d+))?$")


class SecrecyError(DiariumError):
    """A mark that cannot be recorded: no ground, bad pages or date."""


def parse_pages(text: str | None, page_count: int | None = None) -> list[int] | None:
    """`3-4,7` → [3, 4, 7]; empty → None (the whole document)."""
    if text is None or not str(text).strip():
        return None
    pages: set[int] = set()
    for part in str(text).split(","):
        m = _RANGE.match(part.strip())
        if not m:
            raise SecrecyError(f"sidor anges som 3 eller 3-4 eller 1,3-4, inte {text!r}")
        first, last = int(m[1]), int(m[2] or m[1])
        if first < 1 or last < first:
            raise SecrecyError(f"ogiltigt sidintervall {part.strip()!r}")
        if page_count and last > page_count:
            raise SecrecyError(f"dokumentet har {page_count} sidor, inte {last}")
        pages.update(range(first, last + 1))
    return sorted(pages)


def parse_until(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        raise SecrecyError(f"datum anges som ÅÅÅÅ-MM-DD, inte {value!r}") from None


def who() -> str:
    configured = os.environ.get(USER_ENV)
    if configured:
        return configured
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "okänd"


def make_mark(
    ground: str,
    *,
    pages: str | list[int] | None = None,
    until: Any = None,
    by: str | None = None,
    at: str,
    page_count: int | None = None,
) -> dict[str, Any]:
    ground = " ".join(str(ground or "").split())
    if not ground:
        raise SecrecyError('en sekretessmarkering behöver ett lagrum, t.ex. "OSL 26:1"')
    if isinstance(pages, list):
        pages = ",".join(map(str, pages))
    return {
        "ground": ground,
        "pages": parse_pages(pages, page_count),
        "until": parse_until(until),
        "by": by or who(),
        "at": at,
    }


def active(
    marks: Iterable[Mapping[str, Any]], today: dt.date | None = None
) -> list[Mapping[str, Any]]:
    today = today or dt.date.today()
    return [m for m in marks if not m.get("until") or dt.date.fromisoformat(m["until"]) >= today]


def whole_document(marks: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The active mark that makes the whole document secret, if any."""
    return next((m for m in active(marks) if m.get("pages") is None), None)


def secret_pages(marks: Iterable[Mapping[str, Any]], page_count: int) -> dict[int, str]:
    """Page number → the legal ground it is secret on, for every page an active mark covers."""
    pages: dict[int, str] = {}
    for mark in active(marks):
        covered = mark.get("pages") or range(1, page_count + 1)
        for number in covered:
            pages.setdefault(int(number), str(mark["ground"]))
    return pages


def describe(mark: Mapping[str, Any]) -> str:
    """`OSL 26:1, sidorna 3–4, till 2045-01-01 (av anna, 2026-12-01)` for show and list."""
    parts = [str(mark["ground"])]
    pages = mark.get("pages")
    if pages:
        parts.append(f"{'sidan' if len(pages) == 1 else 'sidorna'} {_ranges(pages)}")
    else:
        parts.append("hela dokumentet")
    if mark.get("until"):
        parts.append(f"till {mark['until']}")
    return f"{', '.join(parts)} (av {mark.get('by') or 'okänd'}, {str(mark.get('at') or '')[:10]})"


def _ranges(pages: list[int]) -> str:
    out: list[str] = []
    start = prev = pages[0]
    for number in [*pages[1:], None]:
        if number is not None and number == prev + 1:
            prev = number
            continue
        out.append(str(start) if start == prev else f"{start}–{prev}")
        if number is not None:
            start = prev = number
    return ", ".join(out)


# `--set secrecy="OSL 26:1" [--set secrecy_pages=3-4] [--set secrecy_until=2045-01-01]` at
# ingest, or the same keys in a sidecar NAME.meta.yaml.
SET_KEYS = ("secrecy", "secrecy_pages", "secrecy_until")


def check_set_value(key: str, value: Any) -> Any:
    """A hand-set secrecy value checked when given, so a bad one stops before any work."""
    if key == "secrecy_pages":
        parse_pages(None if value is None else str(value))
        return None if value is None else str(value)
    if key == "secrecy_until":
        return parse_until(value)
    return " ".join(str(value or "").split()) or None


def mark_from_set(values: dict[str, Any], *, at: str, page_count: int) -> dict[str, Any] | None:
    """The mark the secrecy keys among hand-set values ask for (they are taken out of `values`)."""
    given = {key: values.pop(key) for key in SET_KEYS if key in values}
    if not given.get("secrecy"):
        if given.get("secrecy_pages") or given.get("secrecy_until"):
            raise SecrecyError("secrecy_pages och secrecy_until kräver secrecy=LAGRUM")
        return None
    return make_mark(
        given["secrecy"],
        pages=given.get("secrecy_pages"),
        until=given.get("secrecy_until"),
        at=at,
        page_count=page_count,
    )
