"""Pick the extractor for a file through a registry by format; refuse what none takes, with a
reason a person reads. Every format is then cleaned the same way (cleaning.py).

An extractor is registered with the suffixes it reads and is imported only when a file of its
format comes: pypdfium2 and lxml load once a batch has a PDF or a DOCX in it. Another format
(an OCR reader for scans, say) is one more `register(Extractor(...))`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from archive.errors import ExtractionError
from archive.extract.cleaning import clean
from archive.extract.ocr import OcrSettings
from archive.limits import DEFAULT, Limits
from archive.model import Extraction


@dataclass(frozen=True)
class Extractor:
    format: str
    suffixes: tuple[str, ...]
    module: str  # imported on first use
    function: str  # module.function(path) -> Extraction, not yet cleaned
    ocr: bool = False  # the reader takes `ocr=` (OcrSettings) for pages without text
    limits: bool = False  # the reader takes `limits=` (archive.limits.Limits)

    def reader(self) -> Callable[[Path], Extraction]:
        return getattr(importlib.import_module(self.module), self.function)


REGISTRY: dict[str, Extractor] = {}


def register(extractor: Extractor) -> None:
    for suffix in extractor.suffixes:
        REGISTRY[suffix.lower()] = extractor


register(
    Extractor("pdf", (".pdf",), "archive.extract.pdf", "read_extraction", ocr=True, limits=True)
)
register(Extractor("docx", (".docx",), "archive.extract.docx", "extract_docx", limits=True))
register(Extractor("txt", (".txt", ".text"), "archive.extract.text", "extract_text"))
register(Extractor("md", (".md", ".markdown"), "archive.extract.text", "extract_text"))

# Formats people do have in their folders, with the advice that gets them in.
_ADVICE = {
    ".doc": "gamla Word-filer (.doc) tas inte emot: spara som .docx",
    ".rtf": "RTF tas inte emot: spara som .docx",
    ".odt": "ODT tas inte emot: spara som .docx eller PDF",
}


def supported() -> dict[str, str]:
    """{suffix: format} of every registered extractor."""
    return {suffix: extractor.format for suffix, extractor in REGISTRY.items()}


def format_of(path: Path) -> str:
    return _extractor(path).format


def _extractor(path: Path) -> Extractor:
    suffix = path.suffix.lower()
    if suffix in REGISTRY:
        return REGISTRY[suffix]
    if suffix in _ADVICE:
        raise ExtractionError(_ADVICE[suffix])
    taken = ", ".join(sorted(REGISTRY))
    shown = suffix or "(ingen filändelse)"
    raise ExtractionError(f"formatet {shown} stöds inte: diarium tar emot {taken}")


def read(path: Path, *, ocr: OcrSettings | None = None, limits: Limits = DEFAULT) -> Extraction:
    """The format's reader alone: text, tables and headings before any cleaning.

    `ocr`: how a PDF's pages without a usable text layer are read (None: they are not); only
    readers registered with `ocr=True` take it. `limits`: how big a file's unpacked parts and
    pages may be (archive.limits); only readers registered with `limits=True` take it."""
    extractor = _extractor(path)
    if path.stat().st_size == 0:
        raise ExtractionError("empty file")
    options: dict[str, object] = {}
    if extractor.ocr:
        options["ocr"] = ocr
    if extractor.limits:
        options["limits"] = limits
    return extractor.reader()(path, **options)


def extract(
    path: Path,
    *,
    footer_patterns: Sequence[str] = (),
    ocr: OcrSettings | None = None,
    limits: Limits = DEFAULT,
) -> Extraction:
    """Read and clean one file. `footer_patterns`: a municipality's own page-footer lines;
    `limits`: how big a file's unpacked parts and pages may be (archive.limits)."""
    return clean(read(path, ocr=ocr, limits=limits), footer_patterns=footer_patterns)
