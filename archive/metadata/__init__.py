"""Metadata read from a document's text by rules that know Swedish municipal documents.

A value the text does not state stays empty (None or []); nothing is guessed. The municipality
a person gives (`--municipality`) wins over the text and chooses that municipality's data file.
"""

from __future__ import annotations

from archive.metadata import profiles as _profiles
from archive.metadata.case_numbers import find_case_number
from archive.metadata.dates import find_date
from archive.metadata.kinds import find_kind
from archive.metadata.lines import Doc
from archive.metadata.organs import find_board, find_department
from archive.metadata.people import find_officers
from archive.metadata.places import PlaceFinder
from archive.metadata.profiles import Profiles
from archive.metadata.sections import find_sections
from archive.metadata.titles import find_title
from archive.model import Extraction, Metadata

_FINDERS: dict[int, PlaceFinder] = {}


def read_metadata(
    extraction: Extraction,
    *,
    municipality: str | None = None,
    profiles: Profiles | None = None,
) -> Metadata:
    """Read kind, title, date, case number, municipality, board, department, officers, sections.

    `profiles` defaults to the shipped data; pass `profiles.load(extra_dirs=[...])` to add a
    user's own municipality files.
    """
    profiles = profiles or _profiles.load()
    finder = _FINDERS.get(id(profiles))
    if finder is None:
        finder = _FINDERS[id(profiles)] = PlaceFinder(profiles)
    if municipality and municipality.strip():
        municipality = profiles.canonical(municipality)
        doc = Doc.of(extraction, profiles.rules(municipality))
    else:
        # Every municipality's furniture lines count while it is not yet known which one it is.
        doc = Doc.of(extraction, profiles.rules(None))
        municipality = finder.find(doc)
        if profiles.profile(municipality):
            doc = doc.with_rules(profiles.rules(municipality))
    title, title_line = find_title(doc, finder)
    sections = find_sections(doc, title_line)
    kind = find_kind(doc, profiles.kind_rules, title, sections)
    if kind == "protokoll":
        title = None  # a protocol's first line is its first paragraph's matter, not its title
    return Metadata(
        kind=kind,
        title=title,
        date=find_date(doc, kind),
        case_number=find_case_number(doc, kind),
        municipality=municipality,
        board=find_board(doc, title),
        department=find_department(doc),
        officers=find_officers(doc),
        sections=sections,
    )
