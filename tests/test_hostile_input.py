"""Hostile input through real `diarium` processes: nothing outside the archive leaks in or is
removed, nothing in the index folder runs, small files cannot exhaust memory or time, and names
reach the terminal escaped. Each test failed on the code before issue 10."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from archive import Archive, NotFound
from tests.hostile_helpers import (
    Run,
    assert_one_line_errors,
    diarium,
    ingest_json,
    small_docx,
    write_text_documents,
    zip_bomb,
)

# The bounds for a bomb: refused within 10 s, under 800 MB resident; also under an
# address-space cap of that size (what `ulimit -v` gives a service). The 10 s are the CPU time
# of the process and its workers: on a machine shared by many jobs (load 15 on 2 cores, where
# `diarium --version` alone took 7 s) wall time measures the neighbours; the wall bound
# (WALL_SLACK times as much) still tells a refusal from a run that expands the bomb.
BOMB_SECONDS = 10
WALL_SLACK = 6
BOMB_MB = 800


# -- containment ------------------------------------------------------------------------------


def test_a_symlink_out_of_the_folder_is_skipped_and_named(tmp_path: Path) -> None:
    outside = tmp_path / "utanför"
    outside.mkdir()
    (outside / "hemligt.txt").write_text("root:hemligtlösenordxyzzy:19000:0:99999:7:::\n")
    (outside / "mapp").mkdir()
    (outside / "mapp" / "mer.txt").write_text("Tjänsteskrivelse om hemligtlösenordxyzzy\n")
    folder = tmp_path / "in"
    write_text_documents(folder, 1)
    (folder / "skugga.txt").symlink_to(outside / "hemligt.txt")
    (folder / "länkad-mapp").symlink_to(outside / "mapp", target_is_directory=True)
    archive = tmp_path / "arkiv"

    run, report = ingest_json(archive, folder)

    assert [d["source"] for d in report["added"]] == ["skrivelse-000.txt"]
    skipped = {Path(f["path"]).name: f["error"] for f in report["failed"]}
    assert set(skipped) == {"skugga.txt", "länkad-mapp"}
    assert all("symbolisk länk ut ur mappen" in reason for reason in skipped.values())
    assert str(outside / "hemligt.txt") in skipped["skugga.txt"]
    found = diarium(archive, "search", "hemligtlösenordxyzzy")
    assert "Inga dokument matchar" in found.out, found.out
    assert len(Archive(archive)) == 1


def test_a_link_inside_the_folder_is_followed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (original,) = write_text_documents(folder / "sub", 1)
    (folder / "samma.txt").symlink_to(original)
    run, report = ingest_json(tmp_path / "arkiv", folder)
    assert run.code == 0, run.err
    assert len(report["added"]) == 1 and len(report["unchanged"]) == 1


BAD_IDS = [
    "../../../offer-mapp-med-langt-namn",
    "abcd/../../..",
    "ABCDEF0123456789/../../x",
    "zzzzzzzzzzzzzzzz",
]


def test_an_id_that_is_no_id_removes_and_shows_nothing(tmp_path: Path) -> None:
    archive = tmp_path / "arkiv"
    write_text_documents(tmp_path / "in", 1)
    ingest_json(archive, tmp_path / "in")
    # where `documents/<id[:2]>/<id>` led before: a folder with a 16+ character name three
    # levels up from a shard was removed
    victim = archive / "documents" / "xx" / ".." / ".." / ".." / "offer-mapp-med-langt-namn"
    victim = victim.resolve()
    victim.mkdir(parents=True)
    (victim / "record.json").write_text("{}")
    for bad_id in BAD_IDS:
        for command in ("remove", "show"):
            run = diarium(archive, command, bad_id)
            assert run.code == 1, run.out
            assert len(run.err_lines) == 1 and "inget dokument-id" in run.err, run.err
            assert_one_line_errors(run)
    assert victim.is_dir() and (victim / "record.json").is_file()
    assert len(Archive(archive)) == 1
    for bad_id in [*BAD_IDS, "abcd\x00ef", "/tmp", "..%2f..%2foffer"]:
        with pytest.raises(NotFound, match="inget dokument-id"):
            Archive(archive).remove(bad_id)


# -- no code from data ------------------------------------------------------------------------


class _RunsAShellCommand:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.system, (f"touch {self.marker}",)


def test_a_planted_index_pickle_runs_nothing(tmp_path: Path) -> None:
    archive = tmp_path / "arkiv"
    write_text_documents(tmp_path / "in", 2)
    run, _ = ingest_json(archive, tmp_path / "in")
    assert run.code == 0, run.err
    assert "2 dokument matchar" in diarium(archive, "search", "försörjningsstöd").out
    generation = (archive / "index" / "CURRENT").read_text().strip()
    folder = archive / "index" / generation
    storage = FileStorage(str(folder))
    (toc_file,) = folder.glob("_MAIN_*.toc")
    number = int(toc_file.stem.rsplit("_", 1)[1])
    toc = TOC.read(storage, "MAIN", gen=number)
    marker = tmp_path / "koden-körde"
    # the segment list Whoosh unpickles on every open, replaced by one that runs a command
    toc_file.unlink()
    TOC(toc.schema, [_RunsAShellCommand(marker)], number).write(storage, "MAIN")
    assert pickle.loads(pickle.dumps(_RunsAShellCommand(marker))) == 0 and marker.exists()
    marker.unlink()

    for args in (("search", "försörjningsstöd"), ("check",)):
        run = diarium(archive, *args)
        assert run.code == 1
        assert not marker.exists(), f"{args}: the planted pickle ran"
        assert "posix.system" in run.out + run.err, run.out + run.err
        assert_one_line_errors(run)
    rebuilt = diarium(archive, "reindex")
    assert rebuilt.code == 0, rebuilt.err
    assert "2 dokument matchar" in diarium(archive, "search", "försörjningsstöd").out
    assert not marker.exists()


# -- limits -----------------------------------------------------------------------------------


def _within_bounds(run: Run) -> None:
    assert run.code == 1
    assert run.cpu_seconds is not None and run.cpu_seconds < BOMB_SECONDS, run.cpu_seconds
    assert run.seconds < WALL_SLACK * BOMB_SECONDS, run.seconds
    assert run.peak_mb is not None and run.peak_mb < BOMB_MB, run.peak_mb


def _ingest_a_bomb(archive: Path, cap: int | None, *paths: Path) -> tuple[Run, str]:
    """Ingest in one process, measured or under an address-space cap; the bomb's one line."""
    run = diarium(
        archive, "ingest", "-j", "1", *map(str, paths), measure=True, address_space_mb=cap
    )
    _within_bounds(run)
    (line,) = [line for line in run.err_lines if line.startswith("misslyckades:")]
    return run, line


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bomb")
    base = small_docx(folder / "bas.docx")
    return zip_bomb(folder / "bomb.docx", base, unpacked_mb=1100)


