"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from indexer import engines

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


# -- everything the CLI says in the test runs, for tests/test_swedish_output.py -----------------
# (test id, command line, text) of every CliRunner run and every `python -m cli` subprocess.
CLI_OUTPUT: list[tuple[str, str, str]] = []
_invoke = CliRunner.invoke
_subprocess_run = subprocess.run


def _current_test() -> str:
    return os.environ.get("PYTEST_CURRENT_TEST", "").split(" ")[0]


def _recording_invoke(self: CliRunner, cli: Any, args: Any = None, *rest: Any, **kw: Any) -> Any:
    result = _invoke(self, cli, args, *rest, **kw)
    command = " ".join(map(str, args or ())) if not isinstance(args, str) else args
    for text in (result.stdout, result.stderr):
        CLI_OUTPUT.append((_current_test(), command, text))
    return result


def _recording_run(*args: Any, **kw: Any) -> Any:
    result = _subprocess_run(*args, **kw)
    command = [str(a) for a in (args[0] if args else kw.get("args", []))]
    is_cli = "cli" in command and "-m" in command or any(c.endswith("diarium") for c in command)
    if is_cli and (kw.get("text") or kw.get("encoding") or kw.get("universal_newlines")):
        for text in (result.stdout, result.stderr):
            if isinstance(text, str):
                CLI_OUTPUT.append((_current_test(), " ".join(command), text))
    return result


CliRunner.invoke = _recording_invoke  # type: ignore[method-assign]
subprocess.run = _recording_run  # type: ignore[assignment]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The check of every recorded output runs last, after all the runs it reads."""
    last = [i for i in items if i.nodeid.startswith("tests/test_swedish_output.py")]
    items[:] = [i for i in items if i not in last] + last


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


@pytest.fixture(scope="module", params=engines.ENGINES)
def search_engine(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every search engine in turn as the default for a whole test module: the contract tests
    (`pytestmark = pytest.mark.usefixtures("search_engine")`) run unchanged on each engine."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engines, "DEFAULT_ENGINE", request.param)
        yield request.param


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
