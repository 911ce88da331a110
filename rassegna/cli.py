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
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from rassegna.config import DEFAULT_DB, DEFAULT_SOURCES, DEFAULT_WATCHLIST, ConfigError

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
                  "backfill": "backfilling windows"}
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

    return _with_progress(verbose, lambda: monitor(sources_file=sources, watchlist_file=watchlist, db=str(db),
                                                   shards=shards))


def _with_progress(verbose: bool, call: Any) -> Any:
    """Run a flow with its progress-tagged log records shown as a bar (Prefect's own lines only with -v)."""

    prefect_logger = logging.getLogger("prefect")
    # Prefect configures console handlers on several of its loggers (flow runs, task runs...).
    prefect_loggers = [prefect_logger] + [
        logging.getLogger(name) for name in logging.root.manager.loggerDict if name.startswith("prefect.")
    ]
    quiet = [] if verbose else [
        h for lg in prefect_loggers for h in lg.handlers
        if isinstance(h, logging.StreamHandler) and not isinstance(h, _ProgressHandler)
    ]
    levels = [h.level for h in quiet]
    for handler in quiet:
        handler.setLevel(logging.ERROR)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        handler = _ProgressHandler(progress)
        prefect_logger.addHandler(handler)
        try:
            return call()
        finally:
            prefect_logger.removeHandler(handler)
            for h, level in zip(quiet, levels):
                h.setLevel(level)


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
        summary = _with_progress(verbose, lambda: backfill_flow(
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

    summary = rematch_flow(watchlist_file=watchlist, db=str(db))
    console.print(
        f"Rematched {summary.articles} articles with watchlist {summary.watchlist_version}:"
        f" {summary.mentions} mentions"
    )
    table = Table("entity", "mentions")
    for name, count in summary.mentions_per_entity.items():
        table.add_row(name, str(count))
    console.print(table)


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
) -> None:
    """Write a report for colleagues: mentions per company with snippet, outlet, date and link, and the programmes' coverage.

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
    target = _analysts_db(db)
    with connect(target, read_only=True) as con:
        data = load_report(con, first, last)
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
) -> None:
    """Serve the monitor on a schedule from this process (the one-command alternative to prefect.yaml).

    The shard deployment is served too, so `--shards` works here as well: its flow
    runs are this process's children, on this machine.

    Example: rassegna serve --cron "0 */6 * * *"
    """
    from rassegna.config import load_sources, load_watchlist

    try:
        load_sources(sources)
        load_watchlist(watchlist)
    except ConfigError as exc:
        _config_error(exc)
    from flows.monitor import monitor  # sets Prefect's offline defaults first
    from flows.shard import monitor_shard

    from prefect import serve as serve_deployments
    from prefect.schedules import Cron

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
    )


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
) -> None:
    """Show what extraction makes of a page and which mentions it yields, and why.

    Example: rassegna inspect https://www.example.it/articolo.html
    Example: rassegna inspect saved.html --url https://www.example.it/articolo.html --json
    """
    from rassegna.config import load_watchlist
    from rassegna.reporting.inspect import inspect_target
    from rassegna.matching.matcher import Matcher

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
            _print_inspection(report)
    if failed:
        raise typer.Exit(1)


def _print_inspection(report: dict[str, Any]) -> None:
    console.rule(report["target"])
    if report.get("error"):
        console.print(f"[red]{report['error']}[/]")
        return
    for key in ("url", "title", "published_at", "date_signal", "date_conflict", "teaser", "language", "author",
                "site_name", "encoding"):
        console.print(f"[bold]{key}[/]: {report.get(key)}")
    for candidate in report.get("date_candidates") or []:
        console.print(f"  date candidate: {candidate['signal']} {candidate['value']} ({candidate['precision']})")
    text = report.get("text") or ""
    console.print(f"[bold]text[/] ({len(text)} chars): {text[:600]}{'…' if len(text) > 600 else ''}")
    console.print(f"[bold]mentions[/]: {len(report['mentions'])} accepted, {len(report['rejected'])} rejected")
    for m in sorted(report["mentions"] + report["rejected"], key=lambda m: m["start_char"]):
        decision = "[green]accepted[/]" if m["accepted"] else "[red]rejected[/]"
        console.print(
            f"  {decision} [bold]{m['entity_name']}[/] as {m['matched_text']!r} at {m['start_char']}-{m['end_char']}"
            f" · rule {m['rule']} ({m['evidence'] or 'no confirming term'}) · confidence {m['confidence']:.2f}"
        )
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
