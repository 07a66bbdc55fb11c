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
page). It reports requests/s, p50/p95/p99 latency, errors and non-2xx answers, and the CPU the
server's processes used per request (what the latencies become on a machine shared with other
work depends on that work; the CPU a request costs does not); the target is p95
under 300 ms with no error. Only 127.0.0.1 is ever a target.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from tests.benchmarks.bench_search import (
    QuerySpec,
    SynthDoc,
    build_queries,
    build_vocabulary,
    generate,
)

REPO = Path(__file__).resolve().parents[2]
BATCH = 2000
DONE_NOTE = "bench-web-built.json"
HOST = "127.0.0.1"  # the only target this benchmark ever sends requests to
TARGET_P95_MS = 300.0
# wrk's Lua: a random search URL per request, with the account's credentials; each thread
# counts answers by status, and done() prints one JSON line the benchmark reads.
WRK_SCRIPT = """
local paths = {PATHS}
local headers = {HEADERS}
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(seed * 7919)
  statuses = {}
end

function request()
  return wrk.format("GET", paths[math.random(#paths)], headers)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[tostring(status)] = (counts[tostring(status)] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%s": %d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK-JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p95_us": %d, '
    .. '"p99_us": %d, "max_us": %d, "mean_us": %.1f, "errors": {"connect": %d, "read": %d, '
    .. '"write": %d, "status": %d, "timeout": %d}, "statuses": {%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(95), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ", ")))
end
"""


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


def query_params(q: QuerySpec) -> dict[str, str]:
    """A benchmark query as the URL of the search page and the API hold it."""
    params = {"q": f'"{q.phrase}"' if q.phrase else " ".join(q.words)}
    if q.municipality:
        params["municipality"] = q.municipality
    if q.years:
        params["year"] = f"{q.years[0]}..{q.years[1]}"
    return params


