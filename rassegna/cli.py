"""The `rassegna` command: one entry point for operators and analysts.

Prefect is imported only inside the commands that run flows (through the
`flows` package, which first sets its offline defaults), so `--help` and
`inspect` stay fast.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from rassegna.archives.ccnews import DEFAULT_ARCHIVE_URL
from rassegna.config import DEFAULT_DB, DEFAULT_DIGEST, DEFAULT_SOURCES, DEFAULT_WATCHLIST, ConfigError
from rassegna.reporting.local_time import DEFAULT_TZ, day_and_time, zone

if TYPE_CHECKING:
    from flows.backfill import BackfillSummary
    from flows.monitor import RunSummary


app = typer.Typer(
    help="Rassegna: press monitoring for Imprese Vincenti, INNOVIT and the twelve mission companies.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
console = Console()
err = Console(stderr=True)

SourcesOpt = Annotated[Path, typer.Option("--sources", help="Sources file (YAML).")]
WatchlistOpt = Annotated[Path, typer.Option("--watchlist", help="Watchlist file (YAML).")]
DbOpt = Annotated[Path, typer.Option("--db", help="DuckDB warehouse: a file, or a service such as md:rassegna.")]
ShardsOpt = Annotated[int, typer.Option(
    "--shards", min=1, help="Crawl and extract in this many monitor-shard flow runs on the work pool (needs a"
    " Prefect server, the monitor-shard deployment and workers; see README).")]

TzOpt = Annotated[str, typer.Option(
    "--tz", help="Time zone for the days and times people read (IANA name); the warehouse keeps UTC.")]

DEMO_FIRST_PORT = 18301

EXAMPLE_QUERIES = [
    "SELECT entity_name, count(*) AS mentions FROM mentions GROUP BY ALL ORDER BY mentions DESC;",
    "SELECT published_at, source, title, url FROM articles ORDER BY published_at DESC NULLS LAST LIMIT 10;",
]


class _ProgressHandler(logging.Handler):
    """Turns the flow's progress-tagged log records into a progress display."""

    def __init__(self, progress: Progress) -> None:
        super().__init__(logging.INFO)
        self.progress = progress
        self.task = progress.add_task("starting", total=None)
        self.windows = ""  # "window 3 of 9" while a backfill runs

    def emit(self, record: logging.LogRecord) -> None:
        info = getattr(record, "rassegna_progress", None)
        if info is None:
            if record.levelno >= logging.WARNING:
                self.progress.console.print(f"[yellow]{record.getMessage()}[/]")
            return
        if info["stage"] == "extract" and self.windows:
            # Inside a backfill window: the bar counts windows, the pages show beside it.
            self.progress.update(self.task, description=f"{self.windows} · {info['done']} pages stored")
            return
        labels = {"crawl": "crawling sources", "extract": "extracting and matching pages", "done": "done",
                  "backfill": "backfilling windows", "archive": "scanning CC-NEWS files"}
        if info["stage"] == "backfill":
            self.windows = f"window {min(info['done'] + 1, info['total'] or 0)} of {info['total']}"
        self.progress.update(self.task, description=labels.get(info["stage"], info["stage"]),
                             completed=info["done"], total=info["total"])


def _run_flow(sources: Path, watchlist: Path, db: Path, verbose: bool, shards: int = 1) -> RunSummary:
    from rassegna.config import load_sources, load_watchlist

    # Fail on a bad file before Prefect starts its temporary server (10-15 s).
    load_sources(sources)
    load_watchlist(watchlist)
    from flows.monitor import monitor  # sets Prefect's offline defaults first

    with _quiet_prefect(verbose), _prefect_server():
        return _with_progress(lambda: monitor(sources_file=sources, watchlist_file=watchlist, db=str(db),
                                              shards=shards))


def _prefect_server(serving: bool = False) -> AbstractContextManager[str | None]:
    """Prefect's temporary server for this command's flows, unless PREFECT_API_URL names one."""
    from rassegna.lifecycle.prefect_server import temporary_server

    return temporary_server(say=lambda message: err.print(f"[yellow]{message}[/]", highlight=False), serving=serving)


