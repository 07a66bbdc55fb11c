"""Accounts, rights and the audit log of the web application, through HTTP against a real
`diarium serve` (never by calling views). Run on SQLite, and in CI once more on PostgreSQL
($DIARIUM_TEST_POSTGRES, see tests/web_helpers.py)."""

from __future__ import annotations

import json
import re
import sqlite3
import urllib.parse
from pathlib import Path

import pytest

from archive import Archive
from tests.web_helpers import (
    PERSONNUMMER,
    SECRET_PAGE_WORD,
    SECRET_WORD,
    Client,
    Server,
    logged_in,
    password,
)

PAGES = [
    "/",
    "/?q=bistånd",
    "/export.csv?q=bistånd",
    "/export.xlsx?q=bistånd",
    "/dokument/{doc}",
    "/dokument/{doc}/original",
    "/dokument/{doc}/metadata",
    "/arende/2021.004%20KUN",
    "/ladda-upp",
    "/skapa",
    "/skapa/tjansteskrivelse",
    "/konton",
    "/logg",
    "/logg.csv",
]
REGISTRAR_ONLY = [
    ("GET", "/ladda-upp"),
    ("POST", "/ladda-upp"),
    ("GET", "/skapa"),
    ("GET", "/skapa/tjansteskrivelse"),
    ("POST", "/skapa/tjansteskrivelse"),
    ("GET", "/dokument/{doc}/metadata"),
    ("POST", "/dokument/{doc}/metadata"),
]
ADMIN_ONLY = [
    ("GET", "/konton"),
    ("POST", "/konton"),
    ("POST", "/konton/anna"),
    ("GET", "/logg"),
    ("GET", "/logg.csv"),
]


def q(text: str) -> str:
    return urllib.parse.quote(text)


def fresh_login(server: Server, name: str) -> Client:
    client = Client(server.url)
    assert client.login(name).status == 302
    return client


def public_id(server: Server) -> str:
    return server.archive.case_ids[0]


def test_every_page_refused_without_login(web_server: Server) -> None:
    client = Client(web_server.url)
    for path in PAGES:
        answer = client.get(path.format(doc=public_id(web_server)).replace("bistånd", q("bistånd")))
        assert answer.status == 302, path
        assert answer.headers["Location"].startswith("/logga-in?next="), path
    for path in ("/ladda-upp", "/konton", "/logga-ut"):
        assert client.post(path, {}, csrf=False).status in (302, 403), path


def test_api_refused_without_a_valid_token(web_server: Server) -> None:
    client = Client(web_server.url)
    doc = public_id(web_server)
    for path in ("/api/search?q=" + q("bistånd"), f"/api/documents/{doc}"):
        assert client.get(path).status == 401
        wrong = client.get(path, headers={"Authorization": "Bearer fel-nyckel"})
        assert wrong.status == 401
        assert "Bearer" in wrong.headers["WWW-Authenticate"]
    # a logged-in session is no API token either
    session = logged_in(web_server, "lasse")
    assert session.get("/api/search?q=" + q("bistånd")).status == 401


def test_csrf_refused(web_server: Server) -> None:
    client = logged_in(web_server, "rita")
    doc = public_id(web_server)
    client.get(f"/dokument/{doc}/metadata")
    refused = client.post(f"/dokument/{doc}/metadata", {"title": "Ändrad utan token"}, csrf=False)
    assert refused.status == 403
    assert "säkerhetskod" in refused.text
    forged = client.post(
        f"/dokument/{doc}/metadata",
        {"csrfmiddlewaretoken": "x" * 64, "title": "Förfalskad"},
        csrf=False,
    )
    assert forged.status == 403
    title = json.loads(web_server.diarium("show", doc, "--json").stdout)["title"]
    assert title not in ("Ändrad utan token", "Förfalskad")
    # a login form without the token is refused too
    fresh = Client(web_server.url)
    fresh.get("/logga-in")
    assert (
        fresh.post(
            "/logga-in", {"username": "rita", "password": password("rita")}, csrf=False
        ).status
        == 403
    )


