"""Open the warehouse: DuckDB file, migrations applied once and recorded, views refreshed.

Migrations are the numbered files in warehouse/migrations/; each is applied in
its own transaction together with its row in `schema_migrations`, so a crash
leaves it either applied and recorded or neither. Views (warehouse/views/, one
file per view) are recreated on every open: they hold no data, and a view file
edited in a release takes effect without a migration.
"""

from __future__ import annotations

import re
import time
from importlib import resources
from pathlib import Path

import duckdb

# Files analysts open must be readable by DuckDB 1.x clients (the duckdb CLI on
# PyPI, BI drivers): DuckDB 2.x writes an unreadable format unless told otherwise.
STORAGE_COMPATIBILITY = "v1.4.0"

# How long a writer waits for another process (an analyst's read-write session, a
# stuck run) to let go of the file before giving up with a clear message.
DEFAULT_WAIT_S = 60.0


class DatabaseBusy(RuntimeError):
    """Another process holds the database file."""


_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


def _sql_files(folder: str) -> list[tuple[str, str]]:
    root = resources.files("warehouse") / folder
    return sorted((f.name, f.read_text("utf-8")) for f in root.iterdir() if f.name.endswith(".sql"))


def migrations() -> list[tuple[int, str, str]]:
    found = []
    for filename, sql in _sql_files("migrations"):
        match = _MIGRATION_NAME.match(filename)
        if not match:
            raise ValueError(f"warehouse/migrations/{filename}: name must be NNN_description.sql")
        found.append((int(match.group(1)), match.group(2), sql))
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise ValueError(f"warehouse/migrations: duplicate version numbers in {versions}")
    return found


def is_local_path(database: str | Path) -> bool:
    # A connection string such as "md:rassegna" names a service, not a file.
    return not (str(database).startswith(("md:", "motherduck:")) or str(database) == ":memory:")


def service_slug(database: str | Path) -> str:
    """A file-name-safe name for a service database ("md:rassegna" -> "md_rassegna").

    Options after "?" are dropped: a connection string may carry a token, which
    must never end up in a file name or a lock holder's message.
    """
    return re.sub(r"[^A-Za-z0-9._-]+", "_", str(database).split("?", 1)[0]).strip("_") or "database"


def _open(database: str | Path, wait_s: float, **kwargs: object) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, waiting (bounded) while another process holds the file's lock."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return duckdb.connect(str(database), **kwargs)  # type: ignore[arg-type]
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                # DuckDB's message names the holder's program and PID.
                raise DatabaseBusy(f"{database}: held by another process for over {wait_s:.0f} s: {exc}") from None
            time.sleep(0.5)


def connect(
    database: str | Path, read_only: bool = False, migrated: bool = False, wait_s: float = DEFAULT_WAIT_S
) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) and migrate the warehouse.

    Read-only opens never migrate; `migrated=True` skips it for the many short
    connections of a run whose first step already migrated.
    """
    if read_only or migrated:
        return _open(database, wait_s, read_only=read_only)
    config: dict[str, str] = {}
    if is_local_path(database):
        path = Path(database)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            config["storage_compatibility_version"] = STORAGE_COMPATIBILITY
    con = _open(database, wait_s, config=config)
    try:
        migrate(con)
    except BaseException:
        con.close()
        raise
    return con


def describe(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, list[tuple[str, str, str]]]]:
    """(name, 'view' | 'table', description, [(column, type, description)]): views first."""
    objects = con.execute(
        "SELECT view_name, 'view', comment FROM duckdb_views() WHERE NOT internal AND schema_name = 'main'"
        " UNION ALL SELECT table_name, 'table', comment FROM duckdb_tables() WHERE schema_name = 'main'"
        " ORDER BY 2 DESC, 1"
    ).fetchall()
    result = []
    for name, kind, comment in objects:
        columns = con.execute(
            "SELECT column_name, data_type, comment FROM duckdb_columns()"
            " WHERE schema_name = 'main' AND table_name = ? ORDER BY column_index",
            [name],
        ).fetchall()
        result.append((name, kind, comment or "", columns))
    return result


def _inherit_column_comments(con: duckdb.DuckDBPyConnection) -> None:
    columns = con.execute(
        "SELECT table_name, column_name, comment FROM duckdb_columns() WHERE schema_name = 'main'"
    ).fetchall()
    described = {(t, c): comment for t, c, comment in columns if comment}
    for view, sources in _VIEW_SOURCES.items():
        for table, column, comment in columns:
            if table != view or comment:
                continue
            inherited = next((described[(s, column)] for s in sources if (s, column) in described), None)
            if inherited:
                # Names come from DuckDB's own catalogue of our views; the text is a parameter.
                con.execute(f'COMMENT ON COLUMN "{view}"."{column}" IS ' + _quote(inherited))


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply pending migrations and refresh views; returns the versions applied now."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied = []
    for version, name, sql in migrations():
        if version in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, current_timestamp::TIMESTAMP)", [version, name]
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(version)
    refresh_views(con)
    return applied


# Where a view column without its own description takes one from: its main table first.
_VIEW_SOURCES = {
    "articles": ["article"], "entities": ["entity"], "runs": ["run"], "source_runs": ["source_run", "run"],
    "mentions": ["mention_candidate", "entity", "article"],
    "rejected_mentions": ["mention_candidate", "entity", "article"],
    "programme_coverage": ["article_programme", "entity", "article"],
    "article_channels": ["discovery", "article"], "stories": [], "source_health": [],
    "backfill_articles": ["article", "backfill"],
    "digests": ["digest_recipient", "digest"],
}


def refresh_views(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("BEGIN TRANSACTION")
    try:
        for filename, sql in _sql_files("views"):
            # The view name is the file name, from our own package: never data.
            con.execute(f"CREATE OR REPLACE VIEW {Path(filename).stem} AS {sql}")
        con.execute((resources.files("warehouse") / "comments.sql").read_text("utf-8"))
        _inherit_column_comments(con)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