@contextmanager
def _quiet_prefect(verbose: bool) -> Iterator[None]:
    """Prefect's console lines held back to errors (warnings reach the progress display), unless -v."""
    from prefect.logging.handlers import PrefectConsoleHandler

    # Prefect puts its console handler on the root logger and on several of its own
    # (flow runs, task runs...); a handler of someone else's on the root is left alone.
    root = logging.getLogger()
    prefect_loggers = [logging.getLogger("prefect")] + [
        logging.getLogger(name) for name in logging.root.manager.loggerDict if name.startswith("prefect.")
    ]
    found = [] if verbose else [h for h in root.handlers if isinstance(h, PrefectConsoleHandler)] + [
        h for lg in prefect_loggers for h in lg.handlers
        if isinstance(h, logging.StreamHandler) and not isinstance(h, _ProgressHandler)
    ]
    # One console handler serves several of Prefect's loggers: each is set (and restored) once.
    quiet = list({id(h): h for h in found}.values())
    saved = [(h.level, h.formatter) for h in quiet]
    for handler in quiet:
        handler.setLevel(logging.ERROR)
        # A failed task's line stays; its traceback is the command's own closing message
        # told again at length (-v shows it, and the Prefect UI keeps it).
        handler.setFormatter(_WithoutTraceback(handler.formatter or logging.Formatter()))
    try:
        yield
    finally:
        for h, (level, formatter) in zip(quiet, saved):
            h.setLevel(level)
            h.setFormatter(formatter)


class _WithoutTraceback(logging.Formatter):
    """Another formatter's lines, without the exception's traceback."""

    def __init__(self, inner: logging.Formatter) -> None:
        super().__init__()
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        # A copy: the record goes on to other handlers (Prefect's API log) that keep the traceback.
        bare = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None, "stack_info": None})
        return self.inner.format(bare)


def _with_progress(call: Any) -> Any:
    """Run a flow with its progress-tagged log records shown as a bar."""
    prefect_logger = logging.getLogger("prefect")
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        handler = _ProgressHandler(progress)
        prefect_logger.addHandler(handler)
        try:
            return call()
        finally:
            prefect_logger.removeHandler(handler)


def _print_summary(summary: RunSummary) -> None:
    colour = {"completed": "green", "completed-with-failures": "yellow"}.get(summary.status, "red")
    console.print(f"\n[bold]Run {summary.run_id}[/]: [{colour}]{summary.status}[/]")
    console.print(
        f"  pages fetched {summary.pages_fetched} · articles extracted {summary.articles_extracted}"
        f" · new articles {summary.articles_new} · new mentions {summary.mentions_new}"
    )
    table = Table("entity", "new mentions", title="Mentions this run", title_justify="left")
    for name, count in summary.mentions_per_entity.items():
        table.add_row(name, str(count))
    console.print(table)
    sources = Table("source", "status", "listed", "fetched", "articles", "new", "skipped or failed",
                    title="Sources", title_justify="left")
    problems = []
    for s in summary.sources:
        style = "red" if s["status"] == "failed" else ""
        counts = ", ".join(f"{k} {v}" for k, v in {**s["fail_reasons"], **s["skip_reasons"]}.items())
        sources.add_row(s["source"], f"[{style}]{s['status']}[/]" if style else s["status"], str(s["listed"]),
                        str(s["fetched"]), str(s["extracted"]), str(s["articles_new"]), counts)
        if s["error"]:
            problems.append((s["source"], s["error"]))
    console.print(sources)
    # Errors below the table, one per line: in a column they wrap to a word per line.
    for source, error in problems:
        console.print(f"[red]{source}[/]: {error}", highlight=False)
    for flagged in summary.flagged_sources:
        console.print(f"[yellow]needs attention[/]: {flagged['source']} failed in the last"
                      f" {flagged['failing_runs_in_a_row']} runs in a row, stored nothing new in the last"
                      f" {flagged['silent_runs_in_a_row']}", highlight=False)
    console.print(f"Database (the runs' own): {summary.db}")
    if summary.analysts_db:
        console.print(f"For analysts (read-only copy, open this one): [bold]{summary.analysts_db}[/]")


def _run_and_report(sources: Path, watchlist: Path, db: Path, verbose: bool, shards: int = 1) -> None:
    """Run the monitor and print its summary; exit 2 on bad configuration, 1 if the run failed."""
    try:
        summary = _run_flow(sources, watchlist, db, verbose, shards)
    except ConfigError as exc:
        _config_error(exc)
    except Exception as exc:  # the run record already says failed; the operator needs the reason
        err.print(f"[red]run failed[/]: {type(exc).__name__}: {exc}")
        raise typer.Exit(1) from None
    _print_summary(summary)


def _analysts_db(db: Path) -> Path:
    """The analysts' published copy of `db` (or `db` itself before any copy exists); exit 2 if neither.

    A service database (md:...) has no copy: analysts read it directly.
    """
    from warehouse.db import is_local_path
    from warehouse.publish import published_path

    if not is_local_path(db):
        return db
    target = published_path(db) if published_path(db).exists() else db
    if not target.exists():
        err.print(f"[red]{db}: no such database[/] (run `rassegna run` or `rassegna demo` first)")
        raise typer.Exit(2)
    return target


