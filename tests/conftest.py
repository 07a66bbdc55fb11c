"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
_CACHE_KEY = pytest.StashKey[str]()


def pytest_configure(config: pytest.Config) -> None:
    """A cache folder of the run's own (the lexicon cache), inherited by the CLI's subprocesses.

    With the user's cache a warm pickle hides what a clean machine does: CI once failed on a
    lexicon build that no local run had performed for days.
    """
    config.stash[_CACHE_KEY] = cache = tempfile.mkdtemp(prefix="diarium-test-cache-")
    os.environ["XDG_CACHE_HOME"] = cache


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(config.stash.get(_CACHE_KEY, ""), ignore_errors=True)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The real documents beside the checkout; CI always has them, a user's fresh clone does not."""
    if not (SHARED / "seeds").is_dir():
        pytest.skip("../shared (real municipal documents) is not beside this checkout")
    return SHARED


@pytest.fixture()
def archive_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh archive folder, also set as DIARIUM_ARCHIVE so CLI runs use it."""
    root = tmp_path / "archive"
    monkeypatch.setenv("DIARIUM_ARCHIVE", str(root))
    return root


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One real `diarium serve` over a test archive for the web tests (tests/web_helpers.py)."""
    pytest.importorskip("django")
    from tests.web_helpers import running_server

    folder = tmp_path_factory.mktemp("web")
    scratch = folder / "scratch"
    scratch.mkdir()
    with running_server(folder / "archive", scratch) as server:
        yield server
