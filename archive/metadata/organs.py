"""The board (nämnd, styrelse, fullmäktige) a document belongs to, and its department.

Board and department names follow Swedish word formation ("Kultur- och utbildningsnämnden",
"Social- och omsorgsförvaltningen"), which is what the patterns here read; names that do not
(Göteborg's "Socialnämnd Sydväst") come from the municipality's data file.
"""

from __future__ import annotations

import re

from archive.metadata.lines import TOP_MAX_LINES, Doc, words

TOP_LINES = 2 * TOP_MAX_LINES  # lines with blank ones, furniture included

_WORD = r"[\w-]+"
_BOARD = rf"{_WORD}(?:\s+och\s+{_WORD})?(?:nämnden|styrelsen|fullmäktige)"
_BOARD_LINE = re.compile(rf"(?:{_BOARD}|nämnden för [\w ,-]+)", re.I)
# "Tjänsteskrivelse till arbetsmarknadsnämnden", "Missiv till kommunstyrelsen samt ...",
# "Till Göteborgs kommunfullmäktige".
_ADDRESSED = re.compile(
    rf"^(?:(?:tjänsteskrivelse|tjänsteutlåtande|missiv|skrivelse)\s+)?till\s+"
    rf"(?:[A-ZÅÄÖ]\w*s\s+)?(?P<board>{_BOARD})\b",
    re.I,
)
# "Kommunstyrelsens svar på revisionsrapport", "Förslag till social- och omsorgsnämndens beslut".
_GENITIVE = re.compile(rf"^(?:förslag till\s+)?(?P<board>{_BOARD})s\b", re.I)
# "Göteborgs Stad Kommunstyrelsen, protokoll": a protocol's running header.
_PROTOCOL = re.compile(
    rf"(?:^|\s)(?P<board>{_WORD}(?:nämnden|styrelsen|fullmäktige)),?\s+protokoll$", re.I
)
_DEPARTMENT_LINE = re.compile(r"[\w][\w ,-]*(?:förvaltningen|kontoret)", re.I)


def find_board(doc: Doc, title: str | None) -> str | None:
    common = doc.rules.common
    not_boards = {name.casefold() for name in common["not_boards"]}

    def accept(name: str) -> str | None:
        name = " ".join(name.split())
        if name.split()[-1].casefold() in not_boards:
            return None
        return _capitalised(name)

    for *_, value in doc.labelled(common["board_labels"], doc.top):
        if is_board_line(doc, value) and (found := accept(value)):
            return found
    for i in doc.letterhead:
        match = _ADDRESSED.match(doc.lines[i].text)
        if match and (found := accept(match.group("board"))):
            return found
    for i in doc.letterhead:
        text = doc.lines[i].text
        if is_board_line(doc, text) and (found := accept(text)):
            return found
    candidates = [title] if title else []
    candidates += [doc.lines[i].text for i in doc.body() if doc.lines[i].text.startswith("Förslag")]
    for text in candidates:
        match = _GENITIVE.match(text)
        if match and (found := accept(match.group("board"))):
            return found
    for line in doc.lines[:TOP_LINES]:
        match = _PROTOCOL.search(line.text)
        if match and (found := accept(match.group("board"))):
            return found
    # A protocol's board stands in its running header, after the first paragraph has begun.
    for i in doc.top:
        text = doc.lines[i].text
        if is_board_line(doc, text) and (found := accept(text)):
            return found
    return None


def is_board_line(doc: Doc, text: str) -> bool:
    """A line that is a board's name and nothing else."""
    if text.casefold() in doc.rules.boards:
        return True
    return (
        words(text) <= 8 and not re.search(r"[\d:;.]", text) and bool(_BOARD_LINE.fullmatch(text))
    )


def find_department(doc: Doc) -> str | None:
    for *_, value in doc.labelled(doc.rules.common["department_labels"], doc.top):
        if is_department_line(doc, value):
            return _capitalised(value)
    for i in doc.letterhead:
        text = doc.lines[i].text
        if is_department_line(doc, text):
            return _capitalised(text)
    return None


def is_department_line(doc: Doc, text: str) -> bool:
    if text.casefold() in doc.rules.departments:
        return True
    return (
        words(text) <= 6
        and not re.search(r"[\d:;.]", text)
        and bool(_DEPARTMENT_LINE.fullmatch(text))
    )


def _capitalised(name: str) -> str:
    """ "KOMMUNLEDNINGSFÖRVALTNINGEN" and "kommunstyrelsen" both become "Kommun..."."""
    if name.isupper():
        return name.capitalize()
    return name[0].upper() + name[1:]
