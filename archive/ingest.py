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
from concurrent.futures import Future, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from pebble import ProcessExpired, ProcessPool

from archive import messages as msg
from archive.document import Document
from archive.extract import ocr as ocr_step
from archive.extract.ocr import OcrSettings
from archive.extract.pdf import NO_TEXT_LAYER
from archive.pipeline import Batch, Outcome, ingest_one
from archive.processes import die_with_parent
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
    files skipped as diarium's own data (with the reason), and those that failed.

    A folder is walked without following symbolic links: a link to a file or folder outside the
    folder given (`skugga.txt -> /etc/shadow`) fails with its reason, so nothing outside it is
    read on the strength of a link someone put there. A file named on the command line is taken
    as named.
    """
    files: list[Path] = []
    failures: list[Failure] = []
    skipped: list[Failure] = []
    for path in paths:
        if path.is_dir():
            found = _files_in(path, failures)
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


def _files_in(folder: Path, failures: list[Failure]) -> list[Path]:
    """The files under `folder`, sorted, hidden ones and sidecars left out; a link out of the
    folder is added to `failures` instead."""
    top = folder.resolve()
    files: list[Path] = []
    for found in _walk(folder):
        if any(part.startswith(".") for part in found.relative_to(folder).parts):
            continue
        if found.is_symlink():
            target = found.resolve()
            if not target.is_relative_to(top):
                failures.append(Failure(str(found), msg.LINK_OUT.format(target=target)))
                continue
            if target.is_dir():
                continue  # walked already as the folder it points to
        if found.is_file() and not found.name.endswith(SKIPPED_SUFFIXES):
            files.append(found)
    return files


def _walk(folder: Path) -> list[Path]:
    """Everything under `folder`, links listed but not followed, sorted."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        base = Path(dirpath)
        found.extend(base / name for name in (*dirnames, *filenames))
    return sorted(found)


# A worker that died is retried this many times with the files it had not reached; the file it
# was reading is not (it is the likely cause: a PDF that makes pdfium run out of memory).
_POOL_RESTARTS = 3


def _pool(jobs: int) -> ProcessPool:
    # fork starts workers in milliseconds with the libraries already imported; elsewhere the
    # platform's default is used. Pebble's pool, unlike concurrent.futures', fails only the task
    # of a worker that died (SIGKILL from the OOM killer) and starts a fresh worker for the rest.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    return ProcessPool(
        max_workers=jobs, initializer=die_with_parent, initargs=(os.getpid(),), context=context
    )


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
    stopped: str | None = None
    if jobs == 1 or len(files) <= 1:
        for i, file in enumerate(files):
            done(i, ingest_one(batch, str(file)))
            if outcomes[i][0] == "archive":
                stopped = str(outcomes[i][1])
                break
    else:
        # Largest first, so one big PDF does not start last and hold up the end of the batch.
        pending = sorted(range(len(files)), key=lambda i: _size(files[i]), reverse=True)
        for _ in range(_POOL_RESTARTS + 1):
            if not pending or stopped:
                break
            pending, stopped = _run_pool(jobs, pending, done, lambda i: (batch, str(files[i])))
        for i in pending:  # the pool kept breaking: these were never read
            done(i, ("failed", msg.WORKERS_KEPT_DYING))

    report = IngestReport(failed=failures, skipped=skipped, stopped=stopped)
    for i in range(len(files)):
        if i not in outcomes:
            continue  # not reached: the archive could not be written
        status, value = outcomes[i]
        if status in ("failed", "archive"):
            report.failed.append(Failure(str(files[i]), str(value)))
        elif isinstance(value, dict):
            target = report.added if status == "added" else report.unchanged
            target.append(Document.from_dict(value))
    if reading.mode != "never" and any(NO_TEXT_LAYER in d.flags for d in report.added):
        reason = ocr_step.missing()
        if reason:
            report.warnings.append(f"skannade sidor lästes inte: {reason}; kör `diarium ocr` sedan")
    return report


def _run_pool(
    jobs: int,
    pending: list[int],
    done: Callable[[int, Outcome], None],
    arguments: Callable[[int], tuple[Any, ...]],
) -> tuple[list[int], str | None]:
    """Run `pending` files in one pool; returns the files to try again in a fresh pool (the
    pool broke before reaching them) and, if the archive could not be written, why."""
    again: list[int] = []
    stopped: str | None = None
    with _pool(jobs) as pool:
        futures: dict[Future[Outcome], int] = {
            pool.schedule(ingest_one, arguments(i)): i for i in pending
        }
        for future in as_completed(futures):
            i = futures[future]
            if future.cancelled():
                continue
            try:
                outcome = future.result()
            except ProcessExpired:
                done(i, ("failed", msg.WORKER_DIED))
                continue
            except BrokenProcessPool:
                again.append(i)
                continue
            done(i, outcome)
            if outcome[0] == "archive" and stopped is None:
                stopped = str(outcome[1])
                for other in futures:
                    other.cancel()
        if stopped:
            pool.stop()
    return ([] if stopped else sorted(again, key=pending.index)), stopped


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
