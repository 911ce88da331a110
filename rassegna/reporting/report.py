"""Reports for colleagues who never write SQL: one self-contained HTML file, or the same rows as md/csv/xlsx/parquet.

The HTML has no external resource at all (charts are inline SVG, styles inline),
so it opens offline and can be mailed as one file. Everything that came from a
page (titles, snippets, outlet names, URLs) is escaped: a headline containing
`<script>` is shown as text.

Days and times are the readers' (Europe/Rome unless `tz` says otherwise), converted
from the warehouse's UTC: rows carry zone-aware datetimes, the csv writes them with
their offset, xlsx and parquet (which have no zone) as wall-clock time with the zone
named in a `timezone` column.
"""

from __future__ import annotations

import csv
import html
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from rassegna.reporting.local_time import DEFAULT_TZ, from_utc, zone

FORMATS = ("html", "md", "csv", "xlsx", "parquet")
COLUMNS = ["entity_name", "entity_kind", "article_date", "published_at", "source", "site_name", "title", "snippet", "url",
           "story_id", "story_outlets", "teaser", "timezone"]
_LOCAL_TIMES = ("article_date", "published_at")
_PARQUET_TYPES = {"article_date": "TIMESTAMP", "published_at": "TIMESTAMP", "story_outlets": "INTEGER", "teaser": "BOOLEAN"}
PALETTE = ["#1f5f8b", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#16a085", "#2c3e50", "#b7950b",
           "#7f8c8d", "#e84393", "#0984e3", "#6ab04c", "#a29bfe", "#fd7e14"]


@dataclass
class ReportData:
    mentions: list[dict[str, Any]]
    programme: list[dict[str, Any]]
    since: date | None
    until: date | None
    tz: ZoneInfo = ZoneInfo(DEFAULT_TZ)


def _query(name: str) -> str:
    return (resources.files("warehouse") / "reports" / f"{name}.sql").read_text("utf-8")


