"""An OCRmyPDF plugin that keeps Tesseract's word confidences, which OCRmyPDF throws away.

OCRmyPDF reports no confidence; Tesseract writes one per word (`x_wconf`) into the hOCR page that
OCRmyPDF's default renderer (fpdf2) is built from. Reading it there costs nothing: running
Tesseract a second time for its TSV output would double the slowest step of ingest. The engine
below is OCRmyPDF's own Tesseract engine with one addition: after each page it writes the page's
word confidences to `<page>.json` in the folder named by the `diarium_confidence_dir` option. It
also turns a Tesseract crash on one page into an empty page recorded as failed, so one bad page
does not fail the document (OCRmyPDF already does so for a timeout).

Loaded by `archive.extract.ocr` with `plugins=[__name__]`; it relies on OCRmyPDF's page-file
naming (`000001_ocr_hocr.hocr`) and its Tesseract engine class, hence the upper bound on the
ocrmypdf version in pyproject.toml.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from ocrmypdf import hookimpl
from ocrmypdf.builtin_plugins.tesseract_ocr import TesseractOcrEngine
from ocrmypdf.exceptions import SubprocessOutputError

_WORD = re.compile(
    r"<span[^>]*class=['\"]ocrx_word['\"][^>]*title=['\"][^'\"]*x_wconf (\d+)[^>]*>(.*?)</span>",
    re.S,
)
_TAG = re.compile(r"<[^>]+>")
_PAGE_FILE = re.compile(r"^(\d+)_")


def page_confidences(hocr: str) -> list[tuple[str, int]]:
    """(word, confidence 0-100) of every recognised word of one hOCR page."""
    words = []
    for conf, inner in _WORD.findall(hocr):
        word = html.unescape(_TAG.sub("", inner)).strip()
        if word:
            words.append((word, int(conf)))
    return words


def _record(options: Any, output_hocr: Path, data: dict[str, Any]) -> None:
    folder = options.extra_attrs.get("diarium_confidence_dir")
    match = _PAGE_FILE.match(output_hocr.name)
    if not folder or not match:
        return
    page = int(match.group(1))
    (Path(folder) / f"{page}.json").write_text(json.dumps({"page": page, **data}), "utf-8")


class ConfidenceTesseract(TesseractOcrEngine):
    """Tesseract as OCRmyPDF runs it, plus the page's word confidences on the side."""

    @staticmethod
    def generate_hocr(input_file: Path, output_hocr: Path, output_text: Path, options: Any) -> None:
        try:
            TesseractOcrEngine.generate_hocr(input_file, output_hocr, output_text, options)
        except SubprocessOutputError as exc:
            # The same empty page OCRmyPDF writes for a timeout: the page keeps its image.
            output_hocr.write_text("", encoding="utf-8")
            output_text.write_text("", encoding="utf-8")
            _record(options, output_hocr, {"failed": f"Tesseract misslyckades ({exc})"})
            return
        hocr = output_hocr.read_text("utf-8") if output_hocr.is_file() else ""
        if not hocr.strip():
            # OCRmyPDF writes an empty hOCR page when Tesseract timed out.
            output_text.write_text("", encoding="utf-8")
            _record(options, output_hocr, {"failed": "Tesseract tog för lång tid"})
            return
        _record(options, output_hocr, {"words": page_confidences(hocr)})


@hookimpl
def get_ocr_engine(options: Any) -> TesseractOcrEngine:
    return ConfidenceTesseract()
