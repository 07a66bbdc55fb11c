"""Read scanned pages with OCRmyPDF and Tesseract (Swedish), and say how sure the reading is.

OCR is one step of PDF extraction: `extract_pdf` reads every page's own text layer first and
hands this module only the pages without a usable one (none, a few characters on a scanned
image, or garbage from a broken font). OCRmyPDF rasterises exactly those pages, turns and
straightens them (`rotate_pages`, `deskew`), runs Tesseract on them in parallel on every core
(pages, not documents, are the unit, so one long scan uses all cores) and writes a searchable
PDF/A copy of the whole document; the pages it did not read keep their own text layer there. The
copy's new text layer is then read by the same pdfium reader as any PDF, so OCR text gets the
same hyphen joining and page-furniture removal.

OCRmyPDF does not report a confidence; `ocr_plugin` keeps Tesseract's word confidences from the
hOCR pages OCRmyPDF renders from. A page's confidence is the mean word confidence (0-100); below
the archive's threshold the page is `uncertain`. OCRmyPDF, Tesseract, its Swedish data and
Ghostscript are found at run time: without them a scan is stored as before, flagged, with one
line saying what is missing.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import string
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from archive.errors import DiariumError

MODES = ("auto", "always", "never")
LANGUAGE = "swe"
ARCHIVE_COPY = "archive.pdf"
UNCERTAIN = "ocr-osäker"
FAILED = "ocr-misslyckad"
DEFAULT_THRESHOLD = 70.0
# Seconds Tesseract may spend on one page; a 300-dpi A4 page takes a few seconds.
DEFAULT_TIMEOUT = 180.0

# A page whose own text has fewer letters and digits than this, drawn over an image, is a scan
# with a stamp or a scanner's header on it, not a page of text.
MIN_CHARACTERS = 20
# Text from a font without a usable character map comes out as symbols, private-use characters
# or consonant soup; a real page is nearly all letters, digits and ordinary punctuation, and
# nearly every word of two letters or more has a vowel.
_ORDINARY_SHARE = 0.8
_VOWEL_SHARE = 0.6
_VOWELS = frozenset("aeiouyåäöéüæø")
_PUNCTUATION = frozenset(string.punctuation + "–—§«»”“‘’…•€°½·")
_WORD = re.compile(r"[^\W\d_]{2,}")
# Tesseract reads a list's bullet as a letter or sign ("e Uppföljning"); Swedish has no
# one-letter word "e", and the others are no words at all, at the start of a line.
_BULLET = re.compile(r"^[eo«»©°*] (?=\S)", re.M)
# A number as Tesseract may misread it: digits, separators and the letters it takes digits for.
_NUMBERISH = re.compile(r"(?<![^\W\d_])[\dOolI|][\dOolI|./:-]*[\dOolI|](?![^\W\d_])")
_AS_DIGIT = str.maketrans("OolI|", "00111")


@dataclass
class OcrSettings:
    """How a batch reads scans: the mode (`auto`, `always`, `never`), the confidence under
    which a page counts as uncertain, Tesseract's time per page and OCR workers (default:
    every core)."""

    mode: str = "auto"
    threshold: float = DEFAULT_THRESHOLD
    timeout: float = DEFAULT_TIMEOUT
    jobs: int | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise DiariumError(f"okänt OCR-läge {self.mode!r}: välj {', '.join(MODES)}")
        try:
            self.threshold = float(self.threshold)
            self.timeout = float(self.timeout)
        except (TypeError, ValueError):
            raise DiariumError("ocr_threshold och ocr_timeout ska vara tal") from None
        if not 0 <= self.threshold <= 100:
            raise DiariumError(f"ocr_threshold ska vara mellan 0 och 100, inte {self.threshold}")

    @classmethod
    def from_settings(cls, settings: dict[str, Any], mode: str | None = None) -> OcrSettings:
        """The archive's settings.yaml (`ocr`, `ocr_threshold`, `ocr_timeout`); `mode` wins."""
        return cls(
            mode=mode or str(settings.get("ocr") or "auto"),
            threshold=settings.get("ocr_threshold", DEFAULT_THRESHOLD),
            timeout=settings.get("ocr_timeout", DEFAULT_TIMEOUT),
        )


@dataclass
class OcrPage:
    page: int
    confidence: float | None  # mean word confidence 0-100; None when no word was read
    uncertain: bool
    words: int = 0
    error: str | None = None  # Tesseract failed or timed out on this page

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "page": self.page,
            "confidence": self.confidence,
            "uncertain": self.uncertain,
            "words": self.words,
        }
        if self.error:
            data["error"] = self.error
        return data


@dataclass
class OcrRun:
    """One document's OCR: the pages read, their quality and the searchable copy's bytes."""

    pages: list[OcrPage]
    copy: bytes
    engine: str
    threshold: float
    flags: list[str] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        """The record's `ocr` field."""
        return {
            "engine": self.engine,
            "language": LANGUAGE,
            "threshold": self.threshold,
            "copy": ARCHIVE_COPY,
            "pages": [page.to_dict() for page in self.pages],
        }


class OcrUnavailable(DiariumError):
    """OCRmyPDF or a program it needs is missing; the message says which, in one line."""


