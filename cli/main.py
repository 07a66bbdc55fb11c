"""The `diarium` command: a group of thin commands over the archive, index and templates APIs."""

from __future__ import annotations

import datetime
import importlib
import os
import sys
import traceback
import warnings
from pathlib import Path
from typing import Any, NoReturn, TextIO

import click
import platformdirs

from archive import messages as msg
from archive.errors import DiariumError
from archive.safenames import printable

msg.install_click_swedish()


# Which module holds each command (in its COMMANDS list): a command's module, and what it
# imports (Django, Word templates, the search engine), is imported only when that command runs,
# so `diarium list` does not wait for all of them. `diarium --help` imports them all for their
# short help, as Click's "Lazily Loading Subcommands" (Complex Applications) has it.
LAZY_COMMANDS = {
    **dict.fromkeys(
        ("ingest", "show", "list", "remove", "restore", "trash", "stats", "review", "ocr", "check"),
        "cli.archive_cmds",
    ),
    **dict.fromkeys(("mark", "redact", "privacy"), "cli.privacy_cmds"),
    **dict.fromkeys(("search", "reindex"), "cli.search"),
    "case": "cli.case",
    **dict.fromkeys(("generate", "new", "templates"), "cli.generate"),
    **dict.fromkeys(("serve", "users", "audit"), "cli.web_cmds"),
}


class Diarium(click.Group):
    """Turns every error a user can cause into one line on stderr and exit code 1, and a bug of
    diarium's own into "internt fel" (its traceback in the log file, and with --debug).

    `lazy_commands` maps a command's name to the module whose COMMANDS list holds it; the module
    is imported when the command is first asked for.
    """

    def __init__(
        self, *args: Any, lazy_commands: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            module = importlib.import_module(self.lazy_commands[cmd_name])
            self.add_command({c.name: c for c in module.COMMANDS}[cmd_name])
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None:
            # The usage line's `[OPTIONS]` is a Command attribute, not a gettext string.
            _swedish_usage(cmd)
        return cmd

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.list_commands(ctx):
            # Click suggests the closest names ("Menade du 'list'?") from the loaded commands.
            for name in self.lazy_commands:
                self.get_command(ctx, name)
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            # What reads the output has stopped (`diarium list | head`): nothing to report.
            # As the Python docs' "Note on SIGPIPE" has it: what is still buffered goes to
            # devnull, or flushing it at exit fails again; exit status 1, Python's on EPIPE.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except DiariumError as exc:
            _fail(str(exc))
        except PermissionError as exc:
            _fail(msg.PERMISSION_DENIED.format(path=exc.filename))
        except OSError as exc:
            # the disk or the file system said no (full, read-only, gone): caused by the
            # machine, not by diarium; the path and the reason are the message
            where = f"{exc.filename}: " if exc.filename else ""
            _fail(f"{where}{msg.os_error(exc)}")
        except KeyboardInterrupt:
            click.echo(msg.PREFIX.format(message=msg.INTERRUPTED), err=True)
            sys.exit(130)
        except RecursionError:
            _fail(msg.TOO_DEEP)
        except Exception as exc:
            log = _log_internal_error(exc)
            if ctx.params.get("debug"):
                traceback.print_exception(exc, file=sys.stderr)
            detail = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
            logged = msg.INTERNAL_ERROR_LOGGED.format(log=log) if log else ""
            _fail(msg.INTERNAL_ERROR.format(error=detail, logged=logged))


def _fail(message: str) -> NoReturn:
    click.echo(msg.PREFIX.format(message=printable(message, keep_newlines=True)), err=True)
    sys.exit(1)


def _log_internal_error(exc: BaseException) -> Path | None:
    """Appends the traceback to the user's log file (platformdirs' user log folder)."""
    path = Path(platformdirs.user_log_dir("diarium")) / "diarium.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as log:
            stamp = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
            log.write(f"--- {stamp} diarium {' '.join(sys.argv[1:])}\n")
            log.write("".join(traceback.format_exception(exc)))
    except OSError:
        return None
    return path


@click.group(
    cls=Diarium,
    lazy_commands=LAZY_COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--archive",
    "archive_root",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="DIARIUM_ARCHIVE",
    help="Arkivmappen för alla kommandon (standard: $DIARIUM_ARCHIVE eller användarens datamapp).",
)
@click.option(
    "--debug", is_flag=True, help="Visa spårningen vid ett internt fel (ett fel i diarium själv)."
)
@click.version_option(package_name="diarium")
def cli(archive_root: Path | None, debug: bool) -> None:
    """diarium: skriv, arkivera och sök kommunala beslutsdokument.

    \b
    diarium ingest rapporter/ --municipality Uppsala
    diarium search "långvarigt försörjningsstöd" --year 2021..2023
    diarium generate tjänsteskrivelse data.yaml --pdf --file
    """


def _swedish_usage(cmd: click.Command) -> None:
    cmd.options_metavar = msg.OPTIONS_METAVAR
    if isinstance(cmd, click.Group):
        cmd.subcommand_metavar = msg.SUBCOMMAND_METAVAR
        for sub in cmd.commands.values():
            _swedish_usage(sub)


_swedish_usage(cli)


_OWN_PACKAGES = {"archive", "cli", "indexer", "templates", "web"}
_show_warning = warnings.showwarning


def _one_line_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """diarium's own warnings (a missing lexicon, say) as one line for a person, not Python's
    `file:line: Category: ...` with a line of source under it."""
    if category.__module__.split(".")[0] in _OWN_PACKAGES:
        click.echo(msg.WARNING.format(message=message), err=True)
    else:
        _show_warning(message, category, filename, lineno, file, line)


def main() -> None:
    warnings.showwarning = _one_line_warning
    cli(prog_name="diarium")