@pytest.mark.parametrize("cap", [None, BOMB_MB], ids=["measured", "prlimit-as"])
def test_a_docx_zip_bomb_is_refused_quickly_in_little_memory(
    tmp_path: Path, bomb: Path, cap: int | None
) -> None:
    assert bomb.stat().st_size < 5 * 2**20
    good = small_docx(tmp_path / "bra.docx")
    run, line = _ingest_a_bomb(tmp_path / "arkiv", cap, bomb, good)
    assert "bomb.docx" in line and "docx_unpacked_mb" in line
    assert "1 tillagda" in run.err
    assert_one_line_errors(run)


ALIAS_BOMB = """\
a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
title: *h
"""


@pytest.mark.parametrize("cap", [None, BOMB_MB], ids=["measured", "prlimit-as"])
def test_a_yaml_alias_bomb_sidecar_is_refused(tmp_path: Path, cap: int | None) -> None:
    folder = tmp_path / "in"
    (document,) = write_text_documents(folder, 1)
    (folder / (document.name + ".meta.yaml")).write_text(ALIAS_BOMB)
    assert len(ALIAS_BOMB.encode()) < 400
    run, line = _ingest_a_bomb(tmp_path / "arkiv", cap, folder)
    assert "skrivelse-000.txt.meta.yaml" in line and "alias (*namn)" in line
    assert_one_line_errors(run)


def test_an_alias_bomb_in_settings_is_one_line(tmp_path: Path) -> None:
    archive = tmp_path / "arkiv"
    archive.mkdir()
    (archive / "settings.yaml").write_text(ALIAS_BOMB.replace("title", "templates"))
    write_text_documents(tmp_path / "in", 1)
    run = diarium(archive, "ingest", str(tmp_path / "in"), measure=True)
    _within_bounds(run)
    assert len(run.err_lines) == 1 and "settings.yaml" in run.err and "alias (*namn)" in run.err


def test_an_alias_bomb_in_a_template_data_file_is_one_line(tmp_path: Path) -> None:
    data = tmp_path / "ärende.yaml"
    data.write_text(ALIAS_BOMB.replace("title", "rubrik"))
    target = tmp_path / "ut.docx"
    run = diarium(
        tmp_path / "arkiv",
        "generate",
        "tjänsteskrivelse",
        str(data),
        "-o",
        str(target),
        measure=True,
    )
    _within_bounds(run)
    assert run.code == 1 and not target.exists()
    assert len(run.err_lines) == 1 and "ärende.yaml" in run.err and "alias (*namn)" in run.err