def test_session_refused_after_logout(web_server: Server) -> None:
    client = fresh_login(web_server, "lasse")
    assert client.get("/").status == 200
    kept = [cookie for cookie in client.jar if cookie.name == "sessionid"]
    assert kept
    assert client.post("/logga-ut", {}).status == 302
    again = Client(web_server.url)
    for cookie in kept:
        again.jar.set_cookie(cookie)  # the old session cookie, replayed
    answer = again.get("/")
    assert answer.status == 302 and answer.headers["Location"].startswith("/logga-in")


def test_expired_session_refused(web_server: Server) -> None:
    client = fresh_login(web_server, "klara")
    assert client.get("/").status == 200
    (cookie,) = [c for c in client.jar if c.name == "sessionid"]
    assert cookie.expires is None  # ends with the browser; the server ends it when idle
    _expire_session(web_server, cookie.value)
    assert client.get("/").status == 302


def test_active_session_not_written_per_request(web_server: Server) -> None:
    """Renewing an active session's expiry on every request was a database write per page:
    within SESSION_REFRESH_SECONDS of its last renewal a session's row stays as it was."""
    client = fresh_login(web_server, "klara")
    (cookie,) = [c for c in client.jar if c.name == "sessionid"]
    select = "SELECT session_data, expire_date FROM django_session WHERE session_key = ?"
    stored = _sql(web_server, select, (cookie.value,))
    assert len(stored) == 1
    for _ in range(3):
        assert client.get("/?q=" + urllib.parse.quote("bistånd")).status == 200
    assert _sql(web_server, select, (cookie.value,)) == stored


