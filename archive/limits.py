"""How much of an input nobody here controls diarium will take before refusing it.

A 3 MB zip can hold a gigabyte of XML, a few hundred bytes of YAML with nested aliases expand to
a title of gigabytes, and a municipality's own template with a loop in a loop renders for ever.
Each limit is generous for real documents and refuses such input in a second or two with one
line naming the file and the limit. An archive changes them in settings.yaml:

    limits:
      docx_unpacked_mb: 1024
      template_seconds: 60

The values are plain data so that a worker process gets them with its arguments.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

from archive import messages as msg
from archive.errors import DiariumError


class LimitExceeded(DiariumError):
    """An input is over one of the limits; the message names the file and the limit."""


@dataclass(frozen=True)
class Limits:
    # DOCX: the sum of the zip's parts as unpacked, their XML alone, and how many parts
    docx_unpacked_mb: int = 512
    docx_xml_mb: int = 64
    docx_parts: int = 5_000
    # YAML (sidecars, settings, data files, municipality and synonym files): size in bytes;
    # aliases (&anchor / *alias) are always refused, the files have no use for them
    yaml_kb: int = 2_048
    # the text of any one metadata value (a title, a board, a case number), in characters
    value_chars: int = 2_000
    # PDF: pages, and characters on one page
    pdf_pages: int = 10_000
    pdf_page_chars: int = 500_000
    # a template: seconds to render it, and the size of what it renders
    template_seconds: float = 30.0
    template_output_mb: int = 50

    @classmethod
    def from_settings(cls, settings: dict[str, Any], source: str = "settings.yaml") -> Limits:
        """The defaults with an archive's `limits:` mapping over them, checked."""
        given = settings.get("limits") or {}
        if not isinstance(given, dict):
            raise DiariumError(msg.LIMITS_NOT_MAPPING.format(source=source))
        known = {f.name: f.type for f in fields(cls)}
        values: dict[str, Any] = {}
        for key, value in given.items():
            if key not in known:
                raise DiariumError(
                    msg.UNKNOWN_LIMIT.format(source=source, key=key, known=", ".join(sorted(known)))
                )
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise DiariumError(msg.LIMIT_NOT_POSITIVE.format(source=source, key=key))
            values[key] = value
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT = Limits()


def refuse(what: str, limit: str, value: object, unit: str = "") -> LimitExceeded:
    """The one-line refusal: `what` names the file (and the part of it), `limit` the setting."""
    shown = f"{value} {unit}".strip()
    return LimitExceeded(msg.OVER_LIMIT.format(what=what, limit=limit, value=shown))
