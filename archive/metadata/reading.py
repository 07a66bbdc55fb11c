"""read_metadata: every finder of archive/metadata/ run over one document's text."""

from __future__ import annotations

from archive.metadata import profiles as _profiles
from archive.metadata.case_numbers import find_case_number_by
from archive.metadata.dates import find_date_by
from archive.metadata.kinds import find_kind_by
from archive.metadata.lines import Doc
from archive.metadata.organs import find_board_by, find_department
from archive.metadata.people import find_officers
from archive.metadata.places import PlaceFinder
from archive.metadata.profiles import Profiles
from archive.metadata.sections import find_sections
from archive.metadata.titles import (
    composed_title,
    find_title,
    paragraph_title,
    piece_title,
    tidy_title,
)
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
    rules: dict[str, str | None] = {}
    if municipality and municipality.strip():
        municipality = profiles.canonical(municipality)
        doc = Doc.of(extraction, profiles.rules(municipality))
    else:
        # Every municipality's furniture lines count while it is not yet known which one it is.
        doc = Doc.of(extraction, profiles.rules(None))
        municipality, rules["municipality"] = finder.find_by(doc)
        if profiles.profile(municipality):
            doc = doc.with_rules(profiles.rules(municipality))
    title, title_line = find_title(doc, finder)
    sections = find_sections(doc, title_line)
    kind, kind_rule = find_kind_by(doc, profiles.kind_rules, title, sections)
    rules["kind"] = f"kind {kind_rule}" if kind_rule else None
    pieces = piece_title(doc, finder, kind)
    title = pieces or tidy_title(title)
    rules["title"] = "first line's pieces" if pieces else "letterhead title"
    board, rules["board"] = find_board_by(doc, title, kind)
    date, rules["date"] = find_date_by(doc, kind)
    case_number, rules["case_number"] = find_case_number_by(doc, kind)
    if kind in ("protokoll", "annat") and (composed := composed_title(doc, board, date)):
        # A protocol's first line is its first paragraph's matter; its title says what it is.
        title, rules["title"] = composed, "protocol's form, board and date"
    elif kind == "protokoll":
        title = None
    elif kind == "protokollsutdrag" and (matter := paragraph_title(doc, finder)):
        title, rules["title"] = matter, "paragraph's matter"
    department = find_department(doc)
    officers = find_officers(doc)
    values = {
        "kind": kind,
        "title": title,
        "date": date,
        "case_number": case_number,
        "municipality": municipality,
        "board": board,
        "department": department,
        "officers": officers,
    }
    provenance = {
        key: {"source": "rule", "rule": rules.get(key) or key.replace("_", " ")}
        for key, value in values.items()
        if value and (key != "kind" or value != "annat" or rules.get("kind"))
    }
    return Metadata(
        kind=kind,
        title=title,
        date=date,
        case_number=case_number,
        municipality=municipality,
        board=board,
        department=department,
        officers=officers,
        sections=sections,
        provenance=provenance,
    )