def tidy(text: str) -> str:
    """OCR text with Tesseract's misreadings that no word can have: a list's bullet read as a
    letter, and O, o, l, I or | inside a number (`2O21-O9-l6`, `KS 2019/l77`), which would
    keep a date or a case number from being read and found."""
    text = _BULLET.sub("• ", text)
    return _NUMBERISH.sub(_digits, text)


def _digits(match: re.Match[str]) -> str:
    token = match.group(0)
    # Mostly digits: a number with a misread digit, not a word or an abbreviation like "IO".
    if sum(c.isdigit() for c in token) < 2:
        return token
    return token.translate(_AS_DIGIT)


def text_is_usable(text: str, *, drawn: bool) -> bool:
    """Whether a page's own text layer is its text, or the page must be read by OCR.

    `drawn`: the page shows an image or much vector drawing (text drawn as outlines), so an
    empty text layer or a few characters (a scan's stamp) are not all there is to read; an
    empty page without either is blank, and OCR would find nothing."""
    visible = [c for c in text if not c.isspace()]
    if not visible:
        return not drawn
    ordinary = sum(1 for c in visible if (c.isalnum() and ord(c) < 0x250) or c in _PUNCTUATION)
    if ordinary / len(visible) < _ORDINARY_SHARE:
        return False
    if sum(c.isalnum() for c in visible) < MIN_CHARACTERS:
        return not drawn
    words = _WORD.findall(text.lower())
    voiced = sum(1 for w in words if _VOWELS.intersection(w))
    return not words or voiced / len(words) >= _VOWEL_SHARE


@cache
def missing() -> str | None:
    """Why OCR cannot run here (one line, Swedish), or None when everything is installed."""
    try:
        import ocrmypdf  # noqa: F401
    except ImportError:
        return "OCRmyPDF är inte installerat (pip install 'diarium[ocr]')"
    if shutil.which("tesseract") is None:
        return "Tesseract saknas (apt-get install tesseract-ocr tesseract-ocr-swe)"
    if shutil.which("gs") is None:
        return "Ghostscript saknas (apt-get install ghostscript)"
    from ocrmypdf._exec import tesseract

    try:
        languages = tesseract.get_languages()
    except Exception:  # noqa: BLE001 - a broken Tesseract install says so in one line
        return "Tesseract går inte att köra"
    if LANGUAGE not in languages:
        return "Tesseracts svenska språkdata saknas (apt-get install tesseract-ocr-swe)"
    return None


def run_ocr(path: Path, page_numbers: Sequence[int], settings: OcrSettings) -> OcrRun:
    """OCR the given pages (1-based) of one PDF into a searchable PDF/A copy.

    Raises OcrUnavailable when a program is missing and DiariumError when OCRmyPDF refuses the
    file; a page Tesseract fails on is an OcrPage with `error`, not an exception."""
    reason = missing()
    if reason:
        raise OcrUnavailable(reason)
    import ocrmypdf
    from ocrmypdf.exceptions import ExitCodeException

    _quiet()
    with tempfile.TemporaryDirectory(prefix="diarium-ocr-") as work:
        folder = Path(work)
        confidences = folder / "confidences"
        confidences.mkdir()
        output = folder / ARCHIVE_COPY
        try:
            ocrmypdf.ocr(
                path,
                output,
                language=[LANGUAGE],
                mode="force",
                pages=",".join(str(n) for n in sorted(set(page_numbers))),
                rotate_pages=True,
                deskew=True,
                output_type="pdfa",
                jobs=settings.jobs or os.cpu_count() or 1,
                tesseract_timeout=settings.timeout,
                progress_bar=False,
                plugins=["archive.extract.ocr_plugin"],
                diarium_confidence_dir=str(confidences),
            )
        except ExitCodeException as exc:
            raise DiariumError(f"OCR misslyckades: {_reason(exc)}") from None
        pages = [_page(confidences, n, settings.threshold) for n in sorted(set(page_numbers))]
        flags = []
        if any(p.uncertain for p in pages):
            flags.append(UNCERTAIN)
        if any(p.error for p in pages):
            flags.append(FAILED)
        return OcrRun(
            pages=pages,
            copy=output.read_bytes(),
            engine=_engine(),
            threshold=settings.threshold,
            flags=flags,
        )


@cache
def _quiet() -> None:
    """OCRmyPDF logs its progress and advice; without a handler of the application's own,
    Python would print its warnings on the user's terminal."""
    logging.getLogger("ocrmypdf").addHandler(logging.NullHandler())


def _page(folder: Path, number: int, threshold: float) -> OcrPage:
    try:
        data = json.loads((folder / f"{number}.json").read_text("utf-8"))
    except (OSError, ValueError):
        # OCRmyPDF left the page out (an image too large for it, say).
        return OcrPage(number, None, True, error="sidan lästes inte")
    if data.get("failed"):
        return OcrPage(number, None, True, error=str(data["failed"]))
    confidences = [conf for _, conf in data.get("words", [])]
    if not confidences:
        return OcrPage(number, None, False)
    mean = round(sum(confidences) / len(confidences), 1)
    return OcrPage(number, mean, mean < threshold, words=len(confidences))


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:200]


@cache
def _engine() -> str:
    import ocrmypdf
    from ocrmypdf._exec import tesseract

    return f"Tesseract {tesseract.version()} (OCRmyPDF {ocrmypdf.__version__})"