def test_an_overlong_metadata_value_is_refused_naming_the_limit(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (document,) = write_text_documents(folder, 1)
    (folder / "skrivelse-000.meta.yaml").write_text("title: " + "x" * 5000 + "\n")
    run = diarium(tmp_path / "arkiv", "ingest", str(folder))
    assert run.code == 1
    (line,) = [line for line in run.err_lines if line.startswith("misslyckades:")]
    assert "value_chars" in line and "title" in line and "meta.yaml" in line


def test_limits_are_settings(tmp_path: Path) -> None:
    archive = tmp_path / "arkiv"
    archive.mkdir()
    (archive / "settings.yaml").write_text("limits:\n  docx_unpacked_mb: 1\n")
    big = small_docx(tmp_path / "stor.docx", "\n".join(f"Rad {n} " * 40 for n in range(3000)))
    run = diarium(archive, "ingest", str(big))
    assert run.code == 1 and "docx_unpacked_mb = 1 MB" in run.err, run.err
    (archive / "settings.yaml").write_text("limits:\n  docx_bytes: 1\n")
    run = diarium(archive, "ingest", str(big))
    assert run.code == 1 and "okänd gräns 'docx_bytes'" in run.err, run.err


ENDLESS = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"


def test_a_municipalitys_endless_template_is_refused_within_its_time_limit(
    tmp_path: Path,
) -> None:
    from docx import Document

    from templates import find_kind

    archive = tmp_path / "arkiv"
    archive.mkdir()
    own = tmp_path / "mallar"
    made = diarium(archive, "templates", "init", str(own))
    assert made.code == 0, made.err
    kind = find_kind("tjänsteskrivelse", own)
    template = Document(str(kind.template))
    template.add_paragraph(ENDLESS)
    template.save(str(kind.template))
    seconds = 3
    (archive / "settings.yaml").write_text(
        f"templates: {own}\nlimits:\n  template_seconds: {seconds}\n"
    )
    data = Path(__file__).resolve().parents[1] / "templates" / "examples" / "tjansteskrivelse.yaml"
    run = diarium(
        archive, "generate", "tjänsteskrivelse", str(data), "-o", str(tmp_path / "ut.docx")
    )
    assert run.code == 1
    # the limit, plus starting Python twice (WALL_SLACK for a loaded machine); before, the
    # render ran until the test's own timeout
    assert run.seconds < seconds + 5 * WALL_SLACK, run.seconds
    assert "template_seconds = 3 s" in run.err, run.err
    assert not (tmp_path / "ut.docx").exists()
    assert not list(tmp_path.glob(".diarium-*"))
    assert_one_line_errors(run)


# -- queries and names ------------------------------------------------------------------------


def test_a_deeply_nested_query_is_one_line(tmp_path: Path) -> None:
    archive = tmp_path / "arkiv"
    write_text_documents(tmp_path / "in", 1)
    ingest_json(archive, tmp_path / "in")
    for query in ("(" * 250 + "stöd" + ")" * 250, "NOT " * 250 + "stöd"):
        run = diarium(archive, "search", "--", query)
        assert run.code == 1
        assert len(run.err_lines) == 1 and "djupare än" in run.err, run.err
        assert "RecursionError" not in run.err
        assert_one_line_errors(run)


def test_a_latin1_file_name_is_ingested_and_shown_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    name = os.fsdecode(b"protokoll-\xe5r-2019.txt")  # Latin-1 "år", not UTF-8
    # No title line: `list` and `show` then print the file name, which is what is checked.
    (folder / name).write_bytes("om bistånd och annat stöd till den enskilde.\n".encode())
    archive = tmp_path / "arkiv"
    run, report = ingest_json(archive, folder)
    assert run.code == 0, run.err
    (added,) = report["added"]
    assert added["source"] == "protokoll-\\xe5r-2019.txt"
    listed = diarium(archive, "list")
    assert "protokoll-\\xe5r-2019.txt" in listed.out
    shown = diarium(archive, "show", added["id"])
    assert shown.code == 0 and "protokoll-\\xe5r-2019.txt" in shown.out
    assert "1 dokument matchar" in diarium(archive, "search", "bistånd").out


def test_control_characters_in_a_name_are_printed_escaped(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    name = "rapport\x1b]0;hackad\x07\x1b[2J\u202etxt.txt"
    (folder / name).write_text("Rapport\n\nOm bistånd\n")
    (folder / "trasig\x1b[31m.xls").write_text("x")
    archive = tmp_path / "arkiv"
    run = diarium(archive, "ingest", str(folder))
    listed = diarium(archive, "list")
    for output in (run.out, run.err, listed.out, diarium(archive, "search", "bistånd").out):
        assert "\x1b" not in output and "\x07" not in output and "\u202e" not in output
    assert "rapport\\x1b]0;hackad\\x07\\x1b[2J\\u202etxt.txt" in run.out
    assert "trasig\\x1b[31m.xls" in run.err
