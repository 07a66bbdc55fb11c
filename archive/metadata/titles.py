"""The title: the ärendemening, the first line of the letterhead that is none of its fields."""

from __future__ import annotations

import re

from archive.metadata.case_numbers import read_case_number
from archive.metadata.dates import parse_date
from archive.metadata.front import heads
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
TITLE_SEARCH_LINES = 20  # lines from the top where a protocol extract's paragraph starts


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


# The word a protocol or notice prints for what it is: "SAMMANTRÄDESPROTOKOLL", "Protokoll",
# "NTN Mötesprotokoll", "KALLELSE" (not "Protokollet är justerat").
_FORM_WORD = re.compile(
    r"\b(?P<form>sammanträdesprotokoll|möte?sprotokoll|protokoll|kallelse)\b(?!et)", re.I
)
_PARAGRAPH = re.compile(r"^(?:[A-ZÅÄÖ][A-Za-zÅÄÖåäö]{0,5} )?§ ?\d+\b")
_CONTENTS = re.compile(r"\s*(?:innehållsförteckning|innehåll)\b.*$", re.I)
_CASE_LABEL = re.compile(r"\b(?:dnr|diarienummer|diarienr)\b", re.I)
_TRAILING_PLACE = re.compile(r"^(?P<rest>.+?)\s+[\wåäöÅÄÖ-]+\s+(?:kommun|stad)$", re.I)
_HAS_DATE = re.compile(
    r"\b(?:19|20)\d\d-\d\d-\d\d\b|\b\d{1,2} (?:januari|februari|mars|april|maj|juni|juli|"
    r"augusti|september|oktober|november|december) (?:19|20)\d\d\b",
    re.I,
)
_MUNICIPALITY_END = re.compile(r"\b(?:kommun|stad)$", re.I)


def composed_title(doc: Doc, board: str | None, date: str | None) -> str | None:
    """A protocol's or notice's title says what it is: "Sammanträdesprotokoll Kommunstyrelsen
    2018-02-06" - only when the document prints its form's name."""
    forms = [m.group("form") for h in heads(doc) for m in _FORM_WORD.finditer(h.text)]
    # "Titel: Protokoll" over "SAMMANTRÄDESPROTOKOLL": the fuller name is the heading's.
    forms.sort(key=lambda form: -len(form))
    if forms:
        return " ".join(part for part in (forms[0].capitalize(), board, date) if part)
    first = heads(doc)[:1]
    # "Kommunfullmäktige 2002-12-02 1(28)": a protocol headed by its organ and date.
    if (
        first
        and board
        and date
        and re.fullmatch(rf"{re.escape(board)}\s+{date}(?:\s+\d+\s*\(\d+\))?", first[0].text, re.I)
    ):
        return f"{board} {date}"
    return None


def paragraph_title(doc: Doc, places: PlaceFinder) -> str | None:
    """A protocol extract's title: the matter under its paragraph's number ("BUN § 83")."""
    for i in doc.top[:TITLE_SEARCH_LINES]:
        if not _PARAGRAPH.match(doc.lines[i].text):
            continue
        for j in doc.next_text(i, limit=4):
            text = doc.lines[j].text
            if is_label_line(text) or read_case_number(
                text.removeprefix("Dnr "), doc.rules.case_number
            ):
                continue
            if text.lower().startswith(("dnr", "diariekod")) or parse_date(text):
                continue
            return _joined(doc, j) if _could_be_title(doc, places, j) else None
        return None
    return None


def piece_title(doc: Doc, places: PlaceFinder, kind: str) -> str | None:
    """The title among the pieces of a first line joined with ". " (a hosting page's title)."""
    pieces = [h.text for h in heads(doc) if h.piece]
    if len(pieces) < 2:
        return None
    title: list[str] = []
    for piece in pieces:
        trimmed = _TRAILING_PLACE.match(piece)
        if trimmed and _report_name(trimmed.group("rest")) and kind == "verksamhetsuppföljning":
            piece = trimmed.group("rest")  # "ÅRSREDOVISNING 2012 MUNKFORS KOMMUN"
        if _skipped_piece(doc, places, piece, kind):
            if title:
                break
            continue
        if title and (re.search(r"\d", piece) or re.search(r"\d", title[-1])):
            break
        title.append(piece)
    return " ".join(title) or None


def _skipped_piece(doc: Doc, places: PlaceFinder, piece: str, kind: str) -> bool:
    alone_ok = kind == "verksamhetsuppföljning" and _report_name(piece)
    return (
        _HAS_DATE.search(piece) is not None
        or _CASE_LABEL.search(piece) is not None
        or _FORM_WORD.search(piece) is not None
        or "protokollsutdrag" in piece.casefold()
        or places.is_name_line(piece)
        or _MUNICIPALITY_END.search(piece) is not None
        or is_board_line(doc, piece)
        or is_name(piece)
        or any(p.match(piece) for p in doc.rules.header_skips)
        or (not alone_ok and (words(piece) < 2 or _DOCUMENT_TYPE.match(piece) is not None))
    )


def _report_name(text: str) -> bool:
    """ "Delårsrapport 1/1 30/6 2013", "ÅRSREDOVISNING 2012": a report's name and period."""
    return bool(re.match(r"^[A-ZÅÄÖa-zåäö]+(?:\s+[\d/ –-]+)?$", text))


def tidy_title(title: str | None) -> str | None:
    """A title never runs on into the table of contents; a document's form and date are none."""
    if not title:
        return title
    title = _CONTENTS.sub("", title).strip()
    if _DOCUMENT_TYPE.match(re.sub(r"[\d\s()–/-]+$", "", title)) and _HAS_DATE.search(title):
        return None
    return title or None
