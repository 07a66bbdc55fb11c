"""The web application in a real browser: Debian's chromium driven by Playwright against a real
`diarium serve` (tests/web_helpers.py). Screenshots of the main pages go to test-screenshots/."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from tests.web_helpers import REPO, SECRET_WORD, Server, password

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = REPO / "test-screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def _page(browser, server: Server, name: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=server.url,
        locale="sv-SE",
        viewport={"width": 1280, "height": 900},
        accept_downloads=True,
    )
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto("/")
    assert "/logga-in" in page.url
    page.get_by_label("Kontonamn").fill(name)
    page.get_by_label("Lösenord").fill(password(name))
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(server.url + "/")
    return page


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_registrar_searches_reads_follows_exports_uploads_generates(
    browser, web_server: Server, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=web_server.url, locale="sv-SE")
    login = context.new_page()
    login.goto("/")
    _shot(login, "01-logga-in")
    context.close()
    page = _page(browser, web_server, "rita")

    # search with filters: the URL holds the whole search
    page.get_by_label("Sökord").fill("försörjningsstöd")
    page.get_by_role("button", name="Sök", exact=True).click()
    page.get_by_label("tjänsteskrivelse").check()
    page.get_by_label("Från år").fill("2021")
    page.get_by_label("Till år").fill("2021")
    page.get_by_role("button", name="Avgränsa").click()
    assert "kind=tj%C3%A4nsteskrivelse" in page.url and "year_from=2021" in page.url
    count = page.locator("#result-count").inner_text()
    assert "dokument matchar" in count
    assert page.locator("ol.hits mark").count() > 0
    kinds = page.locator("ol.hits div.meta").all_inner_texts()
    assert kinds and all(k.startswith("tjänsteskrivelse") for k in kinds)
    _shot(page, "02-sok")
    search_url = page.url

    # export the same search as CSV: the same documents as on the page
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    rows = list(
        csv.reader(io.StringIO(Path(download.value.path()).read_text("utf-8-sig")), delimiter=";")
    )
    assert rows[0][:3] == ["id", "titel", "dokumenttyp"]
    assert len(rows) - 1 == int(count.split()[0])
    assert {r[2] for r in rows[1:]} == {"tjänsteskrivelse"}

    # open a document: the decision first, the search words marked on its pages
    page.get_by_role("link", name="Uppföljning av individer i behov av försörjningsstöd").click()
    assert page.locator("section.decision h2").first.inner_text() == "Förslag till beslut"
    assert page.locator(".page-text mark").count() > 0
    assert page.get_by_role("link", name="Öppna originalet").is_visible()
    _shot(page, "03-dokument")

    # follow its case
    page.get_by_role("link", name="2021.004 KUN").first.click()
    assert page.get_by_role("heading", name="Ärende 2021.004 KUN").is_visible()
    listed = page.locator("main ol > li h3").all_inner_texts()
    assert len(listed) >= 3
    assert "Hemlig utredning om skyddat boende" in listed  # a registrar is cleared
    _shot(page, "04-arende")

    # upload a file: the same per-file report as ingest
    new_file = tmp_path / "protokoll-2022-03-01.txt"
    new_file.write_text(
        "Protokoll\n\nSocialnämnden beslutar om riktlinjer för ekonomiskt "
        "bistånd till hushåll med barn.\n",
        "utf-8",
    )
    sidecar = tmp_path / "protokoll-2022-03-01.meta.yaml"  # set by hand, as beside ingest's files
    sidecar.write_text("kind: protokoll\ndate: 2022-03-01\nboard: Socialnämnden\n", "utf-8")
    broken = tmp_path / "budget.xls"
    broken.write_bytes(b"\xd0\xcf\x11\xe0 inte ett dokument")
    page.goto("/ladda-upp")
    page.get_by_label("Filer").set_input_files([str(new_file), str(sidecar), str(broken)])
    page.get_by_label("Kommun (frivilligt)").fill("Alingsås")
    page.get_by_role("button", name="Ladda upp").click()
    page.wait_for_selector("#report")
    report = page.locator("#report").inner_text()
    assert "1 tillagda, 0 oförändrade, 1 misslyckade" in report
    assert "budget.xls" in report and "formatet .xls stöds inte" in report
    assert "(protokoll, 2022-03-01)" in report
    _shot(page, "05-ladda-upp")
    page.goto(search_url.split("?")[0] + "?q=riktlinjer+hushåll")
    assert (
        "protokoll-2022-03-01.txt" in page.locator("main").inner_text()
        or page.locator("ol.hits li").count() == 1
    )

    # generate from the form: refusals beside their fields, then filed
    page.goto("/skapa/tjansteskrivelse")
    page.get_by_label("Diarienummer *").fill("KUN 2022/17")
    page.get_by_role("button", name="Arkivera som DOCX").click()
    assert page.locator("#problems").is_visible()
    assert page.locator("#falt-rubrik .errorlist").count() == 1
    assert page.get_by_label("Diarienummer *").input_value() == "KUN 2022/17"
    _shot(page, "06-skapa-fel")
    for label, value in (
        ("Kommun *", "Alingsås kommun"),
        ("Förvaltning *", "Socialförvaltningen"),
        ("Nämnd *", "Socialnämnden"),
        ("Rubrik *", "Riktlinjer för ekonomiskt bistånd"),
        ("Namn 1", "Karin Holmberg"),
        ("Titel 1", "utredare"),
        ("Telefon 1", "0322-61 60 00"),
        ("E-post 1", "karin.holmberg@exempel.se"),
        ("Förslag till beslut *", "att anta riktlinjerna"),
        ("Sammanfattning *", "Förvaltningen föreslår nya riktlinjer."),
        ("Ärendet *", "Riktlinjerna behöver ses över."),
        ("Beslutet skickas till *", "Socialförvaltningen"),
    ):
        page.get_by_label(label, exact=True).first.fill(value)
    page.locator("#falt-datum input").fill("2022-03-15")
    page.locator("#falt-underskrifter input").nth(0).fill("Per Ekström")
    page.locator("#falt-underskrifter input").nth(1).fill("förvaltningschef")
    _shot(page, "07-skapa")
    with page.expect_download() as download:
        page.get_by_role("button", name="Ladda ner DOCX").click()
    with zipfile.ZipFile(download.value.path()) as docx:
        assert "Riktlinjer för ekonomiskt bistånd" in docx.read("word/document.xml").decode()
    page.get_by_role("button", name="Arkivera som DOCX").click()
    page.wait_for_url("**/dokument/*")
    assert "Dokumentet är arkiverat." in page.locator(".messages").inner_text()
    assert page.get_by_role("heading", name="Riktlinjer för ekonomiskt bistånd").is_visible()
    page.context.close()


def test_reader_never_sees_a_secret_document(browser, web_server: Server) -> None:  # type: ignore[no-untyped-def]
    page = _page(browser, web_server, "lasse")
    page.get_by_label("Sökord").fill(SECRET_WORD)
    page.get_by_role("button", name="Sök", exact=True).click()
    assert "Inga dokument matchar" in page.locator("main").inner_text()
    page.get_by_label("Sökord").fill("försörjningsstöd")
    page.get_by_role("button", name="Sök", exact=True).click()
    text = page.locator("main").inner_text()
    assert "Hemlig utredning" not in text
    _shot(page, "08-lasare-sok")
    page.goto("/arende/2021.004%20KUN")
    assert "Hemlig utredning" not in page.locator("main").inner_text()
    answer = page.goto(f"/dokument/{web_server.archive.secret_id}")
    assert answer is not None and answer.status == 404
    assert page.get_by_role("heading", name="Sidan finns inte").is_visible()
    _shot(page, "09-lasare-404")
    answer = page.goto("/ladda-upp")
    assert answer is not None and answer.status == 403
    assert page.get_by_role("heading", name="Åtkomst nekad").is_visible()
    assert page.get_by_role("link", name="Ladda upp").count() == 0  # not offered in the menu
    page.context.close()


def test_administrator_sees_accounts_and_the_audit_log(browser, web_server: Server) -> None:  # type: ignore[no-untyped-def]
    page = _page(browser, web_server, "anna")
    page.get_by_role("link", name="Konton").click()
    assert page.get_by_role("row", name="lasse").is_visible()
    _shot(page, "10-konton")
    page.get_by_role("link", name="Logg").click()
    page.get_by_label("Konto").fill("rita")
    page.get_by_role("button", name="Visa").click()
    assert "account=rita" in page.url
    actions = set(page.locator("tbody tr td:nth-child(3)").all_inner_texts())
    assert {"inloggning", "sökning", "visning", "uppladdning", "generering"} <= actions
    _shot(page, "11-logg")
    page.context.close()
