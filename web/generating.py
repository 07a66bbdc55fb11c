"""A kind's schema as an HTML form, and the form's answers back as the data `generate` takes.

Field by field from `templates.schema`: text and case numbers as one line, dates as a date
field, text blocks as a text area, lists of text as a text area with one item per line, lists
of records (handläggare, underskrifter) as a few rows of their sub-fields, table rows as one row
per line with cells separated by ";". The refusals of `templates.validate` are placed beside the
field they name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from templates.schema import Field, Kind
from templates.validate import Problem

RECORD_ROWS = 3  # empty rows offered for a list of records (more: submit and come back)


@dataclass
class FormField:
    name: str
    label: str
    help: str
    required: bool
    widget: str  # "line", "date", "area", "records"
    value: str = ""
    sub: list[Field] = field(default_factory=list)
    # records: a row per record of (input name, label, value)
    rows: list[list[tuple[str, str, str]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _widget(spec: Field) -> str:
    if spec.is_record_list:
        return "records"
    if spec.type in ("textblock", "list", "rows"):
        return "area"
    return "date" if spec.type == "date" else "line"


def _as_text(spec: Field, value: Any) -> str:
    if value in (None, ""):
        return ""
    if spec.type == "rows":
        return "\n".join(" ; ".join(str(c) for c in row) for row in value)
    if spec.type == "list" and isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value)


def form_fields(
    kind: Kind, values: Mapping[str, Any] | None = None, problems: Iterable[Problem] = ()
) -> tuple[list[FormField], list[str]]:
    """The form's fields with the values typed so far and their errors; problems that name no
    field (the template, the whole document) come back apart."""
    values = values or {}
    by_field: dict[str, list[str]] = {}
    general: list[str] = []
    for problem in problems:
        top = re.split(r"[.\[]", problem.where, maxsplit=1)[0]
        if top in kind.fields:
            said = problem.message if problem.where == top else str(problem)
            by_field.setdefault(top, []).append(said)
        else:
            general.append(str(problem))
    out = []
    for spec in kind.fields.values():
        item = FormField(
            name=spec.name,
            label=spec.label,
            help=spec.help,
            required=spec.required,
            widget=_widget(spec),
            errors=by_field.get(spec.name, []),
        )
        if item.widget == "records":
            assert isinstance(spec.item, dict)
            item.sub = list(spec.item.values())
            records = list(values.get(spec.name) or [])
            count = max(len(records) + 1, RECORD_ROWS)
            for i in range(count):
                record = records[i] if i < len(records) else {}
                item.rows.append(
                    [
                        (f"{spec.name}-{i}-{sub.name}", sub.label, str(record.get(sub.name) or ""))
                        for sub in item.sub
                    ]
                )
        else:
            item.value = _as_text(spec, values.get(spec.name))
        out.append(item)
    return out, general


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def parse_form(kind: Kind, post: Any) -> dict[str, Any]:
    """The answers as generate's data: empty answers left out, so `validate` names what is
    missing."""
    data: dict[str, Any] = {}
    for spec in kind.fields.values():
        if spec.is_record_list:
            assert isinstance(spec.item, dict)
            records = []
            i = 0
            while f"{spec.name}-{i}-{next(iter(spec.item))}" in post:
                record = {sub: post.get(f"{spec.name}-{i}-{sub}", "").strip() for sub in spec.item}
                record = {k: v for k, v in record.items() if v}
                if record:
                    records.append(record)
                i += 1
            if records:
                data[spec.name] = records
            continue
        raw = (post.get(spec.name) or "").replace("\r\n", "\n").strip()
        if not raw:
            continue
        if spec.type == "rows":
            data[spec.name] = [[c.strip() for c in line.split(";")] for line in _lines(raw)]
        elif spec.type == "list":
            data[spec.name] = _lines(raw)
        else:
            data[spec.name] = raw
    return data
