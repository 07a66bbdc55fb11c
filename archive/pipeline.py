"""One ingest pipeline for every format: read -> hash -> extract -> clean -> metadata -> commit.

Each step is a function of its own, so a step can stand between two others (an OCR step after
extract, for scans) or run alone in a test; `ingest_one` runs them in order for one file and
returns plain data (it runs in a worker process). What a batch needs from the archive's
settings, the municipality data, is named once per batch (`Batch.of`) and loaded once per
process, not once per file. The store (store.py) only stores: it knows nothing of formats,
rules or hand-set values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive import extract as extractors
from archive import messages as msg
from archive.document import Document
from archive.errors import DiariumError
from archive.extract.ocr import OcrSettings
from archive.limits import DEFAULT as DEFAULT_LIMITS
from archive.limits import Limits
from archive.metadata import profiles as profiles_module
from archive.metadata.profiles import Profiles
from archive.metadata.reading import read_metadata
from archive.model import Extraction, Metadata
from archive.overrides import check_value_length, normalise, read_sidecar
from archive.privacy import scan_pages
from archive.privacy.secrecy import SET_KEYS as SECRECY_KEYS
from archive.privacy.secrecy import mark_from_set
from archive.safenames import source_name
from archive.store import ID_LENGTH, Archive, ArchiveWriteError, _rendition, now_iso, sha256_of

# ("added"|"unchanged", record), ("failed", reason) or ("archive", reason): the archive itself
# cannot be written (disk full, read-only), which stops the batch.
Outcome = tuple[str, dict[str, Any] | str]


@dataclass(frozen=True)
class Batch:
    """What every file of one batch shares; plain data, so it travels to worker processes."""

    root: str
    municipality: str | None = None
    overrides: dict[str, Any] = field(default_factory=dict)
    ocr: OcrSettings | None = None  # how pages without a text layer are read (None: not)
    extra_dirs: tuple[str, ...] = ()  # the archive's own municipality data folders
    limits: Limits = DEFAULT_LIMITS  # what the archive takes from its inputs (archive.limits)

    @classmethod
    def of(
        cls,
        archive: Archive,
        municipality: str | None = None,
        overrides: dict[str, Any] | None = None,
        *,
        ocr: OcrSettings | None = None,
    ) -> Batch:
        extra = archive.setting_path("municipalities")
        dirs = (str(extra),) if extra else ()
        return cls(
            str(archive.root), municipality, dict(overrides or {}), ocr, dirs, archive.limits
        )

    def profiles(self) -> Profiles:
        return profiles_module.load(self.extra_dirs)  # cached: loaded once per process


# -- the steps --------------------------------------------------------------------------------


def read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DiariumError(msg.CANNOT_READ.format(reason=msg.os_error(exc))) from None


def hand_set(path: Path, batch: Batch) -> dict[str, Any]:
    """What a person set for this file: --set, --municipality, then its sidecar (which wins)."""
    values = dict(batch.overrides)
    if batch.municipality:
        values["municipality"] = batch.municipality
    values.update(read_sidecar(path, batch.limits))
    return values


def extract(
    path: Path, ocr: OcrSettings | None = None, limits: Limits = DEFAULT_LIMITS
) -> Extraction:
    """The format's reader, found through the registry (archive/extract/__init__.py); a PDF's
    pages without a usable text layer are read by OCR as `ocr` says, and no file is read past
    `limits`."""
    return extractors.read(path, ocr=ocr, limits=limits)


def clean(extraction: Extraction, profiles: Profiles, municipality: str | None) -> Extraction:
    """Page furniture (with the municipality's own footer lines) and hyphenation, any format."""
    footers = [p.pattern for p in profiles.footer_patterns(municipality)]
    return extractors.clean(extraction, footer_patterns=footers)


def metadata(extraction: Extraction, profiles: Profiles, municipality: str | None) -> Metadata:
    return read_metadata(extraction, municipality=municipality, profiles=profiles)


def build_document(
    *,
    sha256: str,
    source: str,
    size: int,
    extraction: Extraction,
    metadata: Metadata,
    overrides: dict[str, Any],
    origin: str = "hand",
    limits: Limits = DEFAULT_LIMITS,
) -> Document:
    """Merge what the rules read with what a person set; the person's value always wins.

    `origin` says where the set values came from: "hand" (--set, a sidecar) or "template".
    `limits`: how long a metadata value may be (archive.limits).
    """
    values = metadata.to_dict()
    values.update(overrides)
    for key in ("title", "case_number", "municipality", "board", "department", "officers"):
        check_value_length(key, values.get(key), source, limits)
    provenance = dict(metadata.provenance)
    provenance.update({key: {"source": origin} for key in overrides})
    date = values.get("date")
    year = values.get("year") or (int(date[:4]) if date else None)
    return Document(
        id=sha256[:ID_LENGTH],
        sha256=sha256,
        source=source,
        format=extraction.format,
        kind=values.get("kind") or "annat",
        title=values.get("title"),
        date=date,
        year=year,
        case_number=values.get("case_number"),
        municipality=values.get("municipality"),
        board=values.get("board"),
        department=values.get("department"),
        officers=list(values.get("officers") or []),
        pages=len(extraction.pages),
        sections=[{"heading": s["heading"], "text": s["text"]} for s in values.get("sections", [])],
        tables=[{"page": t.page, "rows": t.rows} for t in extraction.tables],
        added_at=now_iso(),
        flags=list(extraction.flags),
        manual=sorted(overrides),
        size=size,
        provenance=provenance,
        ocr=extraction.ocr,
    )


# -- the pipeline -----------------------------------------------------------------------------


def document_of(
    profiles: Profiles,
    file: Path,
    *,
    sha256: str,
    size: int,
    hand_set: dict[str, Any],
    ocr: OcrSettings | None,
    source: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[Document, Extraction]:
    """Extract, clean, read the metadata and build the record: what ingest does to a new file
    and `diarium ocr` to a stored scan. `hand_set`: values a person set, which win."""
    municipality = hand_set.get("municipality")
    extraction = clean(extract(file, ocr, limits), profiles, municipality)
    doc = build_document(
        sha256=sha256,
        source=source or source_name(file.name),
        size=size,
        extraction=extraction,
        metadata=metadata(extraction, profiles, municipality),
        overrides=hand_set,
        limits=limits,
    )
    doc.personal_data = scan_pages(extraction.pages)
    return doc, extraction


def read_document(
    archive: Archive,
    file: Path,
    *,
    sha256: str,
    source: str,
    size: int,
    hand_set: dict[str, Any],
    ocr: OcrSettings | None,
) -> tuple[Document, Extraction]:
    """`document_of` with the archive's own municipality data (for `diarium ocr`)."""
    return document_of(
        archive.profiles(),
        file,
        sha256=sha256,
        size=size,
        hand_set=hand_set,
        ocr=ocr,
        source=source,
        limits=archive.limits,
    )


def ingest_one(batch: Batch, path: str) -> Outcome:
    """Every step for one file; a file whose bytes are stored already is answered from its hash."""
    archive = Archive(batch.root)
    file = Path(path)
    try:
        data = read(file)
    except DiariumError as exc:
        return "failed", str(exc)
    sha = sha256_of(data)
    try:
        if archive.contains(sha):
            return "unchanged", archive.get(sha[:ID_LENGTH]).to_dict()
        values = hand_set(file, batch)
        if not data:
            raise DiariumError("tom fil")
        secrecy = {key: values.pop(key) for key in SECRECY_KEYS if key in values}
        doc, extraction = document_of(
            batch.profiles(),
            file,
            sha256=sha,
            size=len(data),
            hand_set=values,
            ocr=batch.ocr,
            limits=batch.limits,
        )
        mark = mark_from_set(secrecy, at=now_iso(), page_count=len(extraction.pages))
        doc.secrecy = [mark] if mark else []
        if archive.commit(doc, data, extraction):
            return "added", doc.to_dict()
        return "unchanged", archive.get(doc.id).to_dict()
    except ArchiveWriteError as exc:
        return "archive", str(exc)
    except DiariumError as exc:
        return "failed", str(exc)
    except OSError as exc:
        return "failed", msg.CANNOT_READ.format(reason=msg.os_error(exc))
    except Exception as exc:  # noqa: BLE001 - a library choking on one file must not stop a batch
        return "failed", msg.UNREADABLE.format(error=f"{type(exc).__name__}: {exc}")


def file_generated(
    archive: Archive,
    path: Path,
    values: dict[str, Any],
    *,
    made_from: str | None = None,
    template: dict[str, str] | None = None,
    renditions: Sequence[Path] = (),
) -> tuple[Document, bool]:
    """File a document diarium made itself: its metadata is known, so it is not re-read.

    `made_from`: a fingerprint of what it was made from (templates.Generated.fingerprint).
    A document made again from the same data has new bytes (the time is stamped in), but
    is the same document: it is reported as already in the archive, not filed twice.
    """
    if made_from:
        earlier = archive.made_from(made_from)
        if earlier is not None:
            return earlier, False
    data = path.read_bytes()
    sha = sha256_of(data)
    if archive.contains(sha):
        return archive.get(sha[:ID_LENGTH]), False
    extraction = extractors.extract(path)
    sections = values.get("sections", [])
    given = normalise({k: v for k, v in values.items() if k != "sections"}, origin="data")
    doc = build_document(
        sha256=sha,
        source=path.name,
        size=len(data),
        extraction=extraction,
        metadata=Metadata(sections=[]),
        overrides=given,
        origin="template",
    )
    doc.sections = [{"heading": s["heading"], "text": s["text"]} for s in sections]
    doc.personal_data = scan_pages(extraction.pages)
    if template is not None:
        doc.manual = []
        for origin in doc.provenance.values():
            if origin.get("source") == "template":
                origin.update(template)
    extra = [(f"rendition{p.suffix.lower()}", p.read_bytes()) for p in renditions]
    if extra:
        doc.renditions = [
            _rendition(name, content)
            for name, content in [(f"original{path.suffix.lower()}", data), *extra]
        ]
    added = archive.commit(doc, data, extraction, extra=extra)
    if made_from:
        archive.note_made_from(made_from, doc.id)
    return (doc if added else archive.get(doc.id)), added
