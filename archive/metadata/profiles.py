"""What differs between municipalities, read from YAML files a user can add to.

`archive/data/municipalities/_common.yaml` holds the rules for every Swedish municipal document
(labels, case-number shapes, kinds, section headings, the names of all municipalities); one file
per municipality (`goteborg.yaml`, ...) adds its names, boards, departments, case-number shapes
and page-furniture lines. Files of the same name in extra folders (`load(extra_dirs=[...])`, the
archive's settings key `municipalities`) add to the shipped ones; new names add municipalities.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from archive import messages as msg
from archive.errors import DiariumError
from archive.model import KINDS
from archive.safeyaml import read_text, safe_load

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "municipalities"
COMMON = "_common"

# Keys of a municipality file; every value but `name` is a list of strings.
PROFILE_KEYS = (
    "name",
    "names",
    "boards",
    "departments",
    "case_number_shapes",
    "header_skip_patterns",
    "footer_patterns",
)
# Keys of _common.yaml that are lists of strings; `kinds` is a list of rules.
COMMON_LISTS = (
    "municipalities",
    "case_number_labels",
    "case_number_shapes",
    "date_labels",
    "meeting_date_labels",
    "officer_labels",
    "board_labels",
    "department_labels",
    "not_boards",
    "section_headings",
    "section_heading_patterns",
    "section_start_patterns",
    "header_skip_patterns",
    "footer_patterns",
    "time_labels",
    "place_labels",
    "cover_date_labels",
    "auditors",
)
COMMON_KEYS = (*COMMON_LISTS, "officer_roles", "kinds", "common_boards")
KIND_RULE_KEYS = (
    "kind",
    "header",
    "title",
    "text",
    "sections",
    "front",
    "front_min",
    "front_not",
    "at_most",
)


class ProfileError(DiariumError):
    """A municipality data file that cannot be used; the message names the file."""


@dataclass(frozen=True)
class Profile:
    key: str  # file name without .yaml, e.g. "goteborg"
    name: str  # canonical short name, e.g. "Göteborg"
    names: tuple[str, ...] = ()
    boards: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    case_number_shapes: tuple[str, ...] = ()
    header_skip_patterns: tuple[str, ...] = ()
    footer_patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class KindRule:
    kind: str
    header: tuple[re.Pattern[str], ...] = ()
    title: tuple[re.Pattern[str], ...] = ()
    text: tuple[tuple[re.Pattern[str], int], ...] = ()
    sections: tuple[re.Pattern[str], ...] = ()
    # The document's structure: at least `front_min` of the `front` patterns, and none of
    # `front_not`, found in the front page(s).
    front: tuple[re.Pattern[str], ...] = ()
    front_min: int = 1
    front_not: tuple[re.Pattern[str], ...] = ()
    # Patterns found at most so many times in the whole text (one paragraph, not forty).
    at_most: tuple[tuple[re.Pattern[str], int], ...] = ()


@dataclass
class Rules:
    """Everything the metadata rules use for one municipality (or for any, when unknown)."""

    common: dict[str, Any]
    profiles: tuple[Profile, ...]
    case_number: re.Pattern[str] = field(init=False)
    footers: tuple[re.Pattern[str], ...] = field(init=False)
    footer: re.Pattern[str] = field(init=False)  # all footer patterns in one
    header_skips: tuple[re.Pattern[str], ...] = field(init=False)
    boards: frozenset[str] = field(init=False)
    board_abbreviations: dict[str, str] = field(init=False)
    departments: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        shapes = _unique([*self.common["case_number_shapes"], *self._merged("case_number_shapes")])
        # Longest shapes first, so that "KS-2023-00730:4" is not cut to a shorter alternative.
        shapes.sort(key=len, reverse=True)
        self.case_number = re.compile("(?:" + "|".join(f"(?:{s})" for s in shapes) + ")")
        self.footers = _compile(
            [*self.common["footer_patterns"], *self._merged("footer_patterns")], re.I
        )
        self.footer = re.compile("|".join(f"(?:{p.pattern})" for p in self.footers), re.I)
        self.header_skips = _compile(
            [*self.common["header_skip_patterns"], *self._merged("header_skip_patterns")], re.I
        )
        common_boards = list(self.common.get("common_boards", {}))
        self.boards = frozenset(b.casefold() for b in [*common_boards, *self._merged("boards")])
        # "KF" -> "Kommunfullmäktige": the short forms every municipality uses.
        self.board_abbreviations = {
            short: name
            for name, forms in self.common.get("common_boards", {}).items()
            for short in forms
        }
        self.departments = frozenset(d.casefold() for d in self._merged("departments"))

    def _merged(self, key: str) -> list[str]:
        return _unique(item for profile in self.profiles for item in getattr(profile, key))


class Profiles:
    """All municipality data, loaded once; the metadata rules ask it for `rules(municipality)`."""

    def __init__(self, common: dict[str, Any], profiles: dict[str, Profile]) -> None:
        self.common = common
        self.profiles = profiles
        self.kind_rules = tuple(_kind_rule(rule) for rule in common["kinds"])
        self._by_name: dict[str, str] = {}
        for name in common["municipalities"]:
            self._by_name[name.casefold()] = name
        for profile in profiles.values():
            for form in (profile.key, profile.name, *profile.names):
                self._by_name[form.casefold()] = profile.name
        self._rules: dict[str | None, Rules] = {}

    def canonical(self, name: str) -> str:
        """The stored form of a municipality's name: "Lekebergs kommun" -> "Lekeberg".

        A name no data file knows is kept as given (trimmed): a hand-set value is never refused.
        """
        text = " ".join(name.split())
        folded = text.casefold()
        if folded in self._by_name:
            return self._by_name[folded]
        for suffix in (" kommun", " stad"):
            if folded.endswith(suffix):
                stem = folded.removesuffix(suffix)
                for form in (stem, stem.removesuffix("s")):
                    if form in self._by_name:
                        return self._by_name[form]
        return text

    def known(self, name: str) -> bool:
        return name.casefold() in self._by_name

    def profile(self, municipality: str | None) -> Profile | None:
        if not municipality:
            return None
        canonical = self.canonical(municipality)
        return next((p for p in self.profiles.values() if p.name == canonical), None)

    def rules(self, municipality: str | None = None) -> Rules:
        """Common rules plus the municipality's data; plus every municipality's when unknown."""
        profile = self.profile(municipality)
        key = profile.key if profile else None
        if key not in self._rules:
            chosen = (profile,) if profile else tuple(self.profiles.values())
            self._rules[key] = Rules(self.common, chosen)
        return self._rules[key]

    def name_forms(self) -> dict[str, str]:
        """Every way a text can name a municipality (without "kommun"), mapped to its name."""
        forms = {name: name for name in self.common["municipalities"]}
        for profile in self.profiles.values():
            forms[profile.name] = profile.name
            for alias in profile.names:
                forms[alias] = profile.name
        return forms

    def case_number_pattern(self, municipality: str | None = None) -> re.Pattern[str]:
        """A pattern that `fullmatch`es a whole case number of that municipality's shapes."""
        return re.compile(self.rules(municipality).case_number.pattern)

    def footer_patterns(self, municipality: str | None = None) -> list[re.Pattern[str]]:
        """Patterns (`match`, ignoring case) of page-furniture lines, for removing them."""
        return list(self.rules(municipality).footers)


