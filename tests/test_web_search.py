"""The search page and its exports through HTTP against a real `diarium serve`: respelling,
paging and sorting held in the URL, facet counts that match their filters, CSV and XLSX with
the same columns and rows."""

from __future__ import annotations

import csv
import io
import re
import urllib.parse

from openpyxl import load_workbook

from tests.web_helpers import Server, logged_in


def test_respelled_query_says_what_it_shows(web_server: Server) -> None:
    page = logged_in(web_server, "klara").get("/?q=" + urllib.parse.quote("revisionsrappot"))
    assert page.status == 200
    assert "Visar resultat för <strong>revisionsrapport</strong>" in page.text
    assert "<mark>" in page.text


def test_paging_and_sorting_live_in_the_url(web_server: Server) -> None:
    client = logged_in(web_server, "klara")
    query = "/?q=" + urllib.parse.quote("försörjningsstöd OR bistånd") + "&sort=date"
    first = client.get(query + "&page=1").text
    assert "bäst träff först</a> · <strong>nyast först</strong>" in first
    dates = [line.split(" · ")[3] for line in _meta_lines(first)]
    assert dates == sorted(dates, reverse=True)
    # a page of 20: the archive holds fewer, so page 2 is past the end and says so by paging
    assert "Sida 1 av 1" in first
    bad = client.get("/?q=" + urllib.parse.quote('"otäckt citat'))
    assert bad.status == 400 and "Sökningen gick inte att läsa" in bad.text


def test_each_board_has_its_count_and_its_link_finds_that_many(web_server: Server) -> None:
    client = logged_in(web_server, "rita")
    page = client.get("/?q=" + urllib.parse.quote("försörjningsstöd OR bistånd")).text
    boards = page.split("<legend>Nämnd</legend>", 1)[1].split("</fieldset>", 1)[0]
    found = re.findall(
        r'name="board" value="([^"]+)"[^>]*> <label[^>]*>[^<]+<span class="meta">\((\d+)\)', boards
    )
    assert len(found) >= 2, boards  # the test archive's documents come from several boards
    for board, count in found:
        chosen = client.get(
            "/?q="
            + urllib.parse.quote("försörjningsstöd OR bistånd")
            + "&board="
            + urllib.parse.quote(board)
        ).text
        total = int(chosen.split('<p id="result-count"><strong>')[1].split("<")[0])
        assert total == int(count), board
        assert f'value="{board}" checked' in chosen
        assert {line.split(" · ")[2] for line in _meta_lines(chosen)} == {board}


def _meta_lines(page: str) -> list[str]:
    return [
        part.split("</div>")[0]
        for part in page.split('<div class="meta">')[1:]
        if part.count(" · ") >= 3
    ]


def test_csv_and_xlsx_have_the_same_columns_and_rows(web_server: Server) -> None:
    client = logged_in(web_server, "rita")
    search = (
        "?q="
        + urllib.parse.quote("försörjningsstöd")
        + "&municipality="
        + urllib.parse.quote("Alingsås")
    )
    as_csv = client.get("/export.csv" + search)
    assert as_csv.status == 200
    assert as_csv.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.body.decode("utf-8-sig")), delimiter=";"))
    as_xlsx = client.get("/export.xlsx" + search)
    sheet = load_workbook(io.BytesIO(as_xlsx.body), read_only=True).active
    cells = [
        ["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert rows[0] == cells[0]
    assert rows[0][:4] == ["id", "titel", "dokumenttyp", "kommun"]
    assert rows[1:] == cells[1:] and len(rows) > 2
    assert {r[3] for r in rows[1:]} == {"Alingsås"}
