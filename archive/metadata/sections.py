"""The headed parts of a document (Förslag till beslut, Ärendet, Bakgrund, a protocol's §§)."""

from __future__ import annotations

from archive.metadata.lines import Doc, readable
from archive.metadata.organs import is_board_line, is_department_line
from archive.model import Section


def find_sections(doc: Doc, title_line: int | None) -> list[Section]:
    """Parts start at the headings listed in the data, and at Markdown or Word headings.

    Headings inside the letterhead and the title itself start no part.
    """
    marked = set()
    if doc.extraction.format in ("md", "docx"):
        marked = {" ".join(h.text.split()).casefold() for h in doc.extraction.headings}
    letterhead = set(doc.letterhead)
    sections: list[Section] = []
    current: list[str] | None = None
    for i in doc.body():
        line = doc.lines[i]
        heading = None
        if i != title_line and i not in letterhead and line.text:
            heading = doc.heading(i)
            if heading is None and line.text.casefold() in marked and _marked_ok(doc, line.text):
                heading = line.text
        if heading is not None:
            if current is not None:
                sections[-1].text = _tidy(current)
            sections.append(Section(heading=heading, text=""))
            current = []
        elif current is not None:
            current.append(readable(line.raw))
    if current is not None:
        sections[-1].text = _tidy(current)
    return sections


def _marked_ok(doc: Doc, text: str) -> bool:
    """A Markdown or Word heading that names a part, not a case number or a running header."""
    return (
        sum(c.isalpha() for c in text) >= 2
        and not text[0].islower()  # the tail of a heading a converter broke in two
        and not text.startswith("(")
        and not text.endswith((".", ","))
        and not is_department_line(doc, text)
        and not is_board_line(doc, text)
    )


def _tidy(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()
