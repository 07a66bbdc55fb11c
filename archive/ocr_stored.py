"""Read the scans already in an archive with OCR: `diarium ocr`.

An archive filled before OCR was installed holds its scans flagged `no text layer`. Reading one
now changes exactly what ingest would have written differently: its text.json, the searchable
copy beside the original, and the record's text-derived values (pages, flags, `ocr`, and the
metadata the rules read, except values a person set by hand). The original is never touched.
The files are written before the record, so a kill in between leaves the document still flagged
and the next `diarium ocr` finishes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from archive.document import Document
from archive.errors import DiariumError
from archive.extract import ocr as ocr_step
from archive.extract.ocr import FAILED, UNCERTAIN, OcrSettings, OcrUnavailable
from archive.extract.pdf import NO_TEXT_LAYER
from archive.model import SETTABLE_KEYS
from archive.pipeline import read_document
from archive.store import Archive, text_json

# Record keys that follow from the text (a hand-set value is set again as it was); every other
# key (id, hash, when it was added, marks other parts of diarium add) is left as it is.
_FROM_TEXT = (*SETTABLE_KEYS, "pages", "sections", "tables", "ocr", "personal_data")
_OCR_FLAGS = (NO_TEXT_LAYER, UNCERTAIN, FAILED)


@dataclass
class OcrReport:
    read: list[Document] = field(default_factory=list)
    unchanged: list[tuple[Document, str]] = field(default_factory=list)  # with the reason
    failed: list[tuple[str, str]] = field(default_factory=list)  # (id, reason)

    def to_dict(self) -> dict[str, Any]:
        return {
            "read": [
                {"id": d.id, "source": d.source, "ocr": d.ocr, "flags": d.flags} for d in self.read
            ],
            "unchanged": [{"id": d.id, "reason": why} for d, why in self.unchanged],
            "failed": [{"id": i, "error": why} for i, why in self.failed],
        }


def scans(archive: Archive) -> list[str]:
    """The stored documents still flagged `no text layer`."""
    return [doc.id for doc in archive.documents() if NO_TEXT_LAYER in doc.flags]


def ocr_stored(
    archive: Archive,
    ids: Iterable[str] | None = None,
    *,
    mode: str = "auto",
    progress: Callable[[Document], None] | None = None,
) -> OcrReport:
    """OCR the given documents (default: every one flagged `no text layer`).

    `mode`: `auto` reads the pages without a usable text layer, `always` every page. Raises
    OcrUnavailable at once, before touching anything, when OCR cannot run here."""
    if mode not in ("auto", "always"):
        raise DiariumError(f"okänt OCR-läge {mode!r}: välj auto eller always")
    reason = ocr_step.missing()
    if reason:
        raise OcrUnavailable(reason)
    settings = OcrSettings.from_settings(archive.settings, mode)
    wanted = [archive.resolve(i) for i in ids] if ids else scans(archive)
    report = OcrReport()
    for doc_id in dict.fromkeys(wanted):
        try:
            doc, why = _read_one(archive, doc_id, settings)
        except DiariumError as exc:
            report.failed.append((doc_id, str(exc)))
            continue
        except Exception as exc:  # noqa: BLE001 - one unreadable scan must not stop the rest
            report.failed.append((doc_id, f"kunde inte läsas ({type(exc).__name__}: {exc})"))
            continue
        error = (doc.ocr or {}).get("error")
        if why:
            report.unchanged.append((doc, why))
        elif error:
            report.failed.append((doc.id, error))
        else:
            report.read.append(doc)
        if progress:
            progress(doc)
    return report


def _read_one(archive: Archive, doc_id: str, settings: OcrSettings) -> tuple[Document, str]:
    doc = archive.get(doc_id)
    if doc.format != "pdf":
        return doc, "inte en PDF"
    hand_set = {key: getattr(doc, key) for key in doc.manual if hasattr(doc, key)}
    fresh_doc, extraction = read_document(
        archive,
        archive.original(doc_id),
        sha256=doc.sha256,
        source=doc.source,
        size=doc.size,
        hand_set=hand_set,
        ocr=settings,
    )
    if extraction.ocr is None:
        return doc, "alla sidor har redan ett textlager"
    fresh = fresh_doc.to_dict()
    for name, data in extraction.files.items():
        archive.write_file(doc_id, name, data)
    archive.write_file(doc_id, "text.json", text_json(extraction))

    def change(record: dict[str, Any]) -> None:
        for key in _FROM_TEXT:
            record[key] = fresh[key]
        kept = [f for f in record.get("flags", []) if f not in _OCR_FLAGS]
        record["flags"] = kept + [f for f in fresh["flags"] if f not in kept]

    return archive.update_record(doc_id, change), ""