def _zone(name: str) -> ZoneInfo:
    try:
        return zone(name)
    except ValueError as exc:
        err.print(f"[red]--tz: {exc}[/]")
        raise typer.Exit(2) from None


def _config_error(exc: ConfigError) -> None:
    err.print(f"[red]configuration error[/]\n{exc}")
    raise typer.Exit(2)


@app.command()
def run(
    sources: SourcesOpt = DEFAULT_SOURCES,
    watchlist: WatchlistOpt = DEFAULT_WATCHLIST,
    db: DbOpt = DEFAULT_DB,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's log lines.")] = False,
    shards: ShardsOpt = 1,
) -> None:
    """Run one monitoring pass: crawl the sources, extract, match, store.

    Example: rassegna run --sources config/sources.yaml --db data/rassegna.duckdb
    Example: rassegna run --shards 4   (shards run on the work pool's workers)
    """
    _run_and_report(sources, watchlist, db, verbose, shards)


@app.command()
def backfill(
    since: Annotated[str, typer.Option(help="First day of the window, YYYY-MM-DD.")],
    until: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD (default: today).")] = None,
    sources: SourcesOpt = DEFAULT_SOURCES,
    watchlist: WatchlistOpt = DEFAULT_WATCHLIST,
    db: DbOpt = DEFAULT_DB,
    window_days: Annotated[int, typer.Option("--window-days", min=1, help="Days asked for at a time.")] = 7,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's log lines.")] = False,
) -> None:
    """Find and store the articles of a past window through every channel that reaches it (searches, sitemaps).

    Resumable: a killed backfill picks up at the first window not done; a repeat fetches nothing.

    Example: rassegna backfill --since 2025-09-01 --until 2025-10-31
    """
    from rassegna.archives.windows import Window, parse_day
    from rassegna.config import load_sources, load_watchlist

    try:
        Window(parse_day(since, "--since"), parse_day(until, "--until") if until else parse_day(since, "--since"))
        load_sources(sources)
        load_watchlist(watchlist)
    except ConfigError as exc:
        _config_error(exc)
    except ValueError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    from flows.backfill import backfill as backfill_flow  # sets Prefect's offline defaults first

    try:
        with _quiet_prefect(verbose), _prefect_server():
            summary = _with_progress(lambda: backfill_flow(
                since=since, until=until, sources_file=sources, watchlist_file=watchlist, db=str(db),
                window_days=window_days))
    except Exception as exc:  # the backfill record already says failed; the operator needs the reason
        err.print(f"[red]backfill failed[/]: {type(exc).__name__}: {exc}")
        raise typer.Exit(1) from None
    _print_backfill(summary)


def _print_backfill(summary: BackfillSummary) -> None:
    colour = {"completed": "green", "completed-with-gaps": "yellow", "incomplete": "yellow"}.get(summary.status, "red")
    console.print(f"\n[bold]Backfill {summary.backfill_id}[/] {summary.since}..{summary.until}:"
                  f" [{colour}]{summary.status}[/]")
    console.print(f"  source windows {summary.units_total}: done before {summary.units_done_before},"
                  f" done now {summary.units_done_now}, left {len(summary.units_left)}"
                  f" · pages fetched {summary.pages_fetched} · new articles {summary.articles_new}"
                  f" · new mentions {summary.mentions_new}")
    weeks = Table("source", "week", "listed", "in window", "outside", "undated", "mentions",
                  title="Stored per source and week", title_justify="left")
    for row in summary.weeks:
        weeks.add_row(row["source"], str(row["week"] or "-"), str(row["listed_by_source"] or 0),
                      str(row["articles_in_window"]), str(row["articles_outside_window"]),
                      str(row["articles_undated"]), str(row["mentions"]))
    console.print(weeks)
    if summary.sources_not_reaching:
        console.print(f"not asked (they show only today): {', '.join(summary.sources_not_reaching)}", highlight=False)
    for gap in summary.gaps:
        console.print(f"[yellow]gap[/]: {gap['source']} {gap['since']}..{gap['until']}: {gap['reason']}"
                      f" ×{gap['count']}", highlight=False)
    for left in summary.units_left:
        console.print(f"[yellow]to ask again[/]: {left['source']} {left['since']}..{left['until']}: {left['why']}",
                      highlight=False)
    if summary.analysts_db:
        console.print(f"For analysts (read-only copy, open this one): [bold]{summary.analysts_db}[/]")


