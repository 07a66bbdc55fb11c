"""The board (nämnd, styrelse, fullmäktige) a document belongs to, and its department.

Board and department names follow Swedish word formation ("Kultur- och utbildningsnämnden",
"Social- och omsorgsförvaltningen"), which is what the patterns here read; names that do not
(Göteborg's "Socialnämnd Sydväst") come from the municipality's data file.
"""

from __future__ import annotations

import re

from archive.metadata.front import after_labels, front_text, heads
from archive.metadata.lines import TOP_MAX_LINES, Doc, words

TOP_LINES = 2 * TOP_MAX_LINES  # lines with blank ones, furniture included
HEADER_LINES = 3  # a board named in the first words of these first lines heads the document

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


def find_board(doc: Doc, title: str | None, kind: str = "annat") -> str | None:
    return find_board_by(doc, title, kind)[0]


def find_board_by(
    doc: Doc, title: str | None, kind: str = "annat"
) -> tuple[str | None, str | None]:
    """The board and the name of the rule that read it."""
    found = _from_layout(doc, title)
    if found:
        return found, "letterhead board"
    return _from_front(doc, title, kind)


def _from_layout(doc: Doc, title: str | None) -> str | None:
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


# A board's name inside running text: "Barn- och utbildningsnämnden", "Kommunstyrelsens
# arbetsutskott", "Kommunledningsutskottet", "Åtvidabergs kommunstyrelse" (the last word of a
# compound names the organ; a bare "nämnden" names none).
_ORGAN = (
    r"(?:[A-ZÅÄÖa-zåäö]+-\s+och\s+)?[A-ZÅÄÖa-zåäö]{3,}(?:nämnd(?:en)?|styrelse(?:n)?|fullmäktige|"
    r"utskott(?:et)?)(?:s\s+arbetsutskott)?"
)
_ORGAN_WORD = re.compile(rf"(?<![\wåäö-])(?P<board>{_ORGAN})(?P<genitive>s)?(?![\wåäö-])")
_NOT_ORGAN = re.compile(r"(?:omnämnd|benämnd|ovannämnd|ledamotsnämnd)", re.I)
_PROTOCOL_WORD = r"(?:sammanträdes|möte?s)?protokoll(?!et)\b"
_BETWEEN = r"(?:\s+(?:sida|sammanträdesdatum|utdrag|\d{1,3}\s*\(\d{1,3}\)|\(\d{1,3}\)|\d{1,3}))*"
_MUNICIPAL_GENITIVE = re.compile(
    r"^(?![\wåäö-]*(?:nämnd|styrelse|fullmäktige|utskott))[A-ZÅÄÖ][\wåäö-]+s\s+(?=[a-zåäö])"
)
_SEVERAL = re.compile(r"\s+(?:och|samt)\s+(?:nämnderna|övriga nämnder|styrelserna)", re.I)


def _organs(text: str, *, genitive: bool = False) -> list[re.Match[str]]:
    """Boards named in a text; a genitive ("nämndens ordförande") only when asked for."""
    return [
        m
        for m in _ORGAN_WORD.finditer(text)
        if not _NOT_ORGAN.search(m.group("board"))
        and not _SEVERAL.match(text, m.end())
        and (genitive or not m.group("genitive"))
    ]


