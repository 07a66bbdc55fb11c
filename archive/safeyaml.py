"""YAML from files a user hands in (sidecars, settings, data, municipality and synonym files).

PyYAML's safe loader builds no Python objects, but it does expand aliases: a few hundred bytes of
nested `&a [*b, *b, ...]` become gigabytes (a 362-byte sidecar ran out of memory after 47 s). None
of diarium's files has any use for aliases, so the composer refuses the first one, before it is
expanded, and a file over the size limit is not parsed at all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent

from archive import messages as msg
from archive.limits import DEFAULT, Limits


class YamlRefused(yaml.YAMLError):
    """Input the loader will not read; every caller already reports YAMLError as one line
    (`messages.yaml_error` gives this one's own Swedish words)."""

    def __init__(self, refusal: str) -> None:
        super().__init__(refusal)
        self.refusal = refusal


class NoAliasLoader(yaml.SafeLoader):
    """The safe loader without aliases."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(AliasEvent):
            mark = self.peek_event().start_mark
            raise YamlRefused(msg.YAML_ALIAS.format(line=mark.line + 1))
        return super().compose_node(parent, index)


def safe_load(
    text: str, *, loader: type[NoAliasLoader] = NoAliasLoader, limits: Limits = DEFAULT
) -> Any:
    """`yaml.safe_load` without aliases and within the size limit `yaml_kb`."""
    size = len(text.encode("utf-8", "surrogateescape"))
    if size > limits.yaml_kb * 1024:
        raise YamlRefused(msg.YAML_TOO_BIG.format(limit=limits.yaml_kb, size=size // 1024))
    return yaml.load(text, Loader=loader)


def read_text(path: Path, limits: Limits = DEFAULT) -> str:
    """A YAML file's text, refused by its size before any of it is read."""
    size = path.stat().st_size
    if size > limits.yaml_kb * 1024:
        raise YamlRefused(msg.YAML_TOO_BIG.format(limit=limits.yaml_kb, size=size // 1024))
    return path.read_text(encoding="utf-8")