@app.command()
def demo(
    db: DbOpt = Path("data/demo.duckdb"),
    watchlist: WatchlistOpt = DEFAULT_WATCHLIST,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's log lines.")] = False,
) -> None:
    """Serve the bundled demo news site on 127.0.0.1 and run the monitor against it (no internet needed).

    Example: rassegna demo --db data/demo.duckdb
    """
    from rassegna.demo.server import serving

    site_root = Path(__file__).parent / "demo" / "site"
    template = (Path(__file__).parent / "demo" / "sources.template.yaml").read_text("utf-8")
    first_time = not db.exists()
    # Fixed ports: the same URLs every time, so a second demo run finds nothing new.
    with serving(site_root, first_port=DEMO_FIRST_PORT) as sites, tempfile.TemporaryDirectory() as tmp:
        sources_file = Path(tmp) / "sources.yaml"
        sources_file.write_text(render_template(template, sites.bases), "utf-8")
        _run_and_report(sources_file, watchlist, db, verbose)
    if first_time:
        from warehouse.publish import published_path

        console.print("\nTry it with SQL (the DuckDB shell: [bold]uv run duckdb -readonly " + str(published_path(db)) + "[/]):")
        for query in EXAMPLE_QUERIES:
            console.print(f"  {query}", soft_wrap=True, highlight=False)


@app.command()
def rematch(
    watchlist: WatchlistOpt = DEFAULT_WATCHLIST,
    db: DbOpt = DEFAULT_DB,
) -> None:
    """Recompute all mentions over the stored articles with the current watchlist (no fetching).

    Example: rassegna rematch --watchlist config/watchlist.yaml --db data/rassegna.duckdb
    """
    from rassegna.config import load_watchlist

    try:
        load_watchlist(watchlist)
    except ConfigError as exc:
        _config_error(exc)
    from warehouse.db import is_local_path

    if is_local_path(db) and not db.exists():
        err.print(f"[red]{db}: no such database[/] (run `rassegna run` first)")
        raise typer.Exit(2)
    from flows.rematch import rematch as rematch_flow

    with _prefect_server():
        summary = rematch_flow(watchlist_file=watchlist, db=str(db))
    console.print(
        f"Rematched {summary.articles} articles with watchlist {summary.watchlist_version}:"
        f" {summary.mentions} mentions"
    )
    table = Table("entity", "mentions")
    for name, count in summary.mentions_per_entity.items():
        table.add_row(name, str(count))
    console.print(table)


@app.command("import-companies")
def import_companies(
    companies: Annotated[Path, typer.Argument(help="Company list (CSV): name, town, province, region, sector, people, ...")],
    out: Annotated[Path, typer.Option("--out", help="Watchlist to write (YAML).")],
    base: Annotated[Path, typer.Option("--base", help="Watchlist whose programmes and shared terms to keep.")] = DEFAULT_WATCHLIST,
) -> None:
    """Write a watchlist from a company list: each company's evidence (people, sector, places)
    comes from its row, so 650 companies need no hand-written context.

    Example: rassegna import-companies imprese-vincenti.csv --out config/watchlist.programme.yaml
    """
    import yaml

    from rassegna.config import load_watchlist
    from rassegna.matching.company_list import watchlist_from_csv, write_watchlist

    try:
        load_watchlist(base)
        entities = watchlist_from_csv(companies)
        write_watchlist(entities, yaml.safe_load(base.read_text("utf-8")), out)
        load_watchlist(out)
    except ConfigError as exc:
        _config_error(exc)
    console.print(f"{out}: {len(entities)} companies from {companies}, with the programmes of {base}")