def _from_front(doc: Doc, title: str | None, kind: str) -> tuple[str | None, str | None]:
    """Boards named inside lines, as in text that lost its layout, by the document's kind."""
    common = doc.rules.common
    front = front_text(doc)
    head_texts = [h.text for h in heads(doc)]
    abbreviations = doc.rules.board_abbreviations
    short = "|".join(sorted(map(re.escape, abbreviations), key=len, reverse=True)) or "(?!)"
    if kind in ("protokoll", "protokollsutdrag", "annat"):
        organ = rf"(?P<board>{_ORGAN})(?![\wåäö-])"
        for match in after_labels(front, common["board_labels"], organ):
            return _normalised(match.group("board")), "board label in a line"
        if m := re.search(rf"\bprotokollet från\s+(?P<board>{_ORGAN})", front, re.I):
            return _normalised(m.group("board")), "protocol's organ"
        for text in head_texts:
            after = re.search(
                rf"{_PROTOCOL_WORD}{_BETWEEN}\s+(?P<board>{_ORGAN})(?![\wåäö-])", text, re.I
            )
            before = re.search(rf"(?P<board>{_ORGAN})\s+{_PROTOCOL_WORD}", text, re.I)
            for m in (before, after):
                if m and _organs(m.group("board")):
                    return _normalised(m.group("board")), "protocol's heading"
            abbreviated = re.search(
                rf"(?:\b{_PROTOCOL_WORD}\s+(?P<a>[A-ZÅÄÖ]{{2,5}})\b|\b(?P<b>[A-ZÅÄÖ]{{2,5}})\s+{_PROTOCOL_WORD})",
                text,
                re.I,
            )
            if abbreviated:
                name = abbreviated.group("a") or abbreviated.group("b")
                if name.isupper():
                    return abbreviations.get(name, name), "protocol's heading"
            if (
                m := re.match(rf"(?P<board>{_ORGAN})\s+(?:(?:19|20)\d\d-\d\d-\d\d|$)", text)
            ) and _organs(m.group("board")):
                return _normalised(m.group("board")), "protocol's heading"
        if m := re.search(rf"(?P<board>{_ORGAN})\s+kallas\s+till\s+sammanträde", front):
            return _normalised(m.group("board")), "notice of meeting"
    if kind in ("verksamhetsuppföljning",):
        cover = re.compile(
            rf"(?:\b(?:godkänd|antagen|fastställd|behandlad)\s+av\s+|\btill\s+)(?:(?P<board>{_ORGAN})|(?P<short>{short})\b)|(?P<dated>{_ORGAN}),?\s+(?:den\s+)?\d",
            re.I,
        )
        for text in head_texts:
            if m := cover.search(text):
                if m.group("short"):
                    return abbreviations[m.group("short")], "report's cover"
                return _normalised(m.group("board") or m.group("dated")), "report's cover"
        return None, None
    if kind == "protokoll":
        return None, None
    # "Till Kommunstyrelsen": an address line (capitalised), not "avlämnar till fullmäktige".
    for m in re.finditer(rf"\bTill\s+(?P<board>{_ORGAN})(?![\wåäö-])", front):
        if _organs(m.group("board")):
            return _normalised(m.group("board")), "addressed to"
    if kind in ("tjänsteskrivelse", "yttrande", "svar på revisionsrapport", "revisionsrapport"):
        first_lines = sorted({h.line for h in heads(doc)})[:HEADER_LINES]
        for head in heads(doc):
            for m in _organs(head.text) if head.line in first_lines else ():
                return _normalised(m.group("board")), "board in the header"
    if kind == "revisionsrapport":
        # "Granskning av överförmyndarnämndens verksamhet": the audited board.
        found = _organs(title, genitive=True) if title else []
        if len({_normalised(m.group("board")) for m in found}) == 1:
            return _normalised(found[0].group("board")), "audited board in the title"
        audited = re.search(
            rf"\bgranskat\s+(?:om\s+|hur\s+|huruvida\s+)?(?P<board>{_ORGAN})", front, re.I
        )
        if audited and _organs(audited.group("board")):
            return _normalised(audited.group("board")), "audited board"
        return None, None
    text = "\n".join(doc.lines[i].text for i in doc.body())
    decided = re.search(
        rf"(?:\bhar\s+(?P<a>{_ORGAN})\s+beslutat\b|^(?P<b>{_ORGAN})\s+beslutar\b)",
        text,
        re.I | re.M,
    )
    if decided:
        return _normalised(decided.group("a") or decided.group("b")), "deciding board"
    return None, None


def _normalised(name: str) -> str:
    """ "Åtvidabergs kommunstyrelse" -> "Kommunstyrelsen": the board, in its definite form."""
    name = _MUNICIPAL_GENITIVE.sub("", " ".join(name.split()))
    folded = name.casefold()
    if folded.endswith("nämnd"):
        name += "en"
    elif folded.endswith("styrelse"):
        name += "n"
    return _capitalised(name)


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
