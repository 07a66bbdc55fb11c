"""Load test of the web application: 20 users searching an archive of 100,000 documents.

    python -m tests.benchmarks.bench_web --build /work/coord/web100k          # build, then run
    python -m tests.benchmarks.bench_web --reuse /work/coord/web100k          # run on it again
    python -m tests.benchmarks.bench_web --build DIR --build-only             # only build

The archive holds bench_search's deterministic synthetic corpus (same generator, same count, same
queries), stored as real archive documents: each is written as a text file (pages separated by
form feeds) with a sidecar NAME.meta.yaml giving its kind, date, case number, municipality, board
and title, and taken in by `Archive.ingest(jobs=N)`, the path `diarium ingest` uses (hash,
extraction, metadata rules, atomic commit with fsync), in batches so that a killed build goes on
where it stopped (documents already stored are answered "unchanged" by their hash). The index is
then built by `rebuild_from_archive`, what `diarium reindex` runs. Both steps are timed.

The run starts a real `diarium serve` on a free loopback port with a test account, then `wrk`
(20 connections, 60 s) requests search URLs chosen at random by a Lua script among bench_search's
220 queries (words, phrases, municipality and year filters), sending the account's API token
(`--target api`, `GET /api/search`) or a logged-in session cookie (`--target page`, the search
page). It reports requests/s, p50/p95/p99 latency, errors and non-2xx answers; the target is p95
under 300 ms with no error. Only 127.0.0.1 is ever a target.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from tests.benchmarks.bench_search import (
    SynthDoc,
    build_queries,
    build_vocabulary,
    generate,
)

REPO = Path(__file__).resolve().parents[2]
BATCH = 2000
DONE_NOTE = "bench-web-built.json"


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def _write_source(folder: Path, doc: SynthDoc) -> Path:
    """The document as a text file with its metadata in a sidecar, as a registrar hands it in."""
    path = folder / doc.source.replace(".pdf", ".txt")
    path.write_text("\f".join(text for _, text in doc.pages) + "\f", "utf-8")
    meta = {
        "title": doc.title,
        "kind": doc.kind,
        "date": doc.date,
        "case_number": doc.case_number,
        "municipality": doc.municipality,
        "board": doc.board,
    }
    sidecar = path.with_name(path.stem + ".meta.yaml")
    sidecar.write_text(yaml.safe_dump(meta, allow_unicode=True), "utf-8")
    return path


def _batches(docs: Iterator[SynthDoc], size: int) -> Iterator[list[SynthDoc]]:
    batch: list[SynthDoc] = []
    for doc in docs:
        batch.append(doc)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def build_archive(root: Path, count: int, jobs: int) -> dict[str, Any]:
    """Store `count` synthetic documents in the archive at `root` and index them; timed."""
    from archive import Archive
    from indexer.archive_sync import rebuild_from_archive

    note = root / DONE_NOTE
    if note.is_file():
        built = json.loads(note.read_text("utf-8"))
        if built.get("docs") == count:
            _log(f"archive {root} already built: {built}")
            return built
    archive = Archive(root)
    root.mkdir(parents=True, exist_ok=True)
    vocab = build_vocabulary()
    _log(f"building {count} documents in {root}; vocabulary: {vocab.source}; jobs={jobs}")
    staging = Path(tempfile.mkdtemp(prefix="bench-web-src-", dir=root.parent))
    added = unchanged = failed = pages = 0
    write_s = ingest_s = 0.0
    try:
        for number, batch in enumerate(_batches(generate(vocab, count), BATCH), start=1):
            folder = staging / f"batch-{number}"
            folder.mkdir()
            t0 = time.perf_counter()
            files = [_write_source(folder, doc) for doc in batch]
            t1 = time.perf_counter()
            report = archive.ingest(files, jobs=jobs)
            t2 = time.perf_counter()
            shutil.rmtree(folder)
            write_s += t1 - t0
            ingest_s += t2 - t1
            added += len(report.added)
            unchanged += len(report.unchanged)
            failed += len(report.failed)
            pages += sum(d.pages for d in report.added)
            for failure in report.failed[:3]:
                _log(f"failed: {failure.path}: {failure.error}")
            done = added + unchanged + failed
            _log(
                f"{done}/{count} stored (added {added}, unchanged {unchanged}, failed {failed}); "
                f"ingest {ingest_s:.0f} s, {added / ingest_s if ingest_s else 0:.1f} docs/s"
            )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _log("indexing (rebuild_from_archive, as `diarium reindex`)")
    t0 = time.perf_counter()
    last = [t0]

    def progress(step: int) -> None:
        progress.done += step  # type: ignore[attr-defined]
        if time.perf_counter() - last[0] > 60:
            last[0] = time.perf_counter()
            _log(f"indexed {progress.done}/{count}")  # type: ignore[attr-defined]

    progress.done = 0  # type: ignore[attr-defined]
    indexed = rebuild_from_archive(archive, progress=progress)
    index_s = time.perf_counter() - t0
    built = {
        "docs": count,
        "added": added,
        "unchanged": unchanged,
        "failed": failed,
        "pages_added": pages,
        "indexed": indexed,
        "write_sources_s": round(write_s, 1),
        "ingest_s": round(ingest_s, 1),
        "ingest_docs_per_s": round(added / ingest_s, 1) if ingest_s else None,
        "index_s": round(index_s, 1),
        "index_docs_per_s": round(indexed / index_s, 1) if index_s else None,
        "jobs": jobs,
        "cores": os.cpu_count(),
    }
    if failed or indexed != count:
        sys.exit(f"build incomplete: {built}")
    note.write_text(json.dumps(built), "utf-8")
    _log(f"built: {built}")
    return built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--build", type=Path, metavar="DIR", help="Build the archive here, keep it.")
    where.add_argument("--reuse", type=Path, metavar="DIR", help="Use an archive built before.")
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2, help="Ingest processes (default 2).")
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    if args.reuse:
        note = args.reuse / DONE_NOTE
        if not note.is_file():
            sys.exit(f"{args.reuse} holds no finished benchmark archive (no {DONE_NOTE})")
        root, built = args.reuse, json.loads(note.read_text("utf-8"))
    else:
        root = args.build or Path(tempfile.mkdtemp(prefix="bench-web-"))
        built = build_archive(root, args.docs, args.jobs)
    print(json.dumps({"archive": str(root), "build": built, "queries": len(build_queries())}))
    if args.build_only:
        return


if __name__ == "__main__":
    main()