def _sql(server: Server, statement: str, params: tuple = ()) -> list:  # type: ignore[type-arg]
    database = server.env.get("DIARIUM_DATABASE")
    if database:
        import psycopg

        parts = urllib.parse.urlsplit(database)
        query = urllib.parse.parse_qs(parts.query)
        with psycopg.connect(
            dbname=parts.path.lstrip("/"),
            user=parts.username or None,
            password=parts.password or None,
            host=query.get("host", [parts.hostname or ""])[0] or None,
            port=parts.port,
            autocommit=True,
        ) as conn:
            cursor = conn.execute(statement.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description else []
    with sqlite3.connect(server.archive.root / "web" / "db.sqlite3") as conn:
        return conn.execute(statement, params).fetchall()


def _expire_session(server: Server, key: str) -> None:
    _sql(
        server,
        "UPDATE django_session SET expire_date = '2000-01-01 00:00:00' WHERE session_key = ?",
        (key,),
    )


def test_lockout_after_failures(web_server: Server) -> None:
    client = Client(web_server.url)
    for _ in range(5):
        answer = client.login("offer", "fel-lösenord-igen")
        assert answer.status == 401
        assert "Fel kontonamn eller lösenord" in answer.text
    locked = client.login("offer")  # the right password, too late
    assert locked.status == 401
    assert "låst" in locked.text
    assert client.get("/").status == 302
    events = json.loads(web_server.diarium("audit", "--account", "offer", "--json").stdout)
    assert [e["action"] for e in events].count("login_failed") == 6
    assert all(e["action"] != "login" for e in events)
    # another account is not affected
    assert Client(web_server.url).login("lasse").status == 302


def test_reader_refused_every_registrar_and_admin_action(web_server: Server) -> None:
    doc = public_id(web_server)
    before = web_server.diarium("show", doc, "--json").stdout
    for name, actions in (("lasse", REGISTRAR_ONLY + ADMIN_ONLY), ("rita", ADMIN_ONLY)):
        client = logged_in(web_server, name)
        client.get("/")
        for method, path in actions:
            path = path.format(doc=doc)
            if method == "GET":
                answer = client.get(path)
            else:
                answer = client.post(
                    path,
                    {
                        "title": "Ändrad",
                        "name": "inkräktare",
                        "role": "administratör",
                        "password": "x" * 12,
                    },
                )
            assert answer.status == 403, (name, method, path)
            assert "Åtkomst nekad" in answer.text
    assert web_server.diarium("show", doc, "--json").stdout == before
    listed = json.loads(web_server.diarium("users", "list", "--json").stdout)
    assert {a["name"]: a["role"] for a in listed}["anna"] == "administratör"
    assert "inkräktare" not in {a["name"] for a in listed}
    refused = json.loads(web_server.diarium("audit", "--action", "refused", "--json").stdout)
    assert {e["account"] for e in refused} >= {"lasse", "rita"}


def _search(client: Client, query: str) -> str:
    return client.get("/?q=" + q(query)).text


def test_secret_documents_hidden_from_readers(web_server: Server) -> None:
    secret = web_server.archive.secret_id
    reader, cleared, registrar = (logged_in(web_server, n) for n in ("lasse", "klara", "rita"))
    assert "Hemlig utredning" not in _results(_search(reader, SECRET_WORD))
    assert "Hemlig utredning" in _search(cleared, SECRET_WORD)
    assert "Hemlig utredning" in _search(registrar, SECRET_WORD)
    # not in the counts either: the reader's total, kind and board counts are one less
    seen = {}
    for name, client in (("reader", reader), ("registrar", registrar)):
        page = _search(client, "försörjningsstöd")
        total = int(page.split('<p id="result-count"><strong>')[1].split("<")[0])
        seen[name] = (
            total,
            _facet_count(page, "tjänsteskrivelse"),
            _facet_count(page, "Socialnämnden"),
        )
    assert [n + 1 for n in seen["reader"]] == list(seen["registrar"])
    # its address is a 404 like a document that does not exist
    missing = reader.get("/dokument/0123456789abcdef")
    hidden = reader.get(f"/dokument/{secret}")
    assert hidden.status == missing.status == 404
    assert _without_token(hidden.text) == _without_token(missing.text)
    assert reader.get(f"/dokument/{secret}/original").status == 404
    assert reader.get(f"/dokument/{secret[:8]}").status == 404
    assert cleared.get(f"/dokument/{secret}").status == 200
    # nor in exports, the case page or the API
    assert secret not in reader.get("/export.csv?q=" + q("försörjningsstöd")).text
    assert secret in registrar.get("/export.csv?q=" + q("försörjningsstöd")).text
    assert secret not in reader.get("/arende/" + q("2021.004 KUN")).text
    assert secret in registrar.get("/arende/" + q("2021.004 KUN")).text
    token = web_server.diarium("users", "token", "lasse").stdout.strip()
    bearer = {"Authorization": f"Bearer {token}"}
    api = Client(web_server.url)
    assert api.get(f"/api/documents/{secret}", headers=bearer).status == 404
    found = json.loads(api.get("/api/search?q=" + q(SECRET_WORD), headers=bearer).text)
    assert found["total"] == 0 and found["hits"] == []


def _without_token(page: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def _results(page: str) -> str:
    """The hits and their counts, without the search box and the links that repeat the query."""
    return re.sub(r'href="[^"]*"', "", page.split('id="result-heading"', 1)[1])


def _facet_count(page: str, value: str) -> int:
    after = page.split(f'{value} <span class="meta">(', 1)[1]
    return int(after.split(")", 1)[0])


def test_secret_page_and_personal_data_masked_for_readers(web_server: Server) -> None:
    partly = web_server.archive.partly_id
    reader, registrar = logged_in(web_server, "lasse"), logged_in(web_server, "rita")
    seen = reader.get(f"/dokument/{partly}").text
    assert SECRET_PAGE_WORD not in seen and 'id="sida-2"' not in seen
    assert PERSONNUMMER not in seen and "█████" in seen
    assert reader.get(f"/dokument/{partly}/original").status == 403
    full = registrar.get(f"/dokument/{partly}").text
    assert SECRET_PAGE_WORD in full and PERSONNUMMER in full
    assert "OSL 26 kap. 1 §, sidor 2" in full  # the secrecy mark, for those cleared
    assert "OSL 26 kap." not in seen
    assert "läst med OCR, säkerhet 72 %: <strong>osäker läsning</strong>" in full
    assert registrar.get(f"/dokument/{partly}/original").status == 200
    hits = _search(reader, "försörjningsstöd hyra")
    assert "Ansökan om försörjningsstöd" in hits and PERSONNUMMER not in hits
    assert SECRET_PAGE_WORD not in _results(_search(reader, SECRET_PAGE_WORD))
    token = web_server.diarium("users", "token", "lasse").stdout.strip()
    api = Client(web_server.url)
    data = json.loads(
        api.get(
            f"/api/documents/{partly}?text=1", headers={"Authorization": f"Bearer {token}"}
        ).text
    )
    assert [p["page"] for p in data["text"]] == [1]
    assert PERSONNUMMER not in json.dumps(data, ensure_ascii=False)


def test_api_returns_the_cli_json(web_server: Server) -> None:
    token = web_server.diarium("users", "token", "rita").stdout.strip()
    bearer = {"Authorization": f"Bearer {token}"}
    api = Client(web_server.url)
    doc = public_id(web_server)
    served = json.loads(api.get(f"/api/documents/{doc}", headers=bearer).text)
    assert served == json.loads(web_server.diarium("show", doc, "--json").stdout)
    served = json.loads(
        api.get(
            "/api/search?q=" + q("försörjningsstöd") + "&kind=" + q("yttrande") + "&year=2021",
            headers=bearer,
        ).text
    )
    printed = json.loads(
        web_server.diarium(
            "search", "försörjningsstöd", "--kind", "yttrande", "--year", "2021", "--json"
        ).stdout
    )
    assert served == printed and served["total"] >= 1
    # a new token replaces the old one
    newer = web_server.diarium("users", "token", "rita").stdout.strip()
    assert api.get(f"/api/documents/{doc}", headers=bearer).status == 401
    assert (
        api.get(f"/api/documents/{doc}", headers={"Authorization": f"Bearer {newer}"}).status == 200
    )


def test_audit_log_records_and_cannot_be_changed(web_server: Server) -> None:
    client = logged_in(web_server, "klara")
    doc = public_id(web_server)
    client.get("/?q=" + q("revisionsrapport"))
    client.get(f"/dokument/{doc}")
    client.get(f"/dokument/{doc}/original")
    events = json.loads(web_server.diarium("audit", "--account", "klara", "--json").stdout)
    actions = [e["action"] for e in events]
    assert {"login", "search", "view", "download"} <= set(actions)
    assert events[actions.index("search")]["detail"]["q"] == "revisionsrapport"
    assert events[actions.index("download")]["target"] == doc
    text = web_server.diarium("audit", "--limit", "3").stdout
    assert len(text.splitlines()) == 3
    for statement in ("UPDATE web_auditevent SET account = 'ingen'", "DELETE FROM web_auditevent"):
        with pytest.raises(Exception, match="append-only"):
            _sql(web_server, statement)
    assert json.loads(web_server.diarium("audit", "--account", "klara", "--json").stdout)
    admin = logged_in(web_server, "anna")
    page = admin.get("/logg?account=klara")
    assert page.status == 200 and "revisionsrapport" in page.text
    export = admin.get("/logg.csv?account=klara")
    assert export.status == 200 and "download" in export.text and doc in export.text


def test_admin_manages_accounts_in_the_page(web_server: Server) -> None:
    admin = logged_in(web_server, "anna")
    admin.get("/konton")
    weak = admin.post("/konton", {"name": "nyling", "role": "läsare", "password": "kort"})
    assert weak.status == 400 and "lösenordet duger inte" in weak.text
    made = admin.post(
        "/konton", {"name": "nyling", "role": "läsare", "password": password("nyling")}
    )
    assert made.status == 302
    assert Client(web_server.url).login("nyling").status == 302
    admin.get("/konton")
    admin.post("/konton/nyling", {"role": "registrator", "active": "1"})
    listed = {
        a["name"]: a for a in json.loads(web_server.diarium("users", "list", "--json").stdout)
    }
    assert listed["nyling"]["role"] == "registrator" and listed["nyling"]["active"]
    admin.get("/konton")
    admin.post("/konton/nyling", {"role": "registrator"})  # active unticked: switched off
    assert Client(web_server.url).login("nyling").status == 401


def test_registrar_sets_metadata_by_hand(web_server: Server) -> None:
    doc = web_server.archive.case_ids[1]
    registrar = logged_in(web_server, "rita")
    form = registrar.get(f"/dokument/{doc}/metadata")
    assert form.status == 200
    bad = registrar.post(f"/dokument/{doc}/metadata", {"date": "2021-13-45", "board": "X"})
    assert bad.status == 400 and "ÅÅÅÅ-MM-DD" in bad.text
    before = json.loads(web_server.diarium("show", doc, "--json").stdout)
    fields = {
        key: before[key] or ""
        for key in ("kind", "title", "date", "case_number", "municipality", "board", "department")
    }
    fields["officers"] = ", ".join(before["officers"])
    done = registrar.post(
        f"/dokument/{doc}/metadata", fields | {"board": "Kommunstyrelsen", "date": "2021-09-20"}
    )
    assert done.status == 302
    record = json.loads(
        (web_server.archive.root / "documents" / doc[:2] / doc / "record.json").read_text()
    )
    assert record["board"] == "Kommunstyrelsen" and record["year"] == 2021
    assert record["date"] == "2021-09-20"
    assert record["provenance"]["board"]["source"] == "hand"
    assert record["provenance"]["board"]["by"] == "rita"
    assert {"board", "date"} <= set(record["manual"])
    # Unchanged values are not claimed as hand-set (a generated document's say "template").
    assert record["provenance"].get("kind", {}).get("source") != "hand"
    found = json.loads(web_server.diarium("search", "board:Kommunstyrelsen", "--json").stdout)
    assert doc in [hit["id"] for hit in found["hits"]]  # the index followed
    change = json.loads(web_server.diarium("audit", "--action", "change", "--json").stdout)[0]
    assert change["account"] == "rita" and change["target"] == doc
    assert change["detail"]["board"] == "Kommunstyrelsen"


def test_a_document_marked_secret_meanwhile_is_hidden_at_once(
    web_server: Server, tmp_path: Path
) -> None:
    source = tmp_path / "sent-markerad.txt"
    source.write_text("Beslut om stöd\n\nÄrendet gäller ordet grävlingsgryt.\n", "utf-8")
    archive = Archive(web_server.archive.root)
    (doc,) = archive.ingest([source], jobs=1).added
    reader = logged_in(web_server, "lasse")
    link = f"/dokument/{doc.id}"
    assert link in _search(reader, "grävlingsgryt")
    mark = {"ground": "OSL 21 kap. 1 §", "pages": None, "until": None, "by": "test", "at": "x"}
    archive.update_record(doc.id, lambda record: record.update(secrecy=[mark]))
    assert link not in _search(reader, "grävlingsgryt")
    assert "Inga dokument matchar" in _search(reader, "grävlingsgryt")
    assert reader.get(f"/dokument/{doc.id}").status == 404
    archive.update_record(doc.id, lambda record: record.update(secrecy=[]))
    assert link in _search(reader, "grävlingsgryt")