def load_report(con: duckdb.DuckDBPyConnection, since: date | None, until: date | None,
                tz: str = DEFAULT_TZ) -> ReportData:
    """The report's rows; `since` and `until` are days in `tz`, and so are the rows' times."""
    local = zone(tz)
    con.execute("SET VARIABLE report_since = ?", [since])
    con.execute("SET VARIABLE report_until = ?", [until])
    con.execute("SET VARIABLE report_tz = ?", [local.key])
    rows = {}
    for name in ("report_mentions", "report_programme"):
        cursor = con.execute(_query(name))
        names = [d[0] for d in cursor.description]
        rows[name] = [
            {**row, **{k: from_utc(row[k], local) for k in _LOCAL_TIMES if k in row}, "timezone": local.key}
            for row in (dict(zip(names, values)) for values in cursor.fetchall())
        ]
    return ReportData(rows["report_mentions"], rows["report_programme"], since, until, local)


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _day(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if isinstance(value, (datetime, date)) else ""


def _safe_url(url: Any) -> str:
    # Only web links become links: a javascript: or data: URL from a page stays text.
    text = str(url or "")
    return text if text.startswith(("http://", "https://")) else ""


def _bar_chart(counts: list[tuple[str, int]], title: str, colours: dict[str, str] | None = None) -> str:
    if not counts:
        return f"<p class='empty'>{_e(title)}: nessun dato.</p>"
    width, bar_h, label_w = 640, 22, 190
    top = max(c for _, c in counts)
    bars = []
    for i, (label, count) in enumerate(counts):
        w = int((width - label_w - 50) * count / top) if top else 0
        y = i * (bar_h + 6)
        bars.append(
            f"<text x='{label_w - 8}' y='{y + 16}' text-anchor='end'>{_e(label)}</text>"
            f"<rect x='{label_w}' y='{y}' width='{w}' height='{bar_h}' fill='{(colours or {}).get(label, PALETTE[i % len(PALETTE)])}'/>"
            f"<text x='{label_w + w + 6}' y='{y + 16}'>{count}</text>"
        )
    height = len(counts) * (bar_h + 6)
    return (f"<figure><figcaption>{_e(title)}</figcaption><svg role='img' aria-label='{_e(title)}' "
            f"width='{width}' height='{height}' viewBox='0 0 {width} {height}'>{''.join(bars)}</svg></figure>")


def _week_label(week: str) -> str:
    """'2025-W38' -> '15/09': the Monday the week starts on, as Italian readers date a week."""
    year, number = week.split("-W")
    return date.fromisocalendar(int(year), int(number), 1).strftime("%d/%m")


def _line_chart(series: dict[str, Counter[str]], title: str, colours: dict[str, str]) -> str:
    weeks = sorted({w for counts in series.values() for w in counts})
    if not weeks:
        return f"<p class='empty'>{_e(title)}: nessun dato.</p>"
    width, height, left, bottom = 640, 240, 40, 30
    top = max(max(c.values()) for c in series.values())
    step = (width - left - 20) / max(1, len(weeks) - 1)

    def y(value: float) -> float:
        return height - bottom - (height - bottom - 10) * value / top

    lines, legend = [], []
    for name, counts in sorted(series.items()):
        colour = colours[name]
        pts = [(left + i * step, y(counts.get(w, 0)), counts.get(w, 0), w) for i, w in enumerate(weeks)]
        lines.append(f"<polyline fill='none' stroke='{colour}' stroke-width='2' "
                     f"points='{' '.join(f'{px:.1f},{py:.1f}' for px, py, _, _ in pts)}'/>")
        # Each point names its series and value on hover: lines with equal values overlap.
        lines.extend(f"<circle cx='{px:.1f}' cy='{py:.1f}' r='3' fill='{colour}'><title>{_e(name)}, settimana del "
                     f"{_week_label(w)}: {value}</title></circle>" for px, py, value, w in pts)
        legend.append(f"<span class='key' style='border-color:{colour}'>{_e(name)} ({sum(counts.values())})</span>")
    ticks = "".join(
        f"<text x='{left + i * step:.1f}' y='{height - 8}' text-anchor='middle'>{_e(_week_label(w))}</text>"
        for i, w in enumerate(weeks)
    )
    levels = sorted({0, top // 2, top})
    grid = "".join(
        f"<line x1='{left}' y1='{y(v):.1f}' x2='{width - 10}' y2='{y(v):.1f}' stroke='#e5e5e5'/>"
        f"<text x='{left - 6}' y='{y(v) + 4:.1f}' text-anchor='end'>{v}</text>"
        for v in levels
    )
    axis = f"<line x1='{left}' y1='{height - bottom}' x2='{width - 10}' y2='{height - bottom}' stroke='#999'/>"
    return (f"<figure><figcaption>{_e(title)}</figcaption><svg role='img' aria-label='{_e(title)}' width='{width}' "
            f"height='{height}' viewBox='0 0 {width} {height}'>{grid}{axis}{''.join(lines)}{ticks}</svg>"
            f"<div class='legend'>{''.join(legend)}</div></figure>")


_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:960px;color:#222;padding:0 1rem}
h1{font-size:1.6rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd;padding-bottom:.3rem}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.5rem 0 1.5rem}
th,td{border-bottom:1px solid #eee;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f6f6}figure{margin:1rem 0}figcaption{font-weight:600;margin-bottom:.4rem}
svg text{font-size:12px;fill:#333}.legend{display:flex;flex-wrap:wrap;gap:.6rem;font-size:.8rem}
.key{border-left:12px solid;padding-left:.3rem}.empty{color:#777}.muted{color:#666;font-size:.85rem}
"""


def render_html(data: ReportData) -> str:
    period = (f"dal {_day(data.since)}" if data.since else "dall'inizio") + (f" al {_day(data.until)}" if data.until else " a oggi")
    companies = [m for m in data.mentions if m["entity_kind"] == "company"]
    by_entity = Counter(m["entity_name"] for m in data.mentions)
    by_outlet = Counter(m["outlet"] for m in data.mentions)
    # One colour per entity in every chart, so a reader can follow a company from one to the next.
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(sorted(by_entity))}
    weekly: dict[str, Counter[str]] = defaultdict(Counter)
    for m in companies:
        if isinstance(m["article_date"], (datetime, date)):
            weekly[m["entity_name"]][m["article_date"].strftime("%G-W%V")] += 1
    parts = [
        "<!doctype html><html lang='it'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>Rassegna stampa, {_e(period)}</title><style>{_STYLE}</style></head><body>",
        "<h1>Rassegna stampa: Imprese Vincenti, INNOVIT e le dodici aziende della missione</h1>",
        f"<p class='muted'>Periodo {_e(period)} · {len(data.mentions)} menzioni in "
        f"{len({m['url'] for m in data.mentions})} articoli, "
        f"{_count(len({m['story_id'] for m in data.mentions}), 'notizia distinta', 'notizie distinte')}"
        f" (una notizia ripresa da più testate conta una volta) · generato il"
        f" {_e(datetime.now(data.tz).strftime('%d/%m/%Y %H:%M %Z'))} · fuso orario {_e(data.tz.key)}</p>",
        "<h2>Andamento</h2>",
        _line_chart(weekly, "Menzioni per settimana (data di inizio), per azienda", colours),
        _bar_chart(by_entity.most_common(), "Menzioni per azienda e programma", colours),
        _bar_chart(by_outlet.most_common(15), "Copertura per testata (prime 15)"),
        "<h2>Copertura dei programmi</h2>",
    ]
    strength = {"headline": "nel titolo", "lead": "in apertura", "body": "nel testo", "passing": "citazione"}
    if data.programme:
        parts.append("<table><thead><tr><th>Programma</th><th>Rilievo</th><th>Data</th><th>Testata</th><th>Articolo</th></tr></thead><tbody>")
        for row in data.programme:
            link = _safe_url(row["url"])
            title = f"<a href='{_e(link)}'>{_e(row['title'])}</a>" if link else _e(row["title"])
            parts.append(f"<tr><td>{_e(row['programme'])}</td><td>{_e(strength.get(row['strength'], row['strength']))}</td>"
                         f"<td>{_day(row['article_date'])}</td><td>{_e(row['outlet'])}</td><td>{title}</td></tr>")
        parts.append("</tbody></table>")
    else:
        parts.append("<p class='empty'>Nessun articolo sui programmi nel periodo.</p>")
    parts.append("<h2>Menzioni per azienda e programma</h2>")
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for m in data.mentions:
        grouped[m["entity_name"]].append(m)
    for name in sorted(grouped):
        parts.append(f"<h3>{_e(name)} ({len(grouped[name])})</h3><table><thead><tr><th>Data</th><th>Testata</th>"
                     "<th>Articolo</th><th>Estratto</th><th>Ripresa da</th></tr></thead><tbody>")
        for m in grouped[name]:
            link = _safe_url(m["url"])
            title = f"<a href='{_e(link)}'>{_e(m['title'])}</a>" if link else _e(m["title"])
            if m.get("teaser"):
                title += " <span class='muted'>(anteprima: articolo riservato agli abbonati)</span>"
            outlets = m.get("story_outlets") or 1
            spread = f"{outlets} testate" if outlets > 1 else ""
            parts.append(f"<tr><td>{_day(m['article_date'])}</td><td>{_e(m['outlet'])}</td>"
                         f"<td>{title}</td><td>{_e(m['snippet'])}</td><td>{_e(spread)}</td></tr>")
        parts.append("</tbody></table>")
    if not grouped:
        parts.append("<p class='empty'>Nessuna menzione nel periodo.</p>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _md_cell(value: Any) -> str:
    text = _day(value) if isinstance(value, (datetime, date)) else str(value or "")
    return text.replace("|", "\\|").replace("\n", " ")


def render_md(data: ReportData) -> str:
    lines = ["# Rassegna stampa", "", f"Date nel fuso orario {data.tz.key}.", "", "## Menzioni", "",
             "| data | entità | testata | titolo | estratto | link |",
             "|---|---|---|---|---|---|"]
    for m in data.mentions:
        lines.append("| " + " | ".join(_md_cell(m[k]) for k in ("article_date", "entity_name", "outlet", "title", "snippet", "url")) + " |")
    lines += ["", "## Copertura dei programmi", "", "| programma | rilievo | data | testata | titolo | link |", "|---|---|---|---|---|---|"]
    for row in data.programme:
        lines.append("| " + " | ".join(_md_cell(row[k]) for k in ("programme", "strength", "article_date", "outlet", "title", "url")) + " |")
    return "\n".join(lines) + "\n"


def _wall_clock(value: Any) -> Any:
    return value.replace(tzinfo=None) if isinstance(value, datetime) else value


def write_report(data: ReportData, fmt: str, out: Path) -> Path:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        out.write_text(render_html(data), "utf-8")
    elif fmt == "md":
        out.write_text(render_md(data), "utf-8")
    elif fmt == "csv":
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows({k: m[k] for k in COLUMNS} for m in data.mentions)
    elif fmt == "xlsx":
        # xlsxwriter, not DuckDB's excel extension: that one is downloaded at run time, which fails offline.
        import xlsxwriter

        with xlsxwriter.Workbook(str(out), {"remove_timezone": True}) as book:
            sheet = book.add_worksheet("Menzioni")
            # Excel has no time zones: the readers' wall-clock time, the zone in the timezone column.
            dates = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
            sheet.write_row(0, 0, COLUMNS)
            for r, m in enumerate(data.mentions, start=1):
                for c, key in enumerate(COLUMNS):
                    value = m[key]
                    if isinstance(value, datetime):
                        sheet.write_datetime(r, c, value, dates)
                    elif isinstance(value, (bool, int)):
                        sheet.write(r, c, value)
                    else:
                        sheet.write_string(r, c, "" if value is None else str(value))
    else:
        # Parquet through DuckDB itself: typed columns, no extra library.
        with duckdb.connect() as con:
            con.execute("CREATE TABLE report (" + ", ".join(f"{c} {_PARQUET_TYPES.get(c, 'VARCHAR')}" for c in COLUMNS) + ")")
            if data.mentions:
                # Parquet's TIMESTAMP has no zone: the readers' wall-clock time, as in xlsx.
                con.executemany(f"INSERT INTO report VALUES ({', '.join('?' for _ in COLUMNS)})",
                                [[_wall_clock(m[k]) for k in COLUMNS] for m in data.mentions])
            con.execute("COPY report TO ? (FORMAT parquet)", [str(out)])
    return out
