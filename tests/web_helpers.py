"""A real `diarium serve` over a test archive, for the web tests (HTTP and browser).

The archive is made with the project's own code: the shipped example data of every kind
generated and filed (one case, 2021.004 KUN, spans several of them), plus two text documents
filed by `ingest`: one secret as a whole, one with a secret page and a personnummer. Accounts
are made with `diarium users add`, as an installation would. With $DIARIUM_TEST_POSTGRES (a
PostgreSQL URL whose account may create databases) the server keeps its accounts, sessions and
audit log in a database made for the run, dropped afterwards; otherwise in SQLite.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive import Archive
from indexer.archive_sync import rebuild_from_archive
from templates.render import load_data, render
from templates.schema import find_kind

REPO = Path(__file__).resolve().parents[1]
DIARIUM = str(Path(sys.executable).with_name("diarium"))
POSTGRES_ENV = "DIARIUM_TEST_POSTGRES"

CASE = "2021.004 KUN"
SECRET_WORD = "zebrafinkar"  # only in the document secret as a whole
SECRET_PAGE_WORD = "kvastfeningar"  # only on the secret page of the partly secret document
PERSONNUMMER = "19121212-1212"

ACCOUNTS = {
    "anna": ("administratör", False),
    "rita": ("registrator", False),
    "lasse": ("läsare", False),
    "klara": ("läsare", True),
    "offer": ("läsare", False),  # locked out by the lockout test
}
PASSWORD = "Kanelbulle-{name}-2024"


def password(name: str) -> str:
    return PASSWORD.format(name=name)


@dataclass
class TestArchive:
    root: Path
    secret_id: str
    partly_id: str
    case_ids: list[str] = field(default_factory=list)


def build_archive(root: Path, scratch: Path) -> TestArchive:
    archive = Archive(root)
    case_ids = []
    for data_file in sorted((REPO / "templates" / "examples").glob("*.yaml")):
        kind = find_kind(data_file.stem)
        generated = render(kind, load_data(data_file), scratch / f"{data_file.stem}.docx")
        document, _ = archive.store_generated(generated.docx, generated.metadata)
        if document.case_number == CASE:
            case_ids.append(document.id)
    secret = scratch / "hemlig-utredning.txt"
    secret.write_text(
        "Utredning om skyddat boende\n\nUtredningen gäller försörjningsstöd till en familj "
        f"med skyddade personuppgifter. Ordet {SECRET_WORD} finns bara här.\n",
        "utf-8",
    )
    partly = scratch / "delvis-hemlig.txt"
    partly.write_text(
        "Ansökan om försörjningsstöd\n\nSökande med personnummer "
        f"{PERSONNUMMER} ansöker om försörjningsstöd för hyra.\n\f"
        f"Sida två med uppgifter om hälsa och {SECRET_PAGE_WORD}.\n\f",
        "utf-8",
    )
    for path, title in (
        (secret, "Hemlig utredning om skyddat boende"),
        (partly, "Ansökan om försörjningsstöd"),
    ):
        path.with_name(path.stem + ".meta.yaml").write_text(
            f"kind: tjänsteskrivelse\ntitle: {title}\ndate: 2021-10-01\n"
            f"case_number: {CASE}\nmunicipality: Alingsås\nboard: Socialnämnden\n",
            "utf-8",
        )
    report = archive.ingest([secret, partly], jobs=1)
    assert not report.failed, report.failed
    ids = {doc.source: doc.id for doc in report.added + report.unchanged}
    secret_id, partly_id = ids[secret.name], ids[partly.name]
    mark = {"ground": "OSL 26 kap. 1 §", "until": None, "by": "test", "at": "2024-01-01"}
    archive.update_record(secret_id, lambda r: r.update(secrecy=[{**mark, "pages": None}]))
    text = archive.pages(partly_id)[0].text
    start = text.index(PERSONNUMMER)

    def mark_partly(record: dict[str, Any]) -> None:
        record["secrecy"] = [{**mark, "pages": [2]}]
        record["ocr"] = {"pages": [{"page": 1, "confidence": 71.6, "uncertain": True, "words": 19}]}
        record["personal_data"] = [
            {"kind": "personnummer", "page": 1, "start": start, "end": start + len(PERSONNUMMER)}
        ]

    archive.update_record(partly_id, mark_partly)
    rebuild_from_archive(archive)
    return TestArchive(root, secret_id, partly_id, case_ids + [secret_id, partly_id])


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the developer's DIARIUM_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIARIUM_")}
    env.update(extra)
    return env


@contextmanager
def postgres_database() -> Iterator[str | None]:
    """A database of the run's own on the PostgreSQL of $DIARIUM_TEST_POSTGRES, or None."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        yield None
        return
    import psycopg

    name = f"diarium_test_{uuid.uuid4().hex[:12]}"
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qs(parts.query)
    connect = {
        "dbname": parts.path.lstrip("/") or "postgres",
        "user": parts.username or None,
        "password": parts.password or None,
        "host": query.get("host", [parts.hostname or ""])[0] or None,
        "port": parts.port,
        "autocommit": True,
    }
    with psycopg.connect(**{k: v for k, v in connect.items() if v is not None}) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(**{k: v for k, v in connect.items() if v is not None}) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    archive: TestArchive
    env: dict[str, str]
    process: subprocess.Popen[bytes]

    def diarium(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [DIARIUM, "--archive", str(self.archive.root), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=120,
        )


@contextmanager
def running_server(root: Path, scratch: Path) -> Iterator[Server]:
    built = build_archive(root, scratch)
    with postgres_database() as database:
        env = clean_env(DIARIUM_DATABASE=database) if database else clean_env()
        port = free_port()
        log = (scratch / "serve.log").open("wb")
        process = subprocess.Popen(
            [DIARIUM, "--archive", str(root), "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        server = Server(f"http://127.0.0.1:{port}", built, env, process)
        try:
            _wait_for(server.url + "/logga-in", process, scratch / "serve.log")
            first, *others = ACCOUNTS.items()  # one by the command, the rest in the page
            name, (role, _) = first
            done = server.diarium(
                "users", "add", name, "--role", role, "--password-stdin", stdin=password(name)
            )
            assert done.returncode == 0, done.stderr
            admin = Client(server.url)
            admin.login(name)
            for name, (role, cleared) in others:
                admin.get("/konton")
                form = {"name": name, "role": role, "password": password(name)}
                made = admin.post("/konton", form | ({"clearance": "1"} if cleared else {}))
                assert made.status == 302, made.text
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"diarium serve stopped: {log.read_text()}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise RuntimeError(f"diarium serve did not answer: {log.read_text()}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Answer:
    status: int
    headers: Any
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Client:
    """A browser-like HTTP client: cookies kept, redirects not followed (their status is what
    a test asserts), the CSRF token read from the last form."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        self.csrf = ""

    def request(
        self,
        method: str,
        path: str,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        body = urllib.parse.urlencode(data or {}, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(
            self.base + path, data=body, method=method, headers=headers or {}
        )
        if method == "POST":
            req.add_header("Referer", self.base + path)
        try:
            with self.opener.open(req, timeout=60) as response:
                answer = Answer(response.status, response.headers, response.read())
        except urllib.error.HTTPError as exc:
            answer = Answer(exc.code, exc.headers, exc.read())
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.text)
        if found:
            self.csrf = found.group(1)
        return answer

    def get(self, path: str, **kwargs: Any) -> Answer:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict[str, Any], *, csrf: bool = True) -> Answer:
        if csrf:
            data = {"csrfmiddlewaretoken": self.csrf, **data}
        return self.request("POST", path, data)

    def login(self, name: str, secret: str | None = None) -> Answer:
        self.get("/logga-in")
        return self.post("/logga-in", {"username": name, "password": secret or password(name)})


_SESSIONS: dict[tuple[str, str], Client] = {}


def logged_in(server: Server, name: str) -> Client:
    """A logged-in client per account and server, kept: each login hashes a password."""
    key = (server.url, name)
    if key not in _SESSIONS:
        client = Client(server.url)
        answer = client.login(name)
        assert answer.status == 302, answer.text
        _SESSIONS[key] = client
    return _SESSIONS[key]