def search_paths(target: str) -> list[str]:
    base = "/api/search" if target == "api" else "/"
    return [f"{base}?{urllib.parse.urlencode(query_params(q))}" for q in build_queries()]


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_wrk_script(path: Path, paths: list[str], headers: dict[str, str]) -> None:
    lua_paths = "{" + ", ".join(_lua_string(p) for p in paths) + "}"
    lua_headers = (
        "{" + ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items()) + "}"
    )
    path.write_text(WRK_SCRIPT.replace("{PATHS}", lua_paths).replace("{HEADERS}", lua_headers))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class Diarium:
    """Runs the diarium of a checkout (this one, or another read-only: --code DIR)."""

    def __init__(self, code: Path, root: Path) -> None:
        python = code / ".venv" / "bin" / "python"
        self.cmd = [str(python if python.exists() else sys.executable), "-m", "cli"]
        self.code = code
        self.root = root
        # No .pyc written into a checkout that is only read.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("DIARIUM_")}
        self.env["PYTHONDONTWRITEBYTECODE"] = "1"

    def run(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [*self.cmd, "--archive", str(self.root), *args],
            input=stdin, capture_output=True, text=True, cwd=self.code, env=self.env, check=False,
        )  # fmt: skip
        if result.returncode:
            sys.exit(f"diarium {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def serve(self, port: int, workers: int | None, log: Path) -> subprocess.Popen[bytes]:
        args = ["serve", "--host", HOST, "--port", str(port)]
        if workers:
            args += ["--workers", str(workers)]
        out = log.open("wb")
        return subprocess.Popen(
            [*self.cmd, "--archive", str(self.root), *args],
            stdout=out, stderr=subprocess.STDOUT, cwd=self.code, env=self.env,
            start_new_session=True,
        )  # fmt: skip


def _wait_until_up(base: str, server: subprocess.Popen[bytes], seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"diarium serve stopped (exit {server.returncode}); see its log")
        try:
            with urllib.request.urlopen(f"{base}/logga-in", timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.5)
    sys.exit(f"diarium serve did not answer on {base} within {seconds:.0f} s")


def _log_in(base: str, name: str, password: str) -> str:
    """A session as a browser gets one: the login form's CSRF token, then the POST."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/logga-in", timeout=30) as answer:
        form = answer.read().decode("utf-8")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    if token is None:
        sys.exit("the login page has no CSRF token field")
    data = urllib.parse.urlencode(
        {"username": name, "password": password, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    with opener.open(f"{base}/logga-in", data=data, timeout=30) as answer:
        if "/logga-in" in answer.geturl():
            sys.exit("logging in to the search page failed")
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        sys.exit("no session cookie after logging in")
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def run_wrk(
    base: str, script: Path, *, connections: int, seconds: int, threads: int
) -> dict[str, Any]:
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
        "-s", str(script), f"{base}/",
    ]  # fmt: skip
    result = subprocess.run(
        command, capture_output=True, text=True, check=False, timeout=seconds + 120
    )
    line = next((x for x in result.stdout.splitlines() if x.startswith("WRK-JSON ")), None)
    if result.returncode or line is None:
        sys.exit(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    raw = json.loads(line.removeprefix("WRK-JSON "))
    ok = sum(n for status, n in raw["statuses"].items() if status.startswith("2"))
    return {
        "command": " ".join(command),
        "requests": raw["requests"],
        "seconds": round(raw["duration_us"] / 1e6, 1),
        "requests_per_s": round(raw["requests"] / (raw["duration_us"] / 1e6), 1),
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p90_ms": round(raw["p90_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "max_ms": round(raw["max_us"] / 1000, 1),
        "statuses": raw["statuses"],
        "non_2xx": raw["requests"] - ok,
        "errors": raw["errors"],
    }


def server_cpu_seconds(session: int) -> float:
    """CPU time (user + system) used so far by the server's processes (gunicorn's master and
    workers: one session). Divided by the requests answered it gives the CPU a request costs,
    a figure that, unlike the latencies, does not depend on what else the machine runs."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a process that ended meanwhile
        if int(fields[3]) == session:  # fields[3] is field 6 of proc(5): the session id
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def in_process_peer(root: Path, target: str, rounds: int) -> dict[str, Any]:
    """The same queries straight through `Index.search` in this process, one at a time, with
    what each request asks for (the page: 20 hits and facets; the API: 10 hits): what HTTP,
    Django, rights and the audit log add on top."""
    from archive import Archive
    from indexer.archive_sync import index_of

    index = index_of(Archive(root))
    limit, facets = (10, False) if target == "api" else (20, True)
    latencies: list[float] = []
    for _round in range(max(1, rounds)):
        latencies = []
        for q in build_queries():
            params = query_params(q)
            t0 = time.perf_counter()
            index.search(
                params["q"],
                municipalities=[params["municipality"]] if "municipality" in params else (),
                year=params.get("year"),
                limit=limit,
                facets=facets,
            )
            latencies.append((time.perf_counter() - t0) * 1000)
    index.close()
    return {
        "queries": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(statistics.quantiles(latencies, n=20, method="inclusive")[18], 1),
    }


