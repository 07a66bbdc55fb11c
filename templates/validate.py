"""Check a kind's data before anything is written, and report every problem at once.

A registrar fixing a data file wants the whole list in one go, not one error per run, so nothing
here raises on the first problem: each check appends a one-line `Problem` and carries on.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive import messages as msg
from archive.metadata.profiles import case_number_pattern
from archive.written import line_of, refuse_bool
from templates.schema import Field, Kind

# Word's own prompt texts ("Klicka här för att ange text.") that mark a field nobody filled in.
WORD_PROMPT = re.compile(
    r"Klicka (?:eller tryck )?här för att|Skriv text här|Click (?:or tap )?here to enter",
    re.IGNORECASE,
)
DATE_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Problem:
    where: str  # a field path such as "handläggare[2].epost", or "" for the whole document
    message: str
    line: int = 0  # the data file's line the value stands on, when known

    def __str__(self) -> str:
        where = msg.AT_LINE.format(where=self.where, line=self.line) if self.line else self.where
        return f"{where}: {self.message}" if where else self.message


def validate(
    kind: Kind, data: Mapping[str, Any], *, municipality_dirs: Sequence[Path] = ()
) -> tuple[dict[str, Any], list[Problem]]:
    """The data normalised for rendering (every schema field present) and all problems found.

    `municipality_dirs` are extra folders of municipality YAML (the archive's `municipalities`).
    """
    problems: list[Problem] = []
    for name in data:
        if name not in kind.fields:
            problems.append(
                Problem(str(name), f"okänt fält (finns inte i schemat för {kind.slug})")
            )
    values = _record(kind.fields, data, "", problems)
    _check_case_number(kind, values, data, problems, municipality_dirs)
    return values, problems


def _record(
    fields: Mapping[str, Field], data: Mapping[str, Any], prefix: str, problems: list[Problem]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, spec in fields.items():
        where = f"{prefix}.{name}" if prefix else name
        values[name] = _value(spec, data.get(name), where, problems, siblings=data)
    return values


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str | list | dict) and not value)


def _value(
    spec: Field, raw: Any, where: str, problems: list[Problem], siblings: Mapping[str, Any]
) -> Any:
    if _is_empty(raw.strip() if isinstance(raw, str) else raw):  # raw keeps its line
        if spec.required:
            what = "är tomt" if raw is not None else "saknas"
            problems.append(Problem(where, f"obligatoriskt fält {what}"))
        return [] if spec.type in ("list", "rows") else ""
    if spec.type in ("list", "rows"):
        return _list(spec, raw, where, problems, siblings)
    return _scalar(spec.type, raw, where, problems, spec)


def _scalar(kind: str, raw: Any, where: str, problems: list[Problem], spec: Field | None) -> str:
    """The value as text, whatever YAML would have made of it (see archive.written)."""
    line = line_of(raw)
    if refuse_bool(raw) or not isinstance(raw, str | int | float | dt.date):
        message = f"måste vara {_describe(kind)}, inte {_yaml_type(raw)}"
        problems.append(Problem(where, message, line))
        return ""
    if kind == "date":
        return _date(raw, where, problems)
    text = raw.isoformat() if isinstance(raw, dt.date) else str(raw).strip()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    allowed = "\n\t" if kind == "textblock" else ""
    if any(unicodedata.category(c) == "Cc" and c not in allowed for c in text):
        what = "en radbrytning" if "\n" in text and kind != "textblock" else "ett styrtecken"
        problems.append(Problem(where, f"innehåller {what}, som fältet inte kan rymma", line))
    prompt = WORD_PROMPT.search(text)
    if prompt:
        message = f"innehåller Words platshållartext {prompt.group(0)!r}"
        problems.append(Problem(where, message, line))
    if spec is not None and spec.pattern and not re.fullmatch(spec.pattern, text):
        problems.append(
            Problem(where, f"måste vara {spec.pattern_help or spec.pattern}, inte {text!r}", line)
        )
    return text


def _date(raw: Any, where: str, problems: list[Problem]) -> str:
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    text = str(raw).strip()
    try:
        if not DATE_SHAPE.fullmatch(text):
            raise ValueError
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        problems.append(Problem(where, f"inget datum: {text!r} (skriv ÅÅÅÅ-MM-DD)", line_of(raw)))
        return text


def _list(
    spec: Field, raw: Any, where: str, problems: list[Problem], siblings: Mapping[str, Any]
) -> list[Any]:
    if not isinstance(raw, list):
        if spec.type == "list" and isinstance(spec.item, str) and isinstance(raw, str | int):
            raw = [raw]  # one decision point written without a dash is still one point
        else:
            message = f"måste vara en lista, inte {_yaml_type(raw)}"
            problems.append(Problem(where, message, line_of(raw)))
            return []
    items = [i for i in raw if not _is_empty(i.strip() if isinstance(i, str) else i)]
    if len(items) < spec.min_items:
        need = "minst en post" if spec.min_items == 1 else f"minst {spec.min_items} poster"
        problems.append(Problem(where, f"behöver {need}"))
    out: list[Any] = []
    for number, item in enumerate(items, start=1):
        item_where = f"{where}[{number}]"
        if spec.type == "rows":
            out.append(_row(spec, item, item_where, problems, siblings))
        elif isinstance(spec.item, dict):
            if not isinstance(item, Mapping):
                message = f"måste vara en mappning, inte {_yaml_type(item)}"
                problems.append(Problem(item_where, message, line_of(item)))
                continue
            for key in item:
                if key not in spec.item:
                    problems.append(Problem(f"{item_where}.{key}", "okänt fält"))
            out.append(_record(spec.item, item, item_where, problems))
        else:
            out.append(_scalar(str(spec.item), item, item_where, problems, None))
    return out


def _row(
    spec: Field, raw: Any, where: str, problems: list[Problem], siblings: Mapping[str, Any]
) -> list[str]:
    if not isinstance(raw, list):
        problems.append(
            Problem(where, f"en tabellrad måste vara en lista med celler, inte {raw!r}")
        )
        return []
    cells = [
        "" if cell is None else _scalar("text", cell, f"{where}[{n}]", problems, None)
        for n, cell in enumerate(raw, start=1)
    ]
    headings = siblings.get(spec.columns or "")
    if isinstance(headings, list) and len(cells) != len(headings):
        problems.append(
            Problem(where, f"har {len(cells)} celler men tabellen har {len(headings)} kolumner")
        )
    return cells


def _check_case_number(
    kind: Kind,
    values: dict[str, Any],
    data: Mapping[str, Any],
    problems: list[Problem],
    municipality_dirs: Sequence[Path],
) -> None:
    """Each municipality writes case numbers its own way; the shapes are the archive's YAML data."""
    for name, spec in kind.fields.items():
        number = values.get(name)
        if spec.type == "case_number" and number:
            problem = _case_number_problem(
                name,
                number,
                values.get("kommun") or None,
                municipality_dirs,
                line_of(data.get(name)),
            )
            if problem:
                problems.append(problem)


def _case_number_problem(
    where: str, number: str, municipality: str | None, municipality_dirs: Sequence[Path], line: int
) -> Problem | None:
    pattern = case_number_pattern(municipality, extra_dirs=municipality_dirs)
    if pattern.fullmatch(number):
        return None
    known = f"i {municipality}" if municipality else "i någon kommun som diarium känner"
    return Problem(where, f"{number!r} har inte formen av ett diarienummer {known}", line)


def check_answer(
    spec: Field,
    answer: Any,
    values: Mapping[str, Any],
    *,
    item: bool = False,
    municipality_dirs: Sequence[Path] = (),
) -> list[Problem]:
    """One answer of `diarium new` (a field, or with `item` one entry of a list field), checked
    as `validate` checks it in a whole data file, so a bad answer is asked again at once."""
    problems: list[Problem] = []
    kind = str(spec.item) if item else spec.type
    if item:
        value = _scalar(kind, answer, spec.name, problems, None)
    else:
        value = _value(spec, answer, spec.name, problems, siblings=values)
    if not problems and kind == "case_number" and value:
        municipality = values.get("kommun") or None
        problem = _case_number_problem(spec.name, value, municipality, municipality_dirs, 0)
        if problem:
            problems.append(problem)
    return problems


def _describe(kind: str) -> str:
    return {
        "date": "ett datum (ÅÅÅÅ-MM-DD)",
        "textblock": "text",
        "case_number": "ett diarienummer",
    }.get(kind, "text")


def _yaml_type(value: Any) -> str:
    refused = refuse_bool(value)
    if refused:
        return refused
    if isinstance(value, Mapping):
        return "en mappning"
    if isinstance(value, list):
        return "en lista"
    if isinstance(value, int | float):
        return f"talet {value}"
    return repr(value)
