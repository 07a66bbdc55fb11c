"""Values a person sets by hand (`--set key=value`, sidecar `NAME.meta.yaml`) beat the rules.

Hand-set values are checked here, once, so that a typo such as `date=2021-13-01` is refused with a
clear reason instead of landing in the archive and breaking date ranges in search later.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from archive import messages as msg
from archive.errors import DiariumError, ExtractionError
from archive.limits import DEFAULT, Limits, refuse
from archive.model import KINDS, SETTABLE_KEYS
from archive.privacy.secrecy import SET_KEYS as SECRECY_KEYS
from archive.privacy.secrecy import SecrecyError, check_set_value
from archive.safeyaml import read_text
from archive.written import line_of, load_yaml, refuse_bool

SIDECAR_SUFFIX = ".meta.yaml"


class OverrideError(DiariumError):
    """A hand-set value that cannot be used."""


def parse_assignments(assignments: list[str]) -> dict[str, Any]:
    """Turn `["kind=yttrande", "officers=A, B"]` into checked values."""
    raw: dict[str, Any] = {}
    for item in assignments:
        key, sep, value = item.partition("=")
        if not sep:
            raise OverrideError(f"--set tar NYCKEL=VÄRDE, inte {item!r}")
        raw[key.strip()] = value.strip()
    return normalise(raw)


def normalise(
    raw: dict[str, Any], origin: str = "--set", limits: Limits = DEFAULT
) -> dict[str, Any]:
    """Check keys and types; list values may be given as one comma-separated string."""
    clean: dict[str, Any] = {}
    for key, value in raw.items():
        if key in SECRECY_KEYS:
            try:
                clean[key] = check_set_value(key, value)
            except SecrecyError as exc:
                raise OverrideError(f"{origin}: {key}: {exc}") from None
            continue
        if key not in SETTABLE_KEYS:
            allowed = ", ".join((*SETTABLE_KEYS, *SECRECY_KEYS))
            raise OverrideError(f"{origin}: okänd nyckel {key!r} (använd någon av: {allowed})")
        clean[key] = _value(key, value, origin)
        check_value_length(key, clean[key], origin, limits)
    if clean.get("date") and "year" not in clean:
        clean["year"] = int(clean["date"][:4])
    return clean


def check_value_length(key: str, value: Any, origin: str, limits: Limits) -> None:
    """No metadata value longer than `value_chars`: a title of 80 MB is an attack, not a title."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and len(item) > limits.value_chars:
            raise refuse(f"{origin}: {key}", "value_chars", limits.value_chars, "tecken")


def _value(key: str, value: Any, origin: str) -> Any:
    """Values as written (a sidecar is read by archive.written): `2021:4` stays `2021:4`."""
    if value is None or value == "":
        return [] if key == "officers" else None
    if key == "officers":
        items = value if isinstance(value, list) else str(value).split(",")
        for item in items:
            _refuse_non_text(key, item, origin)
        return [str(v).strip() for v in items if str(v).strip()]
    _refuse_non_text(key, value, origin)
    if key == "date":
        text = value.isoformat() if isinstance(value, dt.date) else str(value)
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise OverrideError(f"{origin}: datum skrivs ÅÅÅÅ-MM-DD, inte {text!r}") from None
    if key == "year":
        try:
            return int(value)
        except (TypeError, ValueError):
            raise OverrideError(f"{origin}: år måste vara ett tal, inte {value!r}") from None
    if key == "kind" and str(value) not in KINDS:
        raise OverrideError(
            f"{origin}: okänd dokumenttyp {value!r} (använd någon av: {', '.join(KINDS)})"
        )
    return str(value)


def _refuse_non_text(key: str, value: Any, origin: str) -> None:
    """A mapping, a list or a YAML boolean where one value is wanted is a mistake to name."""
    if isinstance(value, dict | list):
        shown = "en mappning" if isinstance(value, dict) else "en lista"
    else:
        shown = refuse_bool(value)
    if shown:
        where = msg.AT_LINE.format(where=key, line=line_of(value)) if line_of(value) else key
        raise OverrideError(f"{origin}: {where}: måste vara ett värde, inte {shown}")


def sidecar_for(path: Path) -> Path | None:
    """`report.pdf.meta.yaml` or `report.meta.yaml`, whichever exists (the first wins)."""
    for candidate in (
        path.with_name(path.name + SIDECAR_SUFFIX),
        path.with_name(path.stem + SIDECAR_SUFFIX),
    ):
        if candidate.is_file():
            return candidate
    return None


def read_sidecar(path: Path, limits: Limits = DEFAULT) -> dict[str, Any]:
    sidecar = sidecar_for(path)
    if sidecar is None:
        return {}
    try:
        data = load_yaml(read_text(sidecar, limits), limits)
    except OSError as exc:
        reason = msg.os_error(exc)
        raise ExtractionError(f"sidofilen {sidecar.name} går inte att läsa: {reason}") from None
    except UnicodeDecodeError:
        raise ExtractionError(f"sidofilen {sidecar.name} är ingen UTF-8-text") from None
    except yaml.YAMLError as exc:
        raise ExtractionError(f"sidofilen {sidecar.name}: {msg.yaml_error(exc)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ExtractionError(f"sidofilen {sidecar.name} måste vara en mappning nyckel: värde")
    try:
        return normalise(data, origin=sidecar.name, limits=limits)
    except OverrideError as exc:
        raise ExtractionError(str(exc)) from None
