"""What a run did, written for the operator: the Markdown shown as the run's Prefect artifact.

Times are shown in the readers' zone (Europe/Rome by default), not the warehouse's UTC.
"""

from __future__ import annotations

from typing import Any

from rassegna.reporting.local_time import DEFAULT_TZ, day_and_time, zone


def _cell(value: object) -> str:
    # Table cells come from pages and configs: keep them on one line and out of the table syntax.
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")


def notification_text(run_id: str, per_entity: dict[str, int], mentions: list[dict[str, Any]], limit: int = 20) -> str:
    """Plain text for a notification: counts per entity, then the newest mentions with links."""
    counts = ", ".join(f"{name} {count}" for name, count in per_entity.items() if count)
    lines = [f"Rassegna run {run_id}: {sum(per_entity.values())} new mentions ({counts})", ""]
    for m in mentions[:limit]:
        lines.append(f"- {m['entity_name']}: {m['title']} ({m['source']}) {m['url']}")
    if len(mentions) > limit:
        lines.append(f"... and {len(mentions) - limit} more in the run's new-mentions artifact")
    return "\n".join(lines)


def mention_rows(rows: list[dict[str, Any]], tz: str = DEFAULT_TZ) -> list[dict[str, Any]]:
    """New-mention rows for people: `published_at` as day and time in `tz`."""
    local = zone(tz)
    return [{**row, "published_at": day_and_time(row.get("published_at"), local)} for row in rows]


def _attention(flagged: list[dict[str, Any]], tz: str) -> list[str]:
    if not flagged:
        return []
    lines = ["## Sources needing attention", ""]
    for f in flagged:
        problems = []
        if f["failing_runs_in_a_row"]:
            problems.append(f"failed in the last {f['failing_runs_in_a_row']} runs")
        if f["silent_runs_in_a_row"]:
            last = f["last_new_article_run_at"]
            since = (f" (last new article in the run of {day_and_time(last, zone(tz))})" if last
                     else " (never stored an article)")
            problems.append(f"nothing new in the last {f['silent_runs_in_a_row']} runs{since}")
        lines.append(f"- **{_cell(f['source'])}**: {'; '.join(problems)}")
    return [*lines, ""]


def run_markdown(run_id: str, status: str, counts: dict[str, int], per_entity: dict[str, int],
                 sources: list[dict[str, Any]], flagged: list[dict[str, Any]] | None = None, tz: str = DEFAULT_TZ) -> str:
    lines = [
        f"# Rassegna run {run_id}: {status}",
        "",
        f"Pages fetched {counts.get('pages_fetched', 0)} · articles extracted {counts.get('articles_extracted', 0)}"
        f" · new articles {counts.get('articles_new', 0)} · new mentions {counts.get('mentions_new', 0)}",
        "",
        *_attention(flagged or [], tz),
        "## New mentions per entity",
        "",
        "| entity | new mentions |",
        "|---|---:|",
        *(f"| {_cell(name)} | {count} |" for name, count in per_entity.items()),
        "",
        "## Sources",
        "",
        "| source | status | listed | fetched | articles | new | skipped | failed | problem |",
        "|---|---|---:|---:|---:|---:|---|---|---|",
    ]
    for s in sources:
        skipped = ", ".join(f"{k} {v}" for k, v in s["skip_reasons"].items())
        failed = ", ".join(f"{k} {v}" for k, v in s["fail_reasons"].items())
        lines.append(
            f"| {_cell(s['source'])} | {'**failed**' if s['status'] == 'failed' else s['status']} | {s['listed']}"
            f" | {s['fetched']} | {s['extracted']} | {s['articles_new']} | {_cell(skipped)} | {_cell(failed)}"
            f" | {_cell(s.get('error'))} |"
        )
    return "\n".join(lines) + "\n"
