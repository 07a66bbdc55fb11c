"""YAML and JSON read as the text the person wrote, for data whose fields have declared types.

PyYAML follows YAML 1.1: `telefon: 0322616000` is an octal number (55254016), `diarienummer:
2021:4` a base-60 one (121264) and `2021.010` the float 2021.01. A registrar types these unquoted
every day, and the signed document must say what they typed. So every scalar is kept as the text
as written (a `Written`, which is a `str`), with the line it stands on and what YAML would have
made of it; the reader of each field (templates' schema, the archive's hand-set keys) converts it
to the type the field declares, and can name the line when the value cannot be that type.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from archive import messages as msg
from archive.limits import DEFAULT, Limits
from archive.safeyaml import NoAliasLoader, safe_load

BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
_IMPLICIT = (
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:str",
)


class Written(str):
    """A scalar as typed: `line` is 1-based (0 when unknown), `tag` what YAML 1.1 reads it as."""

    line: int
    tag: str

    def __new__(cls, text: str, line: int = 0, tag: str = "tag:yaml.org,2002:str") -> Written:
        value = super().__new__(cls, text)
        value.line = line
        value.tag = tag
        return value

    @property
    def is_bool(self) -> bool:
        """`ja`/`nej` are text; `yes`, `no`, `true`, `on` are what YAML calls booleans."""
        return self.tag == BOOL


def line_of(value: Any) -> int:
    return getattr(value, "line", 0)


class _AsWritten(NoAliasLoader):
    """SafeLoader (no Python objects, no aliases) whose scalars stay the text they were written
    as."""


def _scalar(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Written | None:
    if node.tag == NULL and not node.style:
        return None
    return Written(str(node.value), line=node.start_mark.line + 1, tag=node.tag)


for _tag in (*_IMPLICIT, NULL):
    _AsWritten.add_constructor(_tag, _scalar)


# A value read as written is dumped back as the text it is (quoted where YAML would misread it).
yaml.SafeDumper.add_representer(Written, yaml.SafeDumper.represent_str)


def load_yaml(text: str, limits: Limits = DEFAULT) -> Any:
    """Raises yaml.YAMLError (also for an alias or a text over `limits.yaml_kb`, as
    archive.safeyaml refuses them); `msg.yaml_error` says where in Swedish."""
    return safe_load(text, loader=_AsWritten, limits=limits)


def load_json(text: str) -> Any:
    """JSON numbers kept as their text (`2021.010` stays `2021.010`); true/false stay booleans."""
    return json.loads(text, parse_int=Written, parse_float=Written, parse_constant=Written)


def refuse_bool(value: Any) -> str | None:
    """Why a YAML boolean cannot be text, or None: `yes` unquoted is `true` to YAML."""
    if isinstance(value, bool) or (isinstance(value, Written) and value.is_bool):
        shown = value if isinstance(value, Written) else str(value).lower()
        return msg.YAML_BOOL.format(value=shown)
    return None
