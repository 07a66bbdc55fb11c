"""The title: the ärendemening, the first line of the letterhead that is none of its fields."""

from __future__ import annotations

import re

from archive.metadata.case_numbers import read_case_number
from archive.metadata.dates import parse_date
from archive.metadata.lines import Doc, cells, is_label_line, is_list_item, words
from archive.metadata.organs import is_board_line, is_department_line
from archive.metadata.people import EMAIL, PHONE, is_name, is_role
from archive.metadata.places import PlaceFinder
from archive.model import KINDS

# A line saying what sort of document this is, not what it is about.
_DOCUMENT_TYPE = re.compile(
    r"^(?:tjänsteskrivelse|tjänsteutlåtande|missiv|skrivelse|rapportsammandrag|revisionsrapport|"
    r"granskningsrapport|(?:sammanträdes)?protokoll(?:sutdrag)?|yttrande|bilaga|promemoria|pm|"
    r"beslut|riktlinjer?|policy|anvisning|kallelse|handling)"
    r"(?:\s+(?:till\b.*|nr\s*\d+.*|\(nr\s*\d+\)))?$",
    re.I,
)
# "Administrativa enheten": a unit under the department, not the matter.
_UNIT = re.compile(r"^[\w ,-]{0,60}(?:enheten|avdelningen|sektionen|staben|kansliet)$", re.I)
_URL = re.compile(r"^(?:https?://|www\.)\S+$", re.I)
# A title line ending like this goes on on the next line.
_OPEN_END = re.compile(
    r"(?:-|\b(?:av|och|för|till|i|med|om|på|samt|inom|mot|från|vid|genom|över|under|efter|"
    r"enligt|avseende|gällande|angående|kring|de|den|det|en|ett))$",
    re.I,
)
# "Revisionsberättelse avseende Göteborgs" / "Stads verksamheter": the name runs on.
_STAD = re.compile(r"(?:Stads?|kommuns?)\b")
_CONJUNCTION = re.compile(r"(?:och|eller|samt|respektive|till)\b")
_SENTENCE_END = re.compile(r"[.!?]\s+[A-ZÅÄÖ]")
MAX_TITLE_LINES = 4
MAX_TITLE_WORDS = 40


def find_title(doc: Doc, places: PlaceFinder) -> tuple[str | None, int | None]:
    """The title and the index of its first line (so that it is not taken for a part's heading)."""
    values = _label_values(doc)
    for i in doc.letterhead:
        if doc.lines[i].where == "body" and i not in values and _could_be_title(doc, places, i):
            title = _joined(doc, i)
            # The first line of running text is no title, even when it is short.
            if _SENTENCE_END.search(title) or words(title) > MAX_TITLE_WORDS:
                return None, None
            return title, i
    # A long title ends the letterhead as if it were prose (seed 003); it is still the title if
    # it is no sentence and a headed part or a blank line follows it.
    end = doc.letterhead_end
    if end is not None and _could_be_title(doc, places, end) and not _sentence(doc, end):
        return _joined(doc, end), end
    return None, None


def _could_be_title(doc: Doc, places: PlaceFinder, i: int) -> bool:
    text = doc.lines[i].text
    return not (
        words(text) < 2
        or text[0].islower()  # the tail of a line above ("Missiv till ..." / "och bolag")
        or text.endswith(".")
        or len(cells(doc.lines[i].raw)) >= 3  # a table row
        or _UNIT.search(text)
        or doc.heading(i) is not None
        or is_label_line(text)
        or is_list_item(text)
        or _DOCUMENT_TYPE.match(text)
        or text.casefold() in KINDS  # "Svar på revisionsrapport" standing alone names the kind
        or parse_date(text)
        or read_case_number(text, doc.rules.case_number)
        or PHONE.fullmatch(text)
        or EMAIL.search(text)
        or _URL.match(text)
        or is_board_line(doc, text)
        or is_department_line(doc, text)
        or is_name(text)
        or is_role(doc, text)
        or places.is_name_line(text)
        or any(p.match(text) for p in doc.rules.header_skips)
        or _starts_with_label(doc, text)
    )


def _labels(doc: Doc) -> list[str]:
    common = doc.rules.common
    return [
        *common["case_number_labels"],
        *common["date_labels"],
        *common["meeting_date_labels"],
        *common["officer_labels"],
        *common["board_labels"],
        *common["department_labels"],
    ]


def _starts_with_label(doc: Doc, text: str) -> bool:
    return any(re.match(rf"{re.escape(label)}(?!\w)", text, re.I) for label in _labels(doc))


def _label_values(doc: Doc) -> set[int]:
    """Lines that are the value of a bare label above them ("Handläggare:" / "Emma Wallin")."""
    labels = {label.casefold() for label in _labels(doc)}
    taken: set[int] = set()
    for i in doc.letterhead:
        text = doc.lines[i].text
        bare = (text.endswith(":") and is_label_line(text)) or text.casefold() in labels
        if bare:
            taken.update(j for j in doc.next_text(i) if not is_label_line(doc.lines[j].text))
    return taken


def _sentence(doc: Doc, i: int) -> bool:
    """Running text: ends with a full stop, or runs on without a heading or blank line after it."""
    lines = _title_lines(doc, i)
    if doc.lines[lines[-1]].text.endswith((".", "!", "?")):
        return True
    after = lines[-1] + 1
    if after >= len(doc.lines) or not doc.lines[after].text:
        return False
    return doc.heading(after) is None


def _title_lines(doc: Doc, i: int) -> list[int]:
    lines = [i]
    while len(lines) < MAX_TITLE_LINES:
        nxt = lines[-1] + 1
        if nxt >= len(doc.lines) or doc.lines[nxt].where != "body":
            break
        text = doc.lines[nxt].text
        previous = doc.lines[lines[-1]].text
        if not text or doc.heading(nxt) is not None or is_label_line(text):
            break
        if not (text[0].islower() or _OPEN_END.search(previous) or _STAD.match(text)):
            break
        lines.append(nxt)
    return lines


def _joined(doc: Doc, i: int) -> str:
    parts = [doc.lines[j].text for j in _title_lines(doc, i)]
    title = parts[0]
    for part in parts[1:]:
        # "arbets-" + "marknad" is one word broken at the line end; "kultur-" + "och" is not.
        broken_word = title.endswith("-") and title[-2:-1].isalpha() and part[0].islower()
        hyphenated = broken_word and not _CONJUNCTION.match(part)
        title = title[:-1] + part if hyphenated else f"{title} {part}"
    return title.rstrip(":").strip()