def load_test(root: Path, args: argparse.Namespace) -> dict[str, Any]:
    diarium = Diarium(args.code.resolve(), root)
    name, password = f"bench{int(time.time())}", secrets.token_urlsafe(18)
    diarium.run(
        "users", "add", name, "--role", args.role, "--password-stdin", stdin=password + "\n"
    )
    port = _free_port()
    base = f"http://{HOST}:{port}"
    log = args.server_log or root.parent / f"bench-web-serve-{port}.log"
    _log(f"diarium serve on {base} (code: {args.code}, log: {log})")
    server = diarium.serve(port, args.workers, log)
    script = Path(tempfile.mkdtemp(prefix="bench-web-wrk-")) / "search.lua"
    try:
        _wait_until_up(base, server)
        if args.target == "api":
            token = diarium.run("users", "token", name).strip()
            headers = {"Authorization": f"Bearer {token}"}
        else:
            headers = {"Cookie": _log_in(base, name, password)}
        write_wrk_script(script, search_paths(args.target), headers)
        _log(f"warm-up: {args.warmup} s (every worker opens its index)")
        warmup = run_wrk(
            base, script, connections=args.connections, seconds=args.warmup, threads=args.threads
        )
        _log(f"warm-up: {warmup}")
        load_before = os.getloadavg()
        cpu_before = server_cpu_seconds(server.pid)
        _log(f"measured run: {args.connections} connections, {args.duration} s")
        measured = run_wrk(
            base, script, connections=args.connections, seconds=args.duration, threads=args.threads
        )
        cpu = server_cpu_seconds(server.pid) - cpu_before
        load_after = os.getloadavg()
        measured["server_cpu_s"] = round(cpu, 1)
        measured["server_cpu_ms_per_request"] = round(cpu * 1000 / max(measured["requests"], 1), 1)
        _log(f"measured: {measured}")
    finally:
        os.killpg(server.pid, 15)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
        shutil.rmtree(script.parent, ignore_errors=True)
    _log("in-process peer: the same queries through Index.search, one at a time")
    peer = in_process_peer(root, args.target, args.peer_rounds)
    return {
        "target": args.target,
        "role": args.role,
        "workers": args.workers or "serve default",
        "code": str(args.code),
        "urls": len(search_paths(args.target)),
        "warmup": warmup,
        "measured": measured,
        "peer_in_process": peer,
        "load_average_before_after": [round(x, 2) for x in load_before + load_after],
        "p95_target_ms": TARGET_P95_MS,
        "met": measured["p95_ms"] < TARGET_P95_MS
        and not measured["non_2xx"]
        and not any(measured["errors"].values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--build", type=Path, metavar="DIR", help="Build the archive here, keep it.")
    where.add_argument("--reuse", type=Path, metavar="DIR", help="Use an archive built before.")
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2, help="Ingest processes (default 2).")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument(
        "--target",
        choices=("api", "page"),
        default="api",
        help="The JSON API with a token, or the search page with a session.",
    )
    parser.add_argument("--role", default="läsare", help="The test account's role.")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--duration", type=int, default=60, help="Seconds of the measured run.")
    parser.add_argument("--warmup", type=int, default=15, help="Seconds of load before it.")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads.")
    parser.add_argument("--workers", type=int, help="diarium serve --workers (default: its own).")
    parser.add_argument(
        "--code", type=Path, default=REPO, help="Checkout whose diarium serves (default: this one)."
    )
    parser.add_argument("--server-log", type=Path)
    parser.add_argument(
        "--peer-rounds", type=int, default=2, help="Rounds of the in-process peer (last counts)."
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None and not args.build_only:
        sys.exit("wrk is not installed (apt-get install wrk)")
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
    report = load_test(root, args)
    print(json.dumps(report, ensure_ascii=False))
    m = report["measured"]
    cores = os.cpu_count() or 1
    capacity = cores * 1000 / max(m["server_cpu_ms_per_request"], 0.1)
    print(
        f"\n{args.connections} connections, {m['seconds']} s, {args.target}: "
        f"{m['requests_per_s']} requests/s, p50 {m['p50_ms']} ms, p95 {m['p95_ms']} ms, "
        f"p99 {m['p99_ms']} ms, non-2xx {m['non_2xx']}, errors {m['errors']}; "
        f"server CPU {m['server_cpu_ms_per_request']} ms a request "
        f"({cores} cores to itself: at most {capacity:.0f} requests/s); "
        f"in-process Index.search p50 {report['peer_in_process']['p50_ms']} ms, "
        f"p95 {report['peer_in_process']['p95_ms']} ms; "
        f"target p95 < {TARGET_P95_MS:.0f} ms and no error: {'met' if report['met'] else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
