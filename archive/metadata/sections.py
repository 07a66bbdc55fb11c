"""The headed parts of a document (Förslag till beslut, Ärendet, Bakgrund, a protocol's §§)."""

from __future__ import annotations

from archive.metadata.lines import Doc, readable
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
            if heading is None and line.text.casefold() in marked:
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


def _tidy(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()
