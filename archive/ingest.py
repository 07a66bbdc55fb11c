"""Take in a batch of files on all cores; one bad file never stops the rest.

Each worker does a whole file (read, hash, extract, clean, metadata, commit: archive/pipeline.py),
so the parent only collects small records and the batch scales with cores. A file whose bytes
are already in the archive is answered "unchanged" from its hash alone, which is what makes
re-running a killed batch cheap: only the files it had not reached are extracted.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from archive import messages as msg
from archive.document import Document
from archive.extract import ocr as ocr_step
from archive.extract.ocr import OcrSettings
from archive.extract.pdf import NO_TEXT_LAYER
from archive.pipeline import Batch, Outcome, ingest_one
from archive.store import Archive, Failure, IngestReport

SKIPPED_SUFFIXES = (".meta.yaml",)
DATA_SUFFIXES = (".yaml", ".yml", ".json")  # what `diarium generate` and `new` read
GENERATED_SUFFIXES = (".docx", ".pdf")


def data_file_of(path: Path) -> Path | None:
    """The generated document a file is the data of (`ärende.yaml` beside `ärende.docx`)."""
    if path.suffix.lower() not in DATA_SUFFIXES or path.name.endswith(SKIPPED_SUFFIXES):
        return None
    for suffix in GENERATED_SUFFIXES:
        document = path.with_suffix(suffix)
        if document.is_file():
            return document
    return None


def collect(paths: list[Path]) -> tuple[list[Path], list[Failure], list[Failure]]:
    """Files under the given paths, folders walked recursively, in a stable order; and the
    files skipped as diarium's own data (with the reason), and those that failed."""
    files: list[Path] = []
    failures: list[Failure] = []
    skipped: list[Failure] = []
    for path in paths:
        if path.is_dir():
            found = [
                f
                for f in sorted(path.rglob("*"))
                if f.is_file()
                and not any(part.startswith(".") for part in f.relative_to(path).parts)
                and not f.name.endswith(SKIPPED_SUFFIXES)
            ]
        elif path.is_file():
            found = [path]
        else:
            reason = "ingen vanlig fil" if path.exists() else "ingen sådan fil eller mapp"
            failures.append(Failure(str(path), reason))
            continue
        for file in found:
            document = data_file_of(file)
            if document is None:
                files.append(file)
            else:
                reason = msg.DATA_FILE_SKIPPED.format(document=document.name)
                skipped.append(Failure(str(file), reason))
    return files, failures, skipped


def ingest_file(
    root: str,
    path: str,
    municipality: str | None,
    overrides: dict[str, Any],
    ocr: OcrSettings | None = None,
) -> Outcome:
    """Every step for one file (archive.pipeline); runs in a worker process."""
    return ingest_one(Batch(root, municipality, dict(overrides), ocr=ocr), path)


def _pool(jobs: int) -> ProcessPoolExecutor:
    # fork starts workers in milliseconds with the libraries already imported; elsewhere the
    # platform's default is used.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPoolExecutor(max_workers=jobs, mp_context=context)


def ingest(
    archive: Archive,
    paths: list[Path],
    *,
    municipality: str | None,
    overrides: dict[str, Any],
    jobs: int | None,
    progress: Callable[[int, int, str, str], None] | None,
    ocr: str | None = None,
) -> IngestReport:
    """`progress(done, total, path, status)` is called after each file; `ocr`: auto, always or
    never (default: the archive's setting `ocr`, else auto)."""
    reading = OcrSettings.from_settings(archive.settings, ocr)
    archive.clean_stale()
    # The archive's settings are read once for the batch, not once per file.
    batch = Batch.of(archive, municipality, overrides, ocr=reading)
    files, failures, skipped = collect(paths)
    outcomes: dict[int, Outcome] = {}

    def done(i: int, outcome: Outcome) -> None:
        outcomes[i] = outcome
        if progress:
            progress(len(outcomes), len(files), str(files[i]), outcome[0])

    jobs = max(1, jobs or os.cpu_count() or 1)
    if jobs == 1 or len(files) <= 1:
        for i, file in enumerate(files):
            done(i, ingest_one(batch, str(file)))
    else:
        # Largest first, so one big PDF does not start last and hold up the end of the batch.
        order = sorted(range(len(files)), key=lambda i: _size(files[i]), reverse=True)
        with _pool(jobs) as pool:
            futures: dict[Future[Outcome], int] = {
                pool.submit(ingest_one, batch, str(files[i])): i for i in order
            }
            for future in as_completed(futures):
                i = futures[future]
                try:
                    done(i, future.result())
                except BrokenProcessPool:
                    done(i, ("failed", "läsprocessen dog på den här omgången (slut på minne?)"))

    report = IngestReport(failed=failures, skipped=skipped)
    for i in range(len(files)):
        status, value = outcomes[i]
        if status == "failed":
            report.failed.append(Failure(str(files[i]), str(value)))
        elif isinstance(value, dict):
            target = report.added if status == "added" else report.unchanged
            target.append(Document.from_dict(value))
    if reading.mode != "never" and any(NO_TEXT_LAYER in d.flags for d in report.added):
        reason = ocr_step.missing()
        if reason:
            report.warnings.append(f"skannade sidor lästes inte: {reason}; kör `diarium ocr` sedan")
    return report


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