@app.command()
def archive(
    since: Annotated[str, typer.Option("--since", help="First capture day, YYYY-MM-DD.")],
    until: Annotated[str, typer.Option("--until", help="Last capture day, YYYY-MM-DD (included).")],
    cluster: Annotated[str | None, typer.Option(
        "--cluster", help="Dask scheduler address (tcp://host:8786); default: a local cluster.")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Workers of the local cluster.")] = 2,
    archive_url: Annotated[str, typer.Option(
        "--archive-url", help="Base URL serving crawl-data/CC-NEWS/YYYY/MM/warc.paths.gz and its files.")
    ] = DEFAULT_ARCHIVE_URL,
    languages: Annotated[str, typer.Option("--languages", help="Comma-separated; empty for all.")] = "it,en",
    keep_domains: Annotated[str, typer.Option("--keep-domains", help="Comma-separated outlet domains: only these.")] = "",
    drop_domains: Annotated[str, typer.Option("--drop-domains", help="Comma-separated outlet domains to skip.")] = "",
    watchlist: WatchlistOpt = DEFAULT_WATCHLIST,
    sources: Annotated[Path, typer.Option(
        "--sources", help="Sources file: only its allow_private_networks is read.")] = DEFAULT_SOURCES,
    db: DbOpt = DEFAULT_DB,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's log lines.")] = False,
) -> None:
    """Scan Common Crawl News (CC-NEWS) WARC files of a window for the watchlist, on Dask.

    Files already scanned are never read again; a killed scan resumes where it stopped.

    Example: rassegna archive --since 2025-09-01 --until 2025-09-07 --workers 2
    Example: rassegna archive --since 2025-09-01 --until 2025-09-30 --cluster tcp://10.0.0.5:8786
    """
    from datetime import date

    from rassegna.config import load_sources, load_watchlist

    try:
        first, last = date.fromisoformat(since), date.fromisoformat(until)
    except ValueError as exc:
        err.print(f"[red]--since/--until[/]: {exc} (expected YYYY-MM-DD)")
        raise typer.Exit(2) from None
    if last < first:
        err.print(f"[red]--until {until} is before --since {since}[/]")
        raise typer.Exit(2)
    try:
        load_sources(sources)
        load_watchlist(watchlist)
    except ConfigError as exc:
        _config_error(exc)
    from flows.archive_scan import archive_scan

    def split(value: str) -> list[str]:
        return [v.strip() for v in value.split(",") if v.strip()]

    try:
        with _quiet_prefect(verbose), _prefect_server():
            summary = _with_progress(lambda: archive_scan(
                since=first, until=last, archive_url=archive_url, cluster=cluster, workers=workers,
                watchlist_file=watchlist, sources_file=sources, db=str(db), languages=split(languages),
                keep_domains=split(keep_domains), drop_domains=split(drop_domains)))
    except Exception as exc:  # the run record already says failed; the operator needs the reason
        err.print(f"[red]archive scan failed[/]: {type(exc).__name__}: {exc}")
        raise typer.Exit(1) from None
    colour = {"completed": "green", "completed-with-failures": "yellow"}.get(summary.status, "red")
    console.print(f"[bold]Archive scan {summary.run_id}[/]: [{colour}]{summary.status}[/]")
    console.print(
        f"  files {summary.files_done_before + summary.files_scanned}/{summary.files_total}"
        f" ({summary.files_done_before} done before) · records {summary.records} · candidates {summary.candidates}"
        f" · mentions {summary.mentions} · new articles {summary.articles_new} · new mentions {summary.mentions_new}"
        f" · {summary.records_per_s:.0f} records/s", highlight=False)
    for path in summary.files_failed:
        console.print(f"[red]failed, still pending[/]: {path}", highlight=False)
    if summary.missing_months:
        console.print(f"[yellow]no listing on the archive for[/] {', '.join(summary.missing_months)}")
    if summary.files_failed:
        raise typer.Exit(1)


@app.command()
def schema(db: DbOpt = DEFAULT_DB) -> None:
    """Describe the analysts' views and the tables behind them, column by column.

    Example: rassegna schema --db data/rassegna.duckdb
    """
    from warehouse.db import connect, describe
    target = _analysts_db(db)
    with connect(target, read_only=True) as con:
        described = describe(con)
    console.print(f"[dim]{target}[/]")
    for name, kind, comment, columns in described:
        table = Table("column", "type", "description", title=f"{kind} {name}: {comment}", title_justify="left")
        for column, data_type, column_comment in columns:
            table.add_row(column, data_type, column_comment or "")
        console.print(table)


@app.command()
def report(
    db: DbOpt = DEFAULT_DB,
    fmt: Annotated[str, typer.Option("--format", help="html, md, csv, xlsx or parquet.")] = "html",
    since: Annotated[str | None, typer.Option(help="First day, YYYY-MM-DD.")] = None,
    until: Annotated[str | None, typer.Option(help="Last day, YYYY-MM-DD.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Output file (default: reports/rassegna.FORMAT).")] = None,
    tz: TzOpt = DEFAULT_TZ,
) -> None:
    """Write a report for colleagues: mentions per company with snippet, outlet, date and link, and the programmes' coverage.

    Days (--since, --until, each article's) and times are in --tz; the warehouse keeps UTC.

    Example: rassegna report --since 2025-09-01 --format html --out reports/settembre.html
    """
    from datetime import date

    from rassegna.reporting.report import FORMATS, load_report, write_report
    from warehouse.db import connect

    if fmt not in FORMATS:
        err.print(f"[red]--format must be one of {', '.join(FORMATS)}[/]")
        raise typer.Exit(2)
    try:
        first = date.fromisoformat(since) if since else None
        last = date.fromisoformat(until) if until else None
    except ValueError as exc:
        err.print(f"[red]--since/--until: {exc}[/] (use YYYY-MM-DD)")
        raise typer.Exit(2) from None
    _zone(tz)
    target = _analysts_db(db)
    with connect(target, read_only=True) as con:
        data = load_report(con, first, last, tz)
    path = write_report(data, fmt, out or Path("reports") / f"rassegna.{fmt}")
    covering = len({row["url"] for row in data.programme})
    console.print(f"{len(data.mentions)} mentions, {covering} articles covering a programme: [bold]{path}[/]")


@app.command()
def sql(
    db: DbOpt = DEFAULT_DB,
    command: Annotated[str | None, typer.Option("-c", "--command", help="Run one SQL statement and exit.")] = None,
) -> None:
    """Open DuckDB's own shell, read-only, on the analysts' copy of the warehouse.

    Example: rassegna sql --db data/rassegna.duckdb -c "SELECT * FROM entities"
    """
    import os
    import shutil

    target = _analysts_db(db)
    shell = Path(sys.executable).parent / "duckdb"
    shell_path = str(shell) if shell.exists() else shutil.which("duckdb")
    if not shell_path:
        err.print("[red]the duckdb shell is not installed[/] (it comes with `uv sync`: package duckdb-cli)")
        raise typer.Exit(2)
    args = [shell_path, "-readonly", str(target)] + (["-c", command] if command else [])
    sys.stdout.flush()
    os.execv(shell_path, args)  # the shell takes over the terminal; nothing of ours runs after


@app.command()
def serve(
    sources: SourcesOpt = DEFAULT_SOURCES,
    watchlist: WatchlistOpt = DEFAULT_WATCHLIST,
    db: DbOpt = DEFAULT_DB,
    cron: Annotated[str, typer.Option(help="Cron schedule, Europe/Rome time.")] = "0 */6 * * *",
    shards: ShardsOpt = 1,
    feeds: Annotated[Path | None, typer.Option(
        "--feeds", help="Also serve the Atom feeds (rassegna feed) from this folder over HTTP, kept up to date.")] = None,
    feeds_host: Annotated[str, typer.Option(help="Address the feeds are served on.")] = "127.0.0.1",
    feeds_port: Annotated[int, typer.Option(help="Port the feeds are served on.")] = 8090,
    digest_cron: Annotated[str | None, typer.Option(
        help="Also serve the digest e-mail (deployment digest-daily) on this cron, Europe/Rome, e.g. '0 8 * * *'.")] = None,
    digest_config: Annotated[Path, typer.Option(help="Digest settings and recipients (YAML).")] = DEFAULT_DIGEST,
) -> None:
    """Serve the monitor on a schedule from this process (the one-command alternative to prefect.yaml).

    The shard deployment is served too, so `--shards` works here as well: its flow
    runs are this process's children, on this machine.

    Example: rassegna serve --cron "0 */6 * * *"
    Example: rassegna serve --feeds feeds --feeds-port 8090   (feeds at http://127.0.0.1:8090/all.xml)
    Example: rassegna serve --digest-cron "0 8 * * *"   (the digest e-mail every morning)
    """
    from rassegna.config import load_digest, load_sources, load_watchlist

    try:
        load_sources(sources)
        wl = load_watchlist(watchlist)
        if digest_cron:
            load_digest(digest_config, wl)
    except ConfigError as exc:
        _config_error(exc)
    from flows.digest import digest as digest_flow
    from flows.monitor import monitor  # sets Prefect's offline defaults first
    from flows.shard import monitor_shard

    from prefect import serve as serve_deployments
    from prefect.schedules import Cron

    if feeds is not None:
        feed_server = _feed_server(feeds, db, feeds_host, feeds_port)
        feed_server.start()
        console.print(f"Feeds: http://{feeds_host}:{feed_server.address[1]}/all.xml (index: /)")
    # Without PREFECT_API_URL the deployments live on a temporary server that runs the
    # scheduler and ends with this process (Prefect's own runs no scheduler and would
    # outlive a SIGKILL).
    with _prefect_server(serving=True):
        serve_deployments(
            monitor.to_deployment(
                name="monitor-every-6h",
                schedules=[Cron(cron, timezone="Europe/Rome")],
                parameters={"sources_file": str(sources), "watchlist_file": str(watchlist), "db": str(db),
                            "shards": shards},
                # Overlapping runs would only queue on the writer lock.
                concurrency_limit=1,
            ),
            # Started by sharded monitor runs only: no schedule of its own.
            monitor_shard.to_deployment(name="monitor-shard"),
            *([digest_flow.to_deployment(
                name="digest-daily", schedules=[Cron(digest_cron, timezone="Europe/Rome")],
                parameters={"period": "daily", "digest_file": str(digest_config), "watchlist_file": str(watchlist),
                            "db": str(db)},
                concurrency_limit=1,
            )] if digest_cron else []),
        )


@app.command()
def digest(
    period: Annotated[str, typer.Option(help="daily or weekly: how far back a first digest looks.")] = "daily",
    to: Annotated[list[str] | None, typer.Option(
        "--to", help="Send to this address (repeatable) instead of the config's recipients; it gets every entity.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="it or en (default: the config's, per recipient).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Compose only: nothing is sent or recorded.")] = False,
    out: Annotated[Path | None, typer.Option(
        "--out", help="With --dry-run: write the HTML here and the plain text beside it (.txt).")] = None,
    send_empty: Annotated[bool | None, typer.Option(
        "--send-empty/--no-send-empty", help="Send a one-line 'nessuna nuova menzione' when nothing is new"
        " (default: the config's send_empty).")] = None,
    config: Annotated[Path, typer.Option("--config", help="Digest settings and recipients (YAML).")] = DEFAULT_DIGEST,
    watchlist: WatchlistOpt = DEFAULT_WATCHLIST,
    db: DbOpt = DEFAULT_DB,
) -> None:
    """E-mail the digest: each recipient gets the mentions stored since their previous digest, once.

    SMTP credentials come from the Prefect block named in the config (email_block), never from files.

    Example: rassegna digest --period daily
    Example: rassegna digest --dry-run --out reports/digest.html --to ufficio.stampa@example.org
    """
    from rassegna.config import LANGUAGES, load_digest, load_watchlist

    if period not in ("daily", "weekly") or (lang is not None and lang not in LANGUAGES):
        err.print("[red]--period must be daily or weekly, --lang it or en[/]")
        raise typer.Exit(2)
    if out is not None and not dry_run:
        err.print("[red]--out goes with --dry-run[/] (a sent digest is not written to a file)")
        raise typer.Exit(2)
    try:
        wl = load_watchlist(watchlist)
        settings = load_digest(config, wl)
    except ConfigError as exc:
        _config_error(exc)
    from warehouse.db import is_local_path

    if is_local_path(db) and not db.exists():
        err.print(f"[red]{db}: no such database[/] (run `rassegna run` first)")
        raise typer.Exit(2)
    if dry_run:
        from rassegna.reporting.digest import preview, recipients_for, render_text, subject
        from warehouse.db import connect
        from warehouse.load import utcnow

        try:
            recipients = recipients_for(settings, to, lang)
        except ConfigError as exc:
            _config_error(exc)
        with connect(db) as con:
            previews = preview(con, wl, recipients, period, utcnow(), out)
        for d, paths in previews:
            console.print(f"[bold]{d.recipient.address}[/]: {subject(d)}", highlight=False)
            if paths:
                console.print("  " + ", ".join(str(p) for p in paths), highlight=False)
            else:
                console.print(render_text(d), highlight=False, markup=False)
        return
    from flows.digest import DigestNotDelivered
    from flows.digest import digest as digest_flow

    try:
        # As `run`: Prefect's temporary server given the time it needs and ended with the
        # command, and its console lines held back to errors.
        with _quiet_prefect(False), _prefect_server():
            summary = digest_flow(period=period, digest_file=config, watchlist_file=watchlist, db=str(db), to=to,
                                  language=lang, send_empty=send_empty)
    except ConfigError as exc:
        _config_error(exc)
    except DigestNotDelivered as exc:
        err.print(f"[red]{exc}[/] (their mentions go in the next digest; see the digests view)")
        raise typer.Exit(1) from None
    for digest_id, address in summary.uncertain_before:
        err.print(f"[yellow]digest {digest_id} to {address} was interrupted while sending[/]: it may have arrived;"
                  " not sent again")
    if not summary.statuses:
        console.print("Nothing new: no digest sent.")
    for address, status in summary.statuses.items():
        console.print(f"{address}: {status} ({summary.stories.get(address, 0)} stories)", highlight=False)


@app.command()
def feed(
    out: Annotated[Path, typer.Option("--out", help="Folder for the feeds.")] = Path("feeds"),
    db: DbOpt = DEFAULT_DB,
    base_url: Annotated[str | None, typer.Option(
        "--base-url", help="Where the folder will be served (for each feed's self link).")] = None,
) -> None:
    """Write Atom feeds to subscribe to: one per entity (ENTITY_ID.xml) and one for all (all.xml), one entry per story.

    Example: rassegna feed --out feeds --base-url https://intranet.example.it/rassegna/feeds
    """
    from rassegna.reporting.feeds import write_feeds
    from warehouse.db import connect

    target = _analysts_db(db)
    with connect(target, read_only=True) as con:
        written = write_feeds(con, out, base_url)
    console.print(f"{len(written) - 1} feeds and an index in [bold]{out}[/]")


def _feed_server(folder: Path, db: Path, host: str, port: int):
    """Serve `folder`'s feeds, rewritten from the analysts' copy whenever that copy changes."""
    from rassegna.reporting.feeds import FeedServer, write_feeds
    from warehouse.db import connect, is_local_path
    from warehouse.publish import published_path

    seen: dict[str, float] = {}

    def source() -> Path:
        return published_path(db) if is_local_path(db) and published_path(db).exists() else db

    def changed() -> bool:
        if not is_local_path(db):
            return True  # a service database has no file to compare: read it each time
        if not source().exists():
            return False  # no run yet: nothing to write
        stamp = source().stat().st_mtime
        if seen.get("stamp") == stamp:
            return False
        seen["stamp"] = stamp
        return True

    def regenerate() -> None:
        with connect(source(), read_only=True) as con:
            write_feeds(con, folder)

    return FeedServer(folder, regenerate, changed, host, port)


def render_template(template: str, bases: dict[str, str]) -> str:
    for name, base in bases.items():
        template = template.replace("{{BASE:" + name + "}}", base)
    return template


@app.command()
def inspect(
    targets: Annotated[list[str], typer.Argument(help="URLs or saved HTML files.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per target, one per line.")] = False,
    watchlist: WatchlistOpt = DEFAULT_WATCHLIST,
    url: Annotated[str | None, typer.Option("--url", help="URL to assume for a saved file.")] = None,
    allow_private: Annotated[bool, typer.Option("--allow-private", help="Fetch from private addresses too.")] = False,
    tz: TzOpt = DEFAULT_TZ,
) -> None:
    """Show what extraction makes of a page and which mentions it yields, and why.

    The date is shown in --tz and in UTC (as stored); --json gives UTC only.

    Example: rassegna inspect https://www.example.it/articolo.html
    Example: rassegna inspect saved.html --url https://www.example.it/articolo.html --json
    """
    from rassegna.config import load_watchlist
    from rassegna.reporting.inspect import inspect_target
    from rassegna.matching.matcher import Matcher

    local = _zone(tz)
    try:
        matcher = Matcher(load_watchlist(watchlist))
    except ConfigError as exc:
        _config_error(exc)
    failed = False
    for target in targets:
        report = inspect_target(target, matcher, url=url, allow_private=allow_private)
        failed = failed or bool(report.get("error"))
        if as_json:
            sys.stdout.write(json.dumps(report, ensure_ascii=False, default=str) + "\n")
        else:
            _print_inspection(report, local)
    if failed:
        raise typer.Exit(1)


def _print_inspection(report: dict[str, Any], tz: ZoneInfo) -> None:
    from datetime import datetime

    console.rule(report["target"])
    if report.get("error"):
        console.print(f"[red]{report['error']}[/]")
        return
    for key in ("url", "title", "published_at", "date_signal", "date_conflict", "teaser", "language", "author",
                "site_name", "encoding"):
        value = report.get(key)
        if key == "published_at" and value:
            value = f"{day_and_time(datetime.fromisoformat(value), tz)} ({tz.key}); stored as {value} UTC"
        console.print(f"[bold]{key}[/]: {value}", highlight=False)
    for candidate in report.get("date_candidates") or []:
        console.print(f"  date candidate: {candidate['signal']} {candidate['value']} ({candidate['precision']})")
    text = report.get("text") or ""
    console.print(f"[bold]text[/] ({len(text)} chars): {text[:600]}{'…' if len(text) > 600 else ''}")
    console.print(f"[bold]mentions[/]: {len(report['mentions'])} accepted, {len(report['rejected'])} rejected")
    for m in sorted(report["mentions"] + report["rejected"], key=lambda m: m["start_char"]):
        decision = "[green]accepted[/]" if m["accepted"] else "[red]rejected[/]"
        console.print(
            f"  {decision} [bold]{m['entity_name']}[/] as {m['matched_text']!r} at {m['start_char']}-{m['end_char']}"
            f" · rule {m['rule']} ({m['evidence'] or 'no confirming term'}) · score {m['score']:.2f}"
            f" · confidence {m['confidence']:.2f}"
        )
        if m["evidence_for"]:
            console.print(f"    [green]for[/]: {m['evidence_for']}")
        if m["evidence_against"]:
            console.print(f"    [red]against[/]: {m['evidence_against']}")
        console.print(f"    [dim]{m['snippet']}[/]")
    coverage = report.get("programme_relevance", [])
    names = {m["entity_id"]: m["entity_name"] for m in report["mentions"]}
    for r in coverage:
        console.print(
            f"[bold]programme coverage[/]: {names.get(r['entity_id'], r['entity_id'])} {r['strength']}"
            f" ({r['mentions']} mentions)"
        )
    if not coverage:
        console.print("[bold]programme coverage[/]: none")


if __name__ == "__main__":
    app()