def load(extra_dirs: Iterable[Path | str] = ()) -> Profiles:
    """The shipped data plus the YAML files in `extra_dirs` (later folders add to earlier)."""
    return _load(tuple(str(Path(d).expanduser()) for d in extra_dirs))


def case_number_pattern(
    municipality: str | None = None, *, extra_dirs: Iterable[Path | str] = ()
) -> re.Pattern[str]:
    return load(extra_dirs).case_number_pattern(municipality)


def footer_patterns(
    municipality: str | None = None, *, extra_dirs: Iterable[Path | str] = ()
) -> list[re.Pattern[str]]:
    return load(extra_dirs).footer_patterns(municipality)


@lru_cache(maxsize=8)
def _load(extra_dirs: tuple[str, ...]) -> Profiles:
    common = _read_common(DATA_DIR / f"{COMMON}.yaml", None)
    raw: dict[str, dict[str, Any]] = {}
    for path in sorted(DATA_DIR.glob("*.yaml")):
        if path.stem != COMMON:
            raw[path.stem] = _read_profile(path, None)
    for folder in map(Path, extra_dirs):
        if not folder.is_dir():
            raise ProfileError(f"{folder}: mappen med kommundata finns inte")
        for path in sorted(folder.glob("*.yaml")):
            if path.stem == COMMON:
                common = _read_common(path, common)
            else:
                raw[path.stem] = _read_profile(path, raw.get(path.stem))
    profiles: dict[str, Profile] = {}
    for key, values in raw.items():
        if not values.get("name"):
            raise ProfileError(f"{values['_path']}: behöver `name:` (kommunens korta namn)")
        profile = Profile(
            key=key,
            name=values["name"],
            **{k: tuple(values.get(k, ())) for k in PROFILE_KEYS if k != "name"},
        )
        for attr in ("case_number_shapes", "header_skip_patterns", "footer_patterns"):
            _compile(getattr(profile, attr), 0, values["_path"])
        profiles[key] = profile
    return Profiles(common, profiles)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = safe_load(read_text(path))
    except OSError as exc:
        raise ProfileError(f"{path}: går inte att läsa: {msg.os_error(exc)}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{path}: {msg.yaml_error(exc)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ProfileError(f"{path}: måste vara en mappning nyckel: värde")
    return data


def _strings(path: Path, key: str, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ProfileError(f"{path}: `{key}` måste vara en lista med icke-tomma texter")
    return [v.strip() for v in value]


def _read_profile(path: Path, base: dict[str, Any] | None) -> dict[str, Any]:
    data = _read_yaml(path)
    unknown = sorted(set(data) - set(PROFILE_KEYS))
    if unknown:
        raise ProfileError(f"{path}: okända nycklar {', '.join(unknown)}; använd {PROFILE_KEYS}")
    merged: dict[str, Any] = dict(base or {})
    merged["_path"] = path
    for key, value in data.items():
        if key == "name":
            if not isinstance(value, str) or not value.strip():
                raise ProfileError(f"{path}: `name` måste vara en icke-tom text")
            merged["name"] = value.strip()
        else:
            merged[key] = _unique([*merged.get(key, []), *_strings(path, key, value)])
    return merged


def _read_common(path: Path, base: dict[str, Any] | None) -> dict[str, Any]:
    data = _read_yaml(path)
    unknown = sorted(set(data) - set(COMMON_KEYS))
    if unknown:
        raise ProfileError(f"{path}: okända nycklar {', '.join(unknown)}; använd {COMMON_KEYS}")
    empty: dict[str, Any] = {key: [] for key in (*COMMON_LISTS, "kinds")}
    merged: dict[str, Any] = (
        dict(base) if base else empty | {"officer_roles": "", "common_boards": {}}
    )
    for key in COMMON_LISTS:
        if key in data:
            merged[key] = _unique([*merged[key], *_strings(path, key, data[key])])
    if "common_boards" in data:
        merged["common_boards"] = {
            **merged["common_boards"],
            **_board_forms(path, data["common_boards"]),
        }
    if "officer_roles" in data:
        merged["officer_roles"] = _strings(path, "officer_roles", data["officer_roles"])[0]
    if "kinds" in data:
        rules = data["kinds"]
        if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
            raise ProfileError(f"{path}: `kinds` måste vara en lista med regler")
        for rule in rules:
            _check_kind_rule(path, rule)
        # A user's rules come first: they are about documents the shipped rules get wrong.
        merged["kinds"] = [*rules, *merged["kinds"]] if base else rules
    for key in ("case_number_shapes",):
        _compile(merged[key], 0, path)
    for key in ("footer_patterns", "header_skip_patterns", "section_heading_patterns"):
        _compile(merged[key], re.I, path)
    _compile(merged["section_start_patterns"], 0, path)
    if merged["officer_roles"]:
        _compile([merged["officer_roles"]], re.I, path)
    return merged


def _board_forms(path: Path, value: Any) -> dict[str, list[str]]:
    """`Kommunstyrelsen: [KS]`: a board every municipality has, with its usual short forms."""
    if not isinstance(value, dict):
        raise ProfileError(
            f"{path}: `common_boards` måste para ihop en nämnds namn med dess kortformer"
        )
    forms: dict[str, list[str]] = {}
    for name, short in value.items():
        if not isinstance(name, str) or not name.strip():
            raise ProfileError(f"{path}: `common_boards`: {name!r} är inget nämndnamn")
        forms[name.strip()] = _strings(path, f"common_boards.{name}", short or [])
    return forms


def _check_kind_rule(path: Path, rule: dict[str, Any]) -> None:
    if rule.get("kind") not in KINDS:
        raise ProfileError(f"{path}: dokumenttypsregel {rule!r}: `kind` måste vara en av {KINDS}")
    extra = sorted(set(rule) - set(KIND_RULE_KEYS))
    if extra:
        raise ProfileError(
            f"{path}: dokumenttypsregel för {rule['kind']!r}: okända nycklar {extra}"
        )
    try:
        _kind_rule(rule)
    except (re.error, TypeError, KeyError, ValueError) as exc:
        raise ProfileError(f"{path}: dokumenttypsregel för {rule['kind']!r}: {exc}") from None


def _kind_rule(rule: dict[str, Any]) -> KindRule:
    def patterns(key: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p, re.I) for p in rule.get(key, ()))

    text = tuple(
        (re.compile(item["pattern"], re.I | re.M), int(item.get("min", 1)))
        for item in rule.get("text", ())
    )
    return KindRule(
        kind=rule["kind"],
        header=patterns("header"),
        title=patterns("title"),
        text=text,
        sections=patterns("sections"),
        front=tuple(re.compile(p, re.I | re.M) for p in rule.get("front", ())),
        front_min=int(rule.get("front_min", 1)),
        front_not=tuple(re.compile(p, re.I | re.M) for p in rule.get("front_not", ())),
        at_most=tuple(
            (re.compile(item["pattern"], re.I | re.M), int(item["max"]))
            for item in rule.get("at_most", ())
        ),
    )


def _compile(
    patterns: Iterable[str], flags: int, path: Path | None = None
) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern, flags))
        except re.error as exc:
            raise ProfileError(f"{path}: felaktigt mönster {pattern!r}: {exc}") from None
    return tuple(compiled)


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))
