"""The officers (handläggare) responsible for a document.

A name is taken after a label ("Handläggare:", "Referens") or, unlabelled, from the letterhead's
contact block, where a name stands beside a date, a phone number, a role or a department line
(seeds 001 and 004). Signatures at the end are not officers in this sense and are not read.
"""

from __future__ import annotations

import re

from archive.metadata.dates import parse_date
from archive.metadata.lines import Doc, words
from archive.metadata.organs import is_board_line, is_department_line

_NAME_WORD = r"[A-ZÅÄÖÉÜ][a-zåäöéèüáíóæø]+(?:-[A-ZÅÄÖÉÜ][a-zåäöéèüáíóæø]+)?"
NAME = re.compile(rf"{_NAME_WORD}(?: (?:(?:af|von|van|de|der|da|di|el|al) )?{_NAME_WORD}){{1,3}}")
_NOT_NAME = re.compile(
    r"(?:nämnden?|styrelsen|förvaltningen|kontoret|enheten|avdelningen|revisionen|kommun|stad|"
    r"region|regionen|gruppen|sektionen|verket|myndigheten|bolaget|ab)$",
    re.I,
)
_SPLIT = re.compile(r"\s*(?:,|;|/|\s&\s|\soch\s)\s*")
PHONE = re.compile(
    r"(?:(?:tel(?:efon)?|mobil|direkt)\.?:?\s*)?(?:\+46\s?|0)\d{1,3}(?:[- ]?\d{1,4}){2,4}", re.I
)
EMAIL = re.compile(r"\S+@\S+\.\w+")


def is_name(text: str) -> bool:
    """A person's name: 2-4 capitalised words, none of them an organisation's."""
    # Place names are not excluded: Berg, Mora and Sala are surnames as well as municipalities.
    return bool(NAME.fullmatch(text)) and not any(_NOT_NAME.search(w) for w in text.split())


def is_role(doc: Doc, text: str) -> bool:
    """ "Avdelningschef", "Tf förvaltningschef": a line naming a post."""
    pattern = doc.rules.common["officer_roles"]
    return bool(pattern) and words(text) <= 4 and bool(re.search(pattern, text, re.I))


def find_officers(doc: Doc) -> list[str]:
    labels = doc.rules.common["officer_labels"]
    found: list[str] = []
    done: set[int] = set()
    for label, at, value in doc.labelled(labels, doc.top):
        names = _names(doc, value) if label not in done else []
        if not names:
            continue
        done.add(label)
        found.extend(names)
        if at != label:  # the value stood under the label: more names may follow, one a line
            for j in doc.next_text(at, limit=5):
                more = _names(doc, doc.lines[j].text)
                if len(more) != 1:
                    break
                found.extend(more)
    return list(dict.fromkeys(found or _contact_block(doc)))


def _names(doc: Doc, value: str) -> list[str]:
    parts = [p.strip() for p in _SPLIT.split(value) if p.strip()]
    names = [p for p in parts if is_name(p)]
    return names if names and is_name(parts[0]) else []


def _contact_block(doc: Doc) -> list[str]:
    zone = doc.letterhead
    names = []
    for n, i in enumerate(zone):
        text = doc.lines[i].text
        if not is_name(text):
            continue
        neighbours = [doc.lines[zone[m]].text for m in (n - 1, n + 1) if 0 <= m < len(zone)]
        if any(_contact_line(doc, t) for t in neighbours):
            names.append(text)
    return names


def _contact_line(doc: Doc, text: str) -> bool:
    return bool(
        parse_date(text)
        and words(text) <= 2
        or PHONE.fullmatch(text)
        or EMAIL.fullmatch(text)
        or is_role(doc, text)
        or is_department_line(doc, text)
        or is_board_line(doc, text)
    )
