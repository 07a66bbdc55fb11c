"""Pick the extractor for a file; refuse what none takes, with a reason a person reads."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from archive.errors import ExtractionError
from archive.extract.ocr import OcrSettings
from archive.limits import DEFAULT, Limits
from archive.model import Extraction

SUPPORTED = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
}

# Formats people do have in their folders, with the advice that gets them in.
_ADVICE = {
    ".doc": "old Word .doc is not taken: save it as .docx",
    ".rtf": "RTF is not taken: save it as .docx",
    ".odt": "ODT is not taken: save it as .docx or PDF",
}


def format_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in SUPPORTED:
        return SUPPORTED[suffix]
    if suffix in _ADVICE:
        raise ExtractionError(_ADVICE[suffix])
    taken = ", ".join(sorted(SUPPORTED))
    shown = suffix or "(no extension)"
    raise ExtractionError(f"unsupported format {shown}: diarium takes {taken}")


def extract(
    path: Path,
    *,
    footer_patterns: Sequence[str] = (),
    ocr: OcrSettings | None = None,
    limits: Limits = DEFAULT,
) -> Extraction:
    """`footer_patterns`: a municipality's own page-footer lines (regexes), kept out of the text;
    `ocr`: how a PDF's pages without a usable text layer are read (None: they are not);
    `limits`: how big a file's unpacked parts and pages may be (archive.limits)."""
    fmt = format_of(path)
    if path.stat().st_size == 0:
        raise ExtractionError("empty file")
    if fmt == "pdf":
        from archive.extract.pdf import extract_pdf

        return extract_pdf(path, footer_patterns=footer_patterns, ocr=ocr, limits=limits)
    if fmt == "docx":
        from archive.extract.docx import extract_docx

        return extract_docx(path, limits)
    from archive.extract.text import extract_text

    return extract_text(path)
