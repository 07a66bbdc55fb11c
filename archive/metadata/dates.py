"""The document's date, in the forms Swedish municipal documents write it.

Swedish month names are language, not municipal data, so they live here; which labels carry a
date is data (_common.yaml).
"""

from __future__ import annotations

import datetime as dt
import re

from archive.metadata.lines import Doc

MONTHS = {
    "januari": 1,
    "februari": 2,
    "mars": 3,
    "april": 4,
    "maj": 5,
    "juni": 6,
    "juli": 7,
    "augusti": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "december": 12,
}
_MONTH = "|".join(MONTHS)
ISO = r"(?<!\d)(?P<y>(?:19|20)\d\d)-(?P<m>\d\d?)-(?P<d>\d\d?)(?![\d-])"
LONG = rf"(?<!\d)(?P<ld>\d\d?)\s+(?P<lm>{_MONTH})\s+(?P<ly>(?:19|20)\d\d)(?!\d)"
_DATE = re.compile(rf"(?:den\s+)?(?:{ISO}|{LONG})", re.I)
# "2021-08-15", "2011-03-28/rev 2011-05-24": a date alone on a letterhead line.
_BARE = re.compile(rf"{ISO}(?:\s*/\s*rev(?:iderad)?\.?\s*(?:19|20)\d\d-\d\d?-\d\d?)?\.?", re.I)
# "Göteborg den 1 september 2023": the place and date under a letter or report.
_PLACE = r"[A-ZÅÄÖ][a-zåäöé]+(?:[ -][A-ZÅÄÖ][a-zåäöé]+)?"
_PLACE_DATE = re.compile(rf"(?P<place>{_PLACE}),?\s+den\s+{LONG}\.?")
_NOT_PLACE = re.compile(r"(?:nämnden|styrelsen|fullmäktige|förvaltningen|kontoret|revisionen)$")


def parse_date(value: str) -> str | None:
    """The date a value starts with, as YYYY-MM-DD; None if it starts with none or is invalid."""
    match = _DATE.match(value.strip())
    return _iso(match) if match else None


def _iso(match: re.Match[str]) -> str | None:
    groups = match.groupdict()
    if groups.get("y"):
        year, month, day = int(groups["y"]), int(groups["m"]), int(groups["d"])
    else:
        year, month, day = int(groups["ly"]), MONTHS[groups["lm"].lower()], int(groups["ld"])
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def find_date(doc: Doc) -> str | None:
    common = doc.rules.common
    for *_, value in doc.labelled(common["date_labels"], doc.top):
        if found := parse_date(value):
            return found
    everywhere = [i for i in doc.body() if doc.lines[i].text]
    for *_, value in doc.labelled(common["meeting_date_labels"], doc.top + everywhere):
        if found := parse_date(value):
            return found
    for i in doc.letterhead:
        match = _BARE.fullmatch(doc.lines[i].text)
        if match and (found := _iso(match)):
            return found
    for i in everywhere:
        match = _PLACE_DATE.fullmatch(doc.lines[i].text)
        place_ok = match and not _NOT_PLACE.search(match.group("place").lower())
        if place_ok and (found := _iso(match)):
            return found
    return None
