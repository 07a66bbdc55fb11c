"""OCR benchmark: diarium's OCR step side by side with plain Tesseract on the same page images.

    python -m tests.benchmarks.bench_ocr [--pages 8] [--dpi 300] [--rounds 1] [--json]

Renders the first pages of the corpus PDFs that have a text layer (../shared/corpus) to grey
page images with pdftoppm at --dpi, and wraps them as one image-only PDF, as a scanner writes
it. Then, in the same run and on the same images:

- diarium's OCR step, `archive.extract.ocr.run_ocr` on every page of that PDF (OCRmyPDF:
  rotation, deskew, Tesseract `swe` with word confidences, the PDF/A copy), with jobs=1 and
  jobs=<all cores>;
- the same through the whole ingest, `Archive(tmp).ingest([pdf])` with all cores (reading the
  copy's text, metadata, the atomic commit);
- plain `tesseract page.png stdout -l swe` on the page images, one after another, and in as many
  parallel processes as cores (OMP_THREAD_LIMIT=1, as OCRmyPDF runs it).

Each is run in a child process whose whole process tree's resident memory (the Python process
and every Tesseract and Ghostscript under it) is sampled every 50 ms; the peak sum is printed.
Timings are the best of --rounds (a shared machine adds noise in one direction only).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "corpus"

_CHILD = """
import json, sys, time, tempfile
from pathlib import Path
what, pdf, jobs = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
start = time.perf_counter()
if what == "ocr":
    from archive.extract.ocr import OcrSettings, run_ocr
    import pypdfium2
    count = len(pypdfium2.PdfDocument(pdf))
    run = run_ocr(pdf, list(range(1, count + 1)), OcrSettings(jobs=jobs))
    assert all(p.error is None for p in run.pages), run.pages
elif what == "ingest":
    from archive import Archive
    with tempfile.TemporaryDirectory() as root:
        report = Archive(root).ingest([pdf], jobs=jobs)
        assert not report.failed and report.added[0].ocr, report
else:
    import os, subprocess
    from concurrent.futures import ThreadPoolExecutor
    images = sorted(pdf.parent.glob("page-*.png"))
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    def one(image):
        subprocess.run(["tesseract", str(image), "stdout", "-l", "swe"], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, images))
print(json.dumps({"seconds": time.perf_counter() - start}))
"""


def _tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants, from /proc."""
    total = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            # children are listed per thread: the tesseract runs start from a thread pool
            children = [
                c for task in Path(f"/proc/{current}/task").iterdir()
                for c in (task / "children").read_text().split()
            ]  # fmt: skip
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        todo += [int(c) for c in children]
    return total


def measure(what: str, pdf: Path, jobs: int) -> dict[str, float]:
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, what, str(pdf), str(jobs)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    peak = [0]

    def sample() -> None:
        while child.poll() is None:
            peak[0] = max(peak[0], _tree_rss_kb(child.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = child.communicate()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"{what} with {jobs} job(s) failed (exit {child.returncode})")
    return {"seconds": json.loads(out)["seconds"], "peak_mb": peak[0] / 1024}


def make_scan(pages: int, dpi: int, folder: Path) -> Path:
    """`pages` page images from corpus PDFs with a text layer, and the image-only PDF of them."""
    from archive.extract.pdf import read_pdf
    from tests.scans import Soil, image_pdf, render, soil

    images = []
    for source in sorted(CORPUS.rglob("*.pdf")):
        read, _ = read_pdf(source)
        for page in read[:2]:
            if len(images) < pages and len(page.text) > 500:
                images.append(soil(render(source, page.number, dpi), Soil()))
    if len(images) < pages:
        raise SystemExit(f"only {len(images)} text pages found under {CORPUS}")
    for n, image in enumerate(images, start=1):
        image.save(folder / f"page-{n:03d}.png", dpi=(dpi, dpi))
    return image_pdf(images, dpi, folder / "scan.pdf")


def best(what: str, pdf: Path, jobs: int, rounds: int) -> dict[str, float]:
    runs = [measure(what, pdf, jobs) for _ in range(rounds)]
    return {
        "seconds": min(r["seconds"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=8)
    parser.add_argument("--dpi", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from archive.extract import ocr

    if ocr.missing():
        raise SystemExit(f"OCR cannot run here: {ocr.missing()}")
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="diarium-bench-ocr-") as tmp:
        pdf = make_scan(args.pages, args.dpi, Path(tmp))
        print(
            f"{args.pages} page images at {args.dpi} dpi from corpus PDFs; {cores} cores; "
            f"best of {args.rounds} round(s); load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        figures: dict[str, Any] = {"pages": args.pages, "dpi": args.dpi, "cores": cores}
        for jobs in sorted({1, cores}):
            figures[f"jobs_{jobs}"] = {
                "diarium_ocr": best("ocr", pdf, jobs, args.rounds),
                "tesseract": best("tesseract", pdf, jobs, args.rounds),
            }
        figures["ingest"] = best("ingest", pdf, cores, args.rounds)

    print()
    columns = sorted({1, cores})
    print(f"{'':<36}" + "".join(f"{f'{j} job(s)':>22}" for j in columns))
    for label, key in (
        ("diarium OCR step (OCRmyPDF)", "diarium_ocr"),
        ("plain tesseract", "tesseract"),
    ):
        cells = []
        for j in columns:
            m = figures[f"jobs_{j}"][key]
            cells.append(f"{args.pages / m['seconds']:.2f} p/s {m['peak_mb']:.0f} MB")
        print(f"{label:<36}" + "".join(f"{c:>22}" for c in cells))
    ratio = [
        figures[f"jobs_{j}"]["tesseract"]["seconds"]
        / figures[f"jobs_{j}"]["diarium_ocr"]["seconds"]
        for j in columns
    ]
    print(f"{'ratio diarium/tesseract':<36}" + "".join(f"{r:>22.2f}" for r in ratio))
    ingest = figures["ingest"]
    cell = f"{args.pages / ingest['seconds']:.2f} p/s {ingest['peak_mb']:.0f} MB"
    print(f"{'whole ingest, all cores':<36}{'':>22}{cell:>22}")
    if args.json:
        print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
