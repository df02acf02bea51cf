"""The foxbat76 command line: list layers, check the catalog, locate the jet, export layers."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from geo.export import ExportError

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # the shell's status for a SIGINT
EXIT_BROKEN_PIPE = 141  # and for a SIGPIPE, as `cat` would end


class _Parser(argparse.ArgumentParser):
    # One line on stderr and exit 2, instead of argparse's usage dump.
    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    from geo.export import FORMATS

    parser = _Parser(prog="foxbat76", description=__doc__)
    # --catalog before or after the command: `foxbat76 --catalog x check`, `check --catalog x`.
    shared = _Parser(add_help=False)
    shared.add_argument(
        "--catalog",
        default=argparse.SUPPRESS,
        help="use this fact catalog (TOML) instead of the built-in one",
    )
    parser.add_argument("--catalog", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser(
        "layers", parents=[shared], help="table of layers: ids, titles, feature counts, dates"
    )
    commands.add_parser("check", parents=[shared], help="load and validate the fact catalog")
    where = commands.add_parser("where", parents=[shared], help="where the MiG-25 was on a day")
    where.add_argument("--date", required=True, help="YYYY-MM-DD, 1976-09-01..1976-11-30")
    export = commands.add_parser("export", parents=[shared], help="export layers to files")
    export.add_argument("--format", required=True, help=f"one of {', '.join(FORMATS)}")
    export.add_argument("--out", required=True, help="output directory or file")
    export.add_argument("--date", help="only items active that JST day (YYYY-MM-DD)")
    export.add_argument("--layers", help="comma-separated layer ids (default: all)")
    export.add_argument(
        "--force",
        action="store_true",
        help="replace an existing file even if it is another format's (never a link or pipe)",
    )
    pictures = export.add_argument_group("pictures (png, gif, mp4, pdf)")
    pictures.add_argument("--time", help="png on 1976-09-06: HH:MM of the replay, 12:00..15:00")
    pictures.add_argument("--size", help="WIDTHxHEIGHT in pixels (default 1600x1000)")
    pictures.add_argument("--from", dest="first", help="gif/mp4/pdf: first day (YYYY-MM-DD)")
    pictures.add_argument("--to", dest="last", help="gif/mp4/pdf: last day (YYYY-MM-DD)")
    pictures.add_argument("--replay", action="store_true", help="gif/mp4: 6 Sep in 5-min steps")
    pictures.add_argument("--fps", help="gif/mp4: frames per second (default 2)")
    return parser


_PICTURE_ONLY = (
    ("--time", "time"),
    ("--size", "size"),
    ("--from", "first"),
    ("--to", "last"),
    ("--replay", "replay"),
    ("--fps", "fps"),
)


def _fail(message: str) -> int:
    from geo.messages import one_line

    # Messages quote what the user typed: however long or strange, the error stays one line.
    print(f"foxbat76: error: {one_line(message)}", file=sys.stderr)
    return EXIT_USAGE


def _layers_table() -> int:
    import layers
    from geo.messages import printable

    frames = layers.build_all()  # before printing: a catalog error leaves no half table
    header = f"{'id':<18} {'title':<30} {'features':>8}  {'first':<10}  {'last':<10}"
    print(header)
    print("-" * len(header))
    for layer_id, frame in frames.items():
        first = frame["start"].min().date().isoformat()
        last = frame["end"].max().date().isoformat()
        title = printable(layers.LAYERS[layer_id].title)  # catalog text: no terminal codes
        print(f"{layer_id:<18} {title:<30} {len(frame):>8}  {first:<10}  {last:<10}")
    return 0


def _check() -> int:
    import layers
    from geo.catalog import catalog_path, load_catalog

    catalog = load_catalog()
    layers.build_all()  # every item must also be drawable (e.g. no self-crossing polygon)
    print(
        f"{catalog_path().name}: ok — {len(catalog.items)} items in {len(catalog.layers)} "
        f"layers, {len(catalog.places)} places, {len(catalog.sources)} sources"
    )
    return 0


def _where(text: str) -> int:
    import layers
    from geo.messages import printable
    from geo.timing import parse_day

    try:
        day = parse_day(text)
    except ValueError as error:
        return _fail(f"--date: {error}")
    try:
        position = layers.mig25_position(day)
    except ValueError as error:
        return _fail(str(error))
    point = position.geometry
    where = f"{point.y:.4f}°N, {point.x:.4f}°E; {position.certainty}"
    print(f"{day.isoformat()}: {printable(position.status)} ({printable(where)})")
    return 0


def _export(args: argparse.Namespace) -> int:
    import layers
    from geo.export import (
        FORMATS,
        ExportError,
        existing_targets,
        export_layers,
        filter_frames,
    )
    from geo.messages import quoted, shown_path
    from geo.timing import parse_day

    if not args.out.strip():  # Path("") would quietly mean the current directory
        return _fail("--out: the path is empty")
    if args.format not in FORMATS:
        return _fail(
            f"--format: unknown format {quoted(args.format)} (choose from {', '.join(FORMATS)})"
        )
    from geo.export import PICTURE_FORMATS

    if args.format in PICTURE_FORMATS:
        return _export_pictures(args)
    given = [option for option, dest in _PICTURE_ONLY if getattr(args, dest) not in (None, False)]
    if given:
        return _fail(f"{given[0]}: only for pictures (png, gif, mp4, pdf), not {args.format}")
    try:
        day = parse_day(args.date) if args.date is not None else None
    except ValueError as error:
        return _fail(f"--date: {error}")
    layers.LAYERS  # noqa: B018 - load the catalog first: its errors are not the --layers option's
    try:
        layer_ids = layers.parse_layer_ids(args.layers)
    except ValueError as error:
        return _fail(f"--layers: {error}")
    frames = layers.build_all(layer_ids)
    titles, styles = layers.presentation(layer_ids)
    out, force = Path(args.out), args.force
    try:
        _, empty = filter_frames(frames, day)
        replaced = existing_targets(frames, args.format, out, day=day, force=force)
        written = export_layers(
            frames, args.format, out, day=day, titles=titles, styles=styles, force=force
        )
    except (ExportError, OSError) as error:
        return _fail(_export_failure(error, out))
    for layer_id in empty:
        print(f"foxbat76: note: layer {layer_id} has nothing on {day}; skipped", file=sys.stderr)
    for path in replaced:
        print(f"foxbat76: note: replaced {shown_path(path)}", file=sys.stderr)
    for path in written:
        print(shown_path(path, limit=len(str(path)) + 8))
    return 0


def _export_pictures(args: argparse.Namespace) -> int:
    """png, gif, mp4, pdf: every option checked before anything is drawn or written."""
    import layers
    from geo.export import ExportError, PictureRequest, export_picture
    from geo.export.still import parse_size
    from geo.export.story import picture_target
    from geo.messages import shown_path
    from geo.timing import parse_day, parse_replay_time

    values: dict = {"fmt": args.format, "replay": args.replay}
    parsers = (
        ("--date", "date", "day", parse_day),
        ("--time", "time", "at", parse_replay_time),
        ("--from", "first", "first", parse_day),
        ("--to", "last", "last", parse_day),
        ("--size", "size", "size", parse_size),
        ("--fps", "fps", "fps", _parse_fps),
    )
    for option, dest, field, parse in parsers:
        text = getattr(args, dest)
        if text is not None:
            try:
                values[field] = parse(text)
            except (ValueError, ExportError) as error:
                return _fail(f"{option}: {error}")
    try:
        layer_ids = layers.parse_layer_ids(args.layers)
    except ValueError as error:
        return _fail(f"--layers: {error}")
    out = Path(args.out)
    try:
        request = PictureRequest(**values)
        frames = layers.build_all(layer_ids)
        titles, styles = layers.presentation(layer_ids)
        replaced = picture_target(request, out, layer_ids, args.force).exists()
        path = export_picture(
            frames, request, out, titles=titles, styles=styles, mig_at=layers.mig25_position,
            progress=_progress_bar() if sys.stderr.isatty() else None, force=args.force,
        )  # fmt: skip
    except (ExportError, OSError) as error:
        return _fail(_export_failure(error, out))
    if replaced:
        print(f"foxbat76: note: replaced {shown_path(path)}", file=sys.stderr)
    print(shown_path(path, limit=len(str(path)) + 8))
    return 0


def _parse_fps(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number of frames per second") from None


def _progress_bar() -> Callable[[int, int], None]:
    """A one-line progress bar on the terminal (stderr), finished with a newline."""

    def show(done: int, total: int) -> None:
        filled = round(30 * done / total)
        end = "\n" if done == total else ""
        sys.stderr.write(f"\rdrawing [{'#' * filled}{'.' * (30 - filled)}] {done}/{total}{end}")
        sys.stderr.flush()

    return show


def _export_failure(error: ExportError | OSError, out: Path) -> str:
    """The one line for an export that failed: a refusal says how to override it if it can."""
    from geo.export import ExportError, ReplaceRefused
    from geo.messages import shown_path

    if isinstance(error, ReplaceRefused):
        return f"{error}{' (--force replaces it)' if error.forceable else ''}"
    if isinstance(error, ExportError):
        return str(error)
    # The export names its own OSErrors; this is only a last resort.
    return f"cannot write {shown_path(out)}: {(error.strerror or str(error)).lower()}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status (2 for bad arguments or input)."""
    from geo.catalog import CatalogError

    args = _parser().parse_args(argv)
    if args.catalog is not None and not args.catalog.strip():
        return _fail("--catalog: the path is empty")
    with _catalog_in_use(args.catalog):
        try:
            if args.command == "layers":
                return _layers_table()
            if args.command == "check":
                return _check()
            if args.command == "where":
                return _where(args.date)
            return _export(args)
        except CatalogError as error:
            return _fail(str(error))
        except KeyboardInterrupt:  # Ctrl-C: the export's stage is already removed
            print("foxbat76: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED
        except BrokenPipeError:  # the reader left (`foxbat76 layers | head -1`): stop quietly
            # Python would report the pipe again when flushing stdout at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_BROKEN_PIPE


@contextmanager
def _catalog_in_use(path: str | None) -> Iterator[None]:
    """Every loader reads the catalog in use from $FOXBAT76_CATALOG, as the dashboard does;
    restored afterwards, so a program calling main() twice is not left on another catalog."""
    from geo.catalog import CATALOG_ENV

    before = os.environ.get(CATALOG_ENV)
    if path is not None:
        os.environ[CATALOG_ENV] = path
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(CATALOG_ENV, None)
        else:
            os.environ[CATALOG_ENV] = before


if __name__ == "__main__":
    sys.exit(main())
