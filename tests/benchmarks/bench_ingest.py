"""Ingest benchmark: diarium's real ingest path side by side with poppler's pdftotext.

    python -m tests.benchmarks.bench_ingest [--min-pages 500] [--rounds 3] [--json]

Takes every PDF under ../shared/corpus (real municipal PDFs, one of them a scan) and repeats the
set until it passes --min-pages pages; each repeat gets a different PDF comment appended, so its
bytes (and hash) differ and the archive really extracts it again instead of answering
"unchanged". Then, in the same run and on the same files:

- `Archive(tmp).ingest(files, jobs=1)` and `jobs=<all cores>` (read, hash, extract, metadata,
  atomic commit with fsync), each into a fresh archive;
- `pdftotext` over the files one after another, and in as many parallel processes as there are
  cores;

each timed `--rounds` times, best round reported (the machine may be shared). Pages/s and the
ratio diarium/pdftotext are printed; the target is a ratio of at least 0.25 with all cores.

Peak memory (RSS) is measured in a fresh child process that ingests one file with jobs=1 (so the
extraction runs in that process) and reports its own ru_maxrss: once for the corpus's largest
PDF, once for a 300-page PDF made from real corpus pages with pypdfium2. Target: < 400 MB.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"
TARGET_RATIO = 0.25
TARGET_MB = 400

# Run in a child: ingest one file in-process and print the peak RSS of that process.
_CHILD = """
import json, resource, sys, tempfile, time
from pathlib import Path
from archive import Archive
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with tempfile.TemporaryDirectory() as root:
    start = time.perf_counter()
    report = Archive(Path(root)).ingest([Path(sys.argv[1])], jobs=1, ocr="never")
    seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
failed = [f.error for f in report.failed]
print(json.dumps({"base_kb": base, "peak_kb": peak, "seconds": seconds, "failed": failed}))
"""


def page_count(path: Path) -> int:
    with pdfium.PdfDocument(path) as pdf:
        return len(pdf)


def make_copies(sources: list[Path], min_pages: int, folder: Path) -> tuple[list[Path], int]:
    """Enough byte-distinct copies of the sources to pass `min_pages`."""
    per_set = sum(page_count(p) for p in sources)
    sets = max(1, math.ceil(min_pages / per_set))
    files = []
    for n in range(sets):
        for source in sources:
            copy = folder / f"set{n}" / source.name
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(source.read_bytes() + f"\n% diarium benchmark copy {n}\n".encode())
            files.append(copy)
    return files, per_set * sets


def time_ingest(files: list[Path], jobs: int) -> float:
    with tempfile.TemporaryDirectory(prefix="diarium-bench-") as root:
        from archive import Archive

        start = time.perf_counter()
        # Text-layer extraction only, as pdftotext beside it; OCR has its own bench_ocr.py.
        report = Archive(Path(root)).ingest(files, jobs=jobs, ocr="never")
        seconds = time.perf_counter() - start
    if report.failed or len(report.added) != len(files):
        raise SystemExit(f"ingest did not take every file: {report.failed}")
    return seconds


def time_pdftotext(files: list[Path], jobs: int) -> float:
    def run(path: Path) -> None:
        subprocess.run(
            ["pdftotext", "-q", str(path), "-"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )

    start = time.perf_counter()
    # Largest first, as diarium's ingest does, so one big file does not end the run alone.
    ordered = sorted(files, key=lambda p: p.stat().st_size, reverse=True)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        list(pool.map(run, ordered))
    return time.perf_counter() - start


def best(measure: Any, rounds: int) -> float:
    return min(measure() for _ in range(rounds))


def make_long_pdf(sources: list[Path], pages: int, path: Path) -> Path:
    """A `pages`-page PDF of real corpus pages (the text-layer ones), cycling through files."""
    out = pdfium.PdfDocument.new()
    while len(out) < pages:
        for source in sources:
            with pdfium.PdfDocument(source) as pdf:
                take = min(len(pdf), pages - len(out))
                out.import_pages(pdf, list(range(take)))
            if len(out) >= pages:
                break
    out.save(path)
    out.close()
    return path


def peak_memory(path: Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    if measured["failed"]:
        raise SystemExit(f"ingest of {path.name} failed: {measured['failed']}")
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--min-pages", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds; best is reported")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()

    if not shutil.which("pdftotext"):
        raise SystemExit("pdftotext (poppler-utils) is needed for the side-by-side figures")
    sources = sorted(CORPUS.rglob("*.pdf"))
    if not sources:
        raise SystemExit(f"no PDFs under {CORPUS}: this benchmark needs ../shared beside the repo")
    cores = os.cpu_count() or 1

    with tempfile.TemporaryDirectory(prefix="diarium-bench-files-") as tmp:
        folder = Path(tmp)
        files, pages = make_copies(sources, args.min_pages, folder)
        print(
            f"{pages} pages: {len(sources)} corpus PDFs ({pages // (len(files) // len(sources))}"
            f" pages) x {len(files) // len(sources)} byte-distinct copies = {len(files)} files;"
            f" {cores} cores; best of {args.rounds} rounds",
            flush=True,
        )
        figures: dict[str, Any] = {"pages": pages, "files": len(files), "cores": cores}
        for jobs in sorted({1, cores}):
            ingest = best(lambda jobs=jobs: time_ingest(files, jobs), args.rounds)
            poppler = best(lambda jobs=jobs: time_pdftotext(files, jobs), args.rounds)
            figures[f"jobs_{jobs}"] = {
                "diarium_pages_per_s": pages / ingest,
                "pdftotext_pages_per_s": pages / poppler,
                "ratio": poppler / ingest,
            }

        largest = max(sources, key=lambda p: (page_count(p), p.stat().st_size))
        text_sources = [p for p in sources if "hedersrelaterat" not in p.name]  # not the scan
        long_pdf = make_long_pdf(text_sources, 300, folder / "long-300-pages.pdf")
        memory = {
            f"largest file ({largest.name}, {page_count(largest)} pages)": peak_memory(largest),
            "300-page PDF of corpus pages": peak_memory(long_pdf),
        }
        figures["memory"] = memory

    print()
    print(f"{'pages/s':<24}{'1 job':>12}" + (f"{f'{cores} jobs':>12}" if cores > 1 else ""))
    rows = [
        ("diarium ingest", "diarium_pages_per_s", "{:.0f}"),
        ("pdftotext", "pdftotext_pages_per_s", "{:.0f}"),
        ("ratio diarium/pdftotext", "ratio", "{:.2f}"),
    ]
    for label, key, shape in rows:
        cells = [shape.format(figures[f"jobs_{j}"][key]) for j in sorted({1, cores})]
        print(f"{label:<24}" + "".join(f"{c:>12}" for c in cells))
    ratio = figures[f"jobs_{cores}"]["ratio"]
    verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
    print(f"target: ratio >= {TARGET_RATIO} with all cores: {verdict} ({ratio:.2f})")
    print()
    print(f"{'peak RSS (one file, jobs=1)':<62}{'peak MB':>9}{'startup MB':>12}{'seconds':>9}")
    for label, m in memory.items():
        print(
            f"{label:<62}{m['peak_kb'] / 1024:>9.0f}{m['base_kb'] / 1024:>12.0f}"
            f"{m['seconds']:>9.2f}"
        )
    worst = max(m["peak_kb"] for m in memory.values()) / 1024
    print(f"target: peak < {TARGET_MB} MB: {'meets' if worst < TARGET_MB else 'MISSES'}")
    if args.json:
        print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
