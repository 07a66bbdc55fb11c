"""The document's date, in the forms Swedish municipal documents write it.

Swedish month names are language, not municipal data, so they live here; which labels carry a
date is data (_common.yaml).
"""

from __future__ import annotations

import datetime as dt
import re

from archive.metadata.front import after_labels, front_text, heads, label_alternation
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
_WEEKDAY = r"(?:måndag|tisdag|onsdag|torsdag|fredag|lördag|söndag)(?:en)?"
# "Tisdag den 20 mars 2012", "torsdag 2017-01-26": a weekday names a meeting's day.
_WEEKDAY_DATE = re.compile(rf"\b{_WEEKDAY}\s+(?:den\s+)?(?:{ISO}|{LONG})", re.I)
_ANY_DATE = rf"(?:den\s+)?(?:{ISO}|{LONG})"
# A protocol's own heading with its date: "NTN Mötesprotokoll 2019-06-12", "SAMMANTRÄDESPROTOKOLL
# Sida Kommunstyrelsen 2013-01-09", "Protokoll KF 2017-06-21".
_PROTOCOL_HEAD = re.compile(
    rf"\b(?:sammanträdes|möte?s)?protokoll\b(?!et)[^\d\n]{{0,60}}?{_ANY_DATE}", re.I
)
# A row of values under a row of labels: "Yttrande Diarienr:" / "2010-05-24 2010/124".
_VALUE_ROW = re.compile(rf"{ISO}\s+\S+(?:\s+\S+){{0,2}}")
BOARD_WORD = r"[\wåäöÅÄÖ-]*(?:nämnd(?:en)?|styrelse(?:n)?|fullmäktige|utskott(?:et)?)"

FOR_PROTOCOLS = ("protokoll", "protokollsutdrag", "annat")


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


def find_date(doc: Doc, kind: str = "annat") -> str | None:
    return find_date_by(doc, kind)[0]


def find_date_by(doc: Doc, kind: str = "annat") -> tuple[str | None, str | None]:
    """The date and the name of the rule that read it.

    The document's own date only: the meeting's for a protocol, the issue date of a letter, the
    cover's of a report; never a period's end ("1 januari 31 mars 2011") or a cited document's.
    """
    common = doc.rules.common
    for *_, value in doc.labelled(common["date_labels"], doc.top):
        if found := parse_date(value):
            return found, "date label"
    everywhere = [i for i in doc.body() if doc.lines[i].text]
    for *_, value in doc.labelled(common["meeting_date_labels"], doc.top + everywhere):
        if found := parse_date(value):
            return found, "meeting date label"
    if found := _layout(doc):
        return found, "letterhead date"
    return _inline(doc, kind) or (None, None)


def _first(matches) -> str | None:
    for match in matches:
        if found := _iso(match):
            return found
    return None


def _inline(doc: Doc, kind: str) -> tuple[str | None, str | None] | None:
    """Dates whose label stands inside a line, as in text that lost its layout."""
    common = doc.rules.common
    front = front_text(doc)
    # "Organ och sammanträdesdatum Kommunstyrelsen 2014-09-09": the board may stand between.
    if found := _first(after_labels(front, common["meeting_date_labels"], _ANY_DATE, gap=60)):
        return found, "meeting date label"
    if found := _first(after_labels(front, common["date_labels"], _ANY_DATE)):
        return found, "date label"
    protocol = kind in FOR_PROTOCOLS
    if protocol:
        for head in heads(doc):
            if found := _first(_PROTOCOL_HEAD.finditer(head.text)):
                return found, "protocol heading"
        if found := _first(after_labels(front, common["time_labels"], _ANY_DATE, gap=120)):
            return found, "meeting time label"
        if found := _first(_WEEKDAY_DATE.finditer(front)):
            return found, "meeting weekday"
    if kind == "revisionsrapport":
        auditors = label_alternation(common["auditors"])
        cover = re.compile(rf"(?<!\w)(?:{auditors})(?!\w),?\s+{_ANY_DATE}")
        for head in heads(doc):
            if found := _first(cover.finditer(head.text)):
                return found, "auditors' cover"
    if kind == "verksamhetsuppföljning":
        if found := _first(after_labels(front, common["cover_date_labels"], _ANY_DATE, gap=40)):
            return found, "cover date"
        cover = re.compile(rf"(?<!\w){BOARD_WORD},?\s+{_ANY_DATE}", re.I)
        for head in heads(doc):
            if found := _first(cover.finditer(head.text)):
                return found, "board and date on the cover"
    if kind not in ("protokoll",):
        for i in doc.letterhead[:6]:
            match = _VALUE_ROW.fullmatch(doc.lines[i].text)
            if match and (found := _iso(match)):
                return found, "value row"
    return None


def _layout(doc: Doc) -> str | None:
    everywhere = [i for i in doc.body() if doc.lines[i].text]
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
