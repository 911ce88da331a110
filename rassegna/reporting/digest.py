"""The digest e-mail: what was stored since a recipient's previous digest, one line per story.

A recipient follows some entities (config/digest.yaml). Their digest carries every accepted
mention of those entities in articles stored in their window that they were not sent before:
programmes first, then each company, each section newest first; a release run by several
outlets is one line ("ripresa da N testate") with the headline linked, the outlet, the date and
the sentence with the name highlighted. The message has a plain-text part and an HTML part
that mail clients render (inline styles, table layout, no script, no external image or font).

Exactly once, per recipient and mention (article, entity). Each message's state is committed
before the SMTP step it describes (warehouse/migrations/009_digests.sql):
  pending  -> planned with the mentions it carries; a process killed now never sent it;
  sending  -> written after the server accepted MAIL and RCPT, just before the body (DATA);
  sent     -> the server answered 250 to the body;
  failed   -> the server refused, or could not be reached: retried, and its mentions stay due;
  uncertain-> a later digest found it `sending`: the process died while the server had the
              body, so it may have been delivered; it is not sent again (no duplicate), and
              its mentions count as delivered. The digest's summary names it.
"""

from __future__ import annotations

import hashlib
import re
import smtplib
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formataddr, format_datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from rassegna.config import ADDRESS_PATTERN, ConfigError, DigestConfig, Watchlist
from rassegna.netguard import BlockedAddress
from rassegna.reporting.report import _e, _safe_url
from warehouse.db import connect
from warehouse.load import transaction, utcnow

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
# A monitor run may commit a batch fetched before the previous digest's cut-off after that
# digest ran: the window reaches back this far before the previous cut-off, and what was
# already sent is excluded by the bookkeeping, not by the window.
GRACE = timedelta(hours=6)
ROME = ZoneInfo("Europe/Rome")
# CRLF line ends, as SMTP wants (smtplib sends bytes as they are); a subject folded only past
# SMTP's own line limit, since some clients show the fold of a short subject as a leading space.
SMTP_POLICY = SMTP.clone(max_line_length=998)

TEXTS = {
    "it": {
        "title": "Rassegna stampa", "weekly_title": "Rassegna stampa settimanale",
        "programme": "Programma", "company": "Azienda",
        "spread": "ripresa da {n} testate", "stories": ("notizia", "notizie"), "mentions": ("menzione", "menzioni"),
        "nothing": "Nessuna nuova menzione.", "subject_nothing": "nessuna nuova menzione",
        "strength": {"headline": "nel titolo", "lead": "in apertura", "body": "nel testo", "passing": "citazione"},
        "window": "articoli raccolti dal {since} al {until}",
        "footer": "Inviato da Rassegna a {address}, che segue: {entities}.",
        "all": "tutte le aziende e i programmi",
        "days": ["lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato", "domenica"],
    },
    "en": {
        "title": "Press coverage", "weekly_title": "Weekly press coverage",
        "programme": "Programme", "company": "Company",
        "spread": "run by {n} outlets", "stories": ("story", "stories"), "mentions": ("mention", "mentions"),
        "nothing": "No new mentions.", "subject_nothing": "no new mentions",
        "strength": {"headline": "in the headline", "lead": "in the lead", "body": "in the text", "passing": "in passing"},
        "window": "articles collected from {since} to {until}",
        "footer": "Sent by Rassegna to {address}, who follows: {entities}.",
        "all": "every company and programme",
        "days": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    },
}

# Mail clients drop <style> blocks and external CSS: every style is inline. Web-safe fonts only.
_FONT = "font-family:Arial,Helvetica,sans-serif"
_MARK = "background-color:#fff1a8;font-weight:bold;color:#111"
_ACCENT = "#1f5f8b"


class DeliveryFailed(RuntimeError):
    """The SMTP server refused the message or could not be reached; the send may be retried."""


class DeliveryUncertain(RuntimeError):
    """The connection broke while the server had the message body: it is not sent again."""


@dataclass(frozen=True)
class Recipient:
    address: str
    entities: tuple[str, ...] | None  # None: every entity
    language: str


@dataclass
class Line:
    """One story in one entity's section."""

    title: str
    url: str
    outlet: str
    article_date: datetime | None
    snippet: str
    highlights: list[str]
    story_outlets: int
    outlet_names: list[str]
    strength: str | None
    mentions: list[tuple[str, str]] = field(default_factory=list)  # (article_id, entity_id)
    latest: datetime | None = None  # the story's newest article in this digest: lines are sorted by it
    story_id: str = ""


@dataclass
class Section:
    entity_id: str
    entity_name: str
    kind: str
    lines: list[Line]


@dataclass
class Digest:
    recipient: Recipient
    period: str
    since: datetime
    until: datetime
    sections: list[Section]
    followed: list[str]  # names of the entities the recipient follows, for the footer

    @property
    def mentions(self) -> list[tuple[str, str]]:
        return [m for s in self.sections for line in s.lines for m in line.mentions]

    @property
    def stories(self) -> int:
        """Distinct stories: one naming two companies is a line in each section, one story here."""
        return len({line.story_id or line.url for s in self.sections for line in s.lines})


@dataclass
class Planned:
    """A message recorded as `pending`, ready to be handed to the SMTP server."""

    digest_id: str
    address: str
    subject: str
    message: bytes
    stories: int
    mentions: int


def recipients_for(config: DigestConfig, to: list[str] | None = None, language: str | None = None) -> list[Recipient]:
    """The config's recipients, or the `--to` addresses (following every entity)."""
    settings = config.digest
    if to:
        for address in to:
            if not re.match(ADDRESS_PATTERN, address):
                raise ConfigError(f"--to {address!r}: not an e-mail address (name@domain)")
        # One message per address, however often or in whatever case it was given.
        unique: dict[str, str] = {}
        for address in to:
            unique.setdefault(address.lower(), address)
        return [Recipient(a, None, language or settings.language) for a in unique.values()]
    return [
        Recipient(r.address, None if r.entities == "all" else tuple(r.entities), language or r.language or settings.language)
        for r in settings.recipients
    ]


def _query(name: str) -> str:
    return (resources.files("warehouse") / "reports" / f"{name}.sql").read_text("utf-8")


def window_start(con: duckdb.DuckDBPyConnection, address: str, period: str, now: datetime) -> datetime:
    """Where a recipient's window opens: their previous delivered digest's cut-off, or one period ago."""
    previous = con.execute(
        "SELECT max(d.until) FROM digest d JOIN digest_recipient r USING (digest_id)"
        " WHERE r.address = ? AND r.status IN ('sent', 'uncertain')", [address]
    ).fetchone()[0]
    start = now - PERIODS[period]
    return min(previous, start) - GRACE if previous else start - GRACE


def compose(con: duckdb.DuckDBPyConnection, recipient: Recipient, period: str, now: datetime,
            watchlist: Watchlist) -> Digest:
    since = window_start(con, recipient.address, period, now)
    con.execute("SET VARIABLE digest_since = ?", [since])
    con.execute("SET VARIABLE digest_until = ?", [now])
    con.execute("SET VARIABLE digest_address = ?", [recipient.address])
    con.execute("SET VARIABLE digest_entities = ?::VARCHAR[]",
                [list(recipient.entities) if recipient.entities is not None else None])
    cursor = con.execute(_query("digest_candidates"))
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    followed = [e.name for e in watchlist.entities if recipient.entities is None or e.id in recipient.entities]
    return Digest(recipient, period, since, now, _sections(rows), followed)


def _sections(rows: list[dict[str, Any]]) -> list[Section]:
    """Group rows (sorted: programmes, then companies, by name, newest first) into one line per story."""
    sections: dict[str, Section] = {}
    stories: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        sections.setdefault(row["entity_id"], Section(row["entity_id"], row["entity_name"], row["entity_kind"], []))
        stories.setdefault((row["entity_id"], row["story_id"]), []).append(row)
    for (entity_id, _), group in stories.items():
        # The headline is the story's earliest article in this digest: usually the original release.
        first = min(group, key=lambda r: (r["article_date"] or datetime.max, r["outlet"], r["article_id"]))
        sections[entity_id].lines.append(Line(
            title=first["title"] or first["url"], url=first["url"], outlet=first["outlet"],
            article_date=first["article_date"],
            latest=max((r["article_date"] for r in group if r["article_date"]), default=None),
            snippet=first["snippet"] or "", highlights=sorted(set(first["matched_texts"] or []), key=len, reverse=True),
            story_outlets=max(first["story_outlets"] or 1, len({r["outlet"] for r in group})),
            outlet_names=sorted(set(first["story_outlet_names"] or []) | {r["outlet"] for r in group}),
            strength=first["strength"], mentions=[(r["article_id"], r["entity_id"]) for r in group],
            story_id=first["story_id"] or "",
        ))
    for section in sections.values():
        section.lines.sort(key=lambda line: line.latest or datetime.min, reverse=True)
    return list(sections.values())


# --- rendering ---------------------------------------------------------------------------------

def _local(value: datetime) -> datetime:
    return value.replace(tzinfo=ZoneInfo("UTC")).astimezone(ROME)


def _day(value: datetime | date | None, language: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _local(value)
    return value.strftime("%d/%m/%Y") if language == "it" else value.strftime("%d %b %Y")


def _count(n: int, forms: tuple[str, str]) -> str:
    return f"{n} {forms[0] if n == 1 else forms[1]}"


def _pieces(snippet: str, highlights: list[str]) -> Iterator[tuple[str, bool]]:
    """The sentence cut into (text, is_the_name) pieces; every form of the name is marked."""
    forms = [" ".join(h.split()) for h in highlights if h and h.strip()]
    pos = 0
    while pos < len(snippet):
        hits = [(snippet.find(f, pos), f) for f in forms]
        hits = [(i, f) for i, f in hits if i >= 0]
        if not hits:
            break
        start, form = min(hits, key=lambda h: (h[0], -len(h[1])))
        if start > pos:
            yield snippet[pos:start], False
        yield form, True
        pos = start + len(form)
    if pos < len(snippet):
        yield snippet[pos:], False


def subject(d: Digest) -> str:
    t = TEXTS[d.recipient.language]
    title = t["weekly_title"] if d.period == "weekly" else t["title"]
    day = _day(d.until, d.recipient.language)
    if not d.sections:
        return f"{title}, {day}: {t['subject_nothing']}"
    names = ", ".join(s.entity_name for s in d.sections[:4]) + (", …" if len(d.sections) > 4 else "")
    return f"{title}, {day}: {_count(d.stories, t['stories'])} ({names})"


def _heading(d: Digest) -> tuple[str, str]:
    t = TEXTS[d.recipient.language]
    local = _local(d.until)
    weekday = t["days"][local.weekday()]
    title = t["weekly_title"] if d.period == "weekly" else t["title"]
    window = t["window"].format(since=_day(d.since, d.recipient.language), until=_day(d.until, d.recipient.language))
    counts = f"{_count(d.stories, t['stories'])}, {_count(len(d.mentions), t['mentions'])} · {window}"
    return f"{title} · {weekday} {_day(d.until, d.recipient.language)}", counts


def _meta(line: Line, section: Section, language: str) -> str:
    t = TEXTS[language]
    parts = [line.outlet, _day(line.article_date, language)]
    if section.kind == "programme" and line.strength:
        parts.append(t["strength"].get(line.strength, line.strength))
    if line.story_outlets > 1:
        parts.append(t["spread"].format(n=line.story_outlets) + ": " + ", ".join(line.outlet_names))
    return " · ".join(p for p in parts if p)


def _footer(d: Digest) -> str:
    t = TEXTS[d.recipient.language]
    followed = t["all"] if d.recipient.entities is None else ", ".join(d.followed)
    return t["footer"].format(address=d.recipient.address, entities=followed)


def render_text(d: Digest) -> str:
    t = TEXTS[d.recipient.language]
    heading, counts = _heading(d)
    if not d.sections:
        return f"{heading}\n\n{t['nothing']}\n"
    out = [heading, counts, ""]
    for section in d.sections:
        out += [f"== {section.entity_name} ({t[section.kind].lower()}) ==", ""]
        for line in section.lines:
            sentence = "".join(f"*{text}*" if marked else text for text, marked in _pieces(line.snippet, line.highlights))
            out += [f"- {line.title}", f"  {_meta(line, section, d.recipient.language)}",
                    f"  «{sentence}»", f"  {line.url}", ""]
    out += ["--", _footer(d)]
    return "\n".join(out) + "\n"


def render_html(d: Digest) -> str:
    t = TEXTS[d.recipient.language]
    heading, counts = _heading(d)
    rows = [
        f"<tr><td style=\"padding:20px 24px 14px;border-bottom:3px solid {_ACCENT}\">"
        f"<h1 style=\"margin:0;font-size:20px;line-height:1.3;color:#111;{_FONT}\">{_e(heading)}</h1>"
        f"<p style=\"margin:6px 0 0;font-size:13px;color:#666;{_FONT}\">"
        f"{_e(counts) if d.sections else _e(t['nothing'])}</p></td></tr>"
    ]
    for section in d.sections:
        items = []
        for line in section.lines:
            link = _safe_url(line.url)
            title = (f"<a href=\"{_e(link)}\" style=\"color:{_ACCENT};font-weight:bold;text-decoration:none\">"
                     f"{_e(line.title)}</a>" if link else f"<b>{_e(line.title)}</b>")
            sentence = "".join(f"<span style=\"{_MARK}\">{_e(text)}</span>" if marked else _e(text)
                               for text, marked in _pieces(line.snippet, line.highlights))
            items.append(
                f"<p style=\"margin:0 0 16px;font-size:14px;line-height:1.45;color:#222;{_FONT}\">{title}<br>"
                f"<span style=\"font-size:12px;color:#666\">{_e(_meta(line, section, d.recipient.language))}</span><br>"
                f"<span style=\"color:#333\">{sentence}</span></p>"
            )
        rows.append(
            f"<tr><td style=\"padding:16px 24px 2px\">"
            f"<h2 style=\"margin:0 0 10px;font-size:16px;color:{_ACCENT};{_FONT}\">{_e(section.entity_name)}"
            f" <span style=\"font-weight:normal;font-size:12px;color:#888\">{_e(t[section.kind])}"
            f" · {_count(len(section.lines), t['stories'])}</span></h2>{''.join(items)}</td></tr>"
        )
    rows.append(f"<tr><td style=\"padding:12px 24px 18px;border-top:1px solid #eee;font-size:11px;color:#888;{_FONT}\">"
                f"{_e(_footer(d))}</td></tr>")
    return (
        f"<!doctype html><html lang=\"{d.recipient.language}\"><head><meta charset=\"utf-8\">"
        f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{_e(subject(d))}</title></head>"
        f"<body style=\"margin:0;padding:0;background-color:#f2f2f2\">"
        f"<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\""
        f" style=\"background-color:#f2f2f2\"><tr><td align=\"center\" style=\"padding:16px 8px\">"
        f"<table role=\"presentation\" width=\"680\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\""
        f" style=\"width:100%;max-width:680px;background-color:#ffffff;border-collapse:collapse\">"
        + "".join(rows) + "</table></td></tr></table></body></html>"
    )


def build_message(d: Digest, sender: str, sender_name: str, message_id: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject(d)
    message["From"] = formataddr((sender_name, sender))
    message["To"] = d.recipient.address
    message["Date"] = format_datetime(_local(d.until))
    message["Message-ID"] = message_id
    message["Content-Language"] = d.recipient.language
    message.set_content(render_text(d))  # text/plain first: clients show the last part they can render
    message.add_alternative(render_html(d), subtype="html")
    return message


# --- bookkeeping ---------------------------------------------------------------------------------

@contextmanager
def _db(database: str) -> Iterator[duckdb.DuckDBPyConnection]:
    with connect(database, migrated=True) as con:
        yield con


def resolve_interrupted(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """Close what a killed digest left open; returns the (digest_id, address) now `uncertain`.

    Call it only while holding the digest lock: then nothing else is sending.
    """
    now = utcnow()
    with transaction(con):
        uncertain = con.execute(
            "UPDATE digest_recipient SET status = 'uncertain', updated_at = ?,"
            " error = 'the sending process ended while the server had the message; not sent again'"
            " WHERE status = 'sending' RETURNING digest_id, address", [now]
        ).fetchall()
        con.execute("UPDATE digest_recipient SET status = 'superseded', updated_at = ? WHERE status = 'pending'", [now])
        con.execute("UPDATE digest SET status = 'interrupted' WHERE status = 'sending'")
    return sorted(uncertain)


def new_digest_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def plan(con: duckdb.DuckDBPyConnection, config: DigestConfig, watchlist: Watchlist, recipients: list[Recipient],
         period: str, now: datetime, send_empty: bool, flow_run_id: str | None = None) -> tuple[str, list[Planned]]:
    """Compose every recipient's message and record them `pending`, in one transaction."""
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}, not {period!r}")
    digest_id = new_digest_id(now)
    digests = [compose(con, r, period, now, watchlist) for r in recipients]
    due = [d for d in digests if d.sections or send_empty]
    planned = []
    with transaction(con):
        con.execute("INSERT INTO digest VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                    [digest_id, period, min(d.since for d in digests), now, utcnow(), flow_run_id,
                     "sending" if due else "nothing-new"])
        for d in due:
            domain = config.digest.sender.rsplit("@", 1)[1]
            token = hashlib.sha1(d.recipient.address.lower().encode()).hexdigest()[:10]
            message_id = f"<{digest_id}.{token}@{domain}>"
            message = build_message(d, config.digest.sender, config.digest.sender_name, message_id)
            con.execute(
                "INSERT INTO digest_recipient (digest_id, address, language, subject, message_id, stories, status,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)",
                [digest_id, d.recipient.address, d.recipient.language, message["Subject"], message_id, d.stories, utcnow()],
            )
            if d.mentions:
                con.executemany("INSERT INTO digest_mention VALUES (?, ?, ?, ?)",
                                [[digest_id, d.recipient.address, a, e] for a, e in d.mentions])
            planned.append(Planned(digest_id, d.recipient.address, message["Subject"], message.as_bytes(policy=SMTP_POLICY),
                                   d.stories, len(d.mentions)))
    return digest_id, planned


def _set(database: str, p: Planned, status: str, error: str | None = None, attempt: bool = False) -> None:
    with _db(database) as con:
        con.execute(
            "UPDATE digest_recipient SET status = ?, error = ?, updated_at = ?,"
            " attempts = attempts + ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END"
            " WHERE digest_id = ? AND address = ?",
            [status, error, utcnow(), int(attempt), status, utcnow(), p.digest_id, p.address],
        )


def status_of(database: str, p: Planned) -> str:
    with _db(database) as con:
        return con.execute("SELECT status FROM digest_recipient WHERE digest_id = ? AND address = ?",
                           [p.digest_id, p.address]).fetchone()[0]


def deliver(database: str, p: Planned, sender: str, open_smtp: Callable[[], smtplib.SMTP]) -> None:
    """One delivery attempt of a planned message, each state committed before its SMTP step."""
    current = status_of(database, p)
    if current in ("sent", "uncertain"):
        return  # a retried task whose earlier attempt got this far
    if current == "sending":
        # An earlier attempt in this process stopped after handing over the body (e.g. recording
        # `sent` failed): the server may have it, so it is not handed over again.
        _set(database, p, "uncertain", "an earlier attempt ended while the server had the message; not sent again")
        raise DeliveryUncertain(f"{p.address}: an earlier attempt may have delivered it; not sent again")
    _set(database, p, "pending", attempt=True)
    try:
        server = open_smtp()
    except (OSError, smtplib.SMTPException, BlockedAddress) as exc:
        _set(database, p, "failed", f"cannot reach the SMTP server: {type(exc).__name__}: {exc}")
        raise DeliveryFailed(f"{p.address}: cannot reach the SMTP server: {exc}") from exc
    try:
        try:
            server.ehlo_or_helo_if_needed()
            for step, reply in (("MAIL FROM", server.mail(sender)), ("RCPT TO", server.rcpt(p.address))):
                if reply[0] not in (250, 251):
                    raise smtplib.SMTPResponseException(reply[0], f"{step}: {reply[1].decode('utf-8', 'replace')}")
        except (OSError, smtplib.SMTPException) as exc:
            _set(database, p, "failed", f"{type(exc).__name__}: {exc}")
            raise DeliveryFailed(f"{p.address}: {exc}") from exc
        _set(database, p, "sending")
        try:
            code, reply = server.data(p.message)
            # smtplib raises on a refused DATA command, but returns the reply to the message itself.
            if code != 250:
                raise smtplib.SMTPDataError(code, reply)
        except smtplib.SMTPResponseException as exc:  # the server answered, and said no
            _set(database, p, "failed", f"DATA: {exc.smtp_code} {exc.smtp_error!r}")
            raise DeliveryFailed(f"{p.address}: DATA refused: {exc.smtp_code} {exc.smtp_error!r}") from exc
        except (OSError, smtplib.SMTPException) as exc:  # no answer: the server may have taken it
            _set(database, p, "uncertain", f"connection lost during DATA: {type(exc).__name__}: {exc}")
            raise DeliveryUncertain(f"{p.address}: connection lost while sending the message: {exc}") from exc
        _set(database, p, "sent")
    finally:
        try:
            server.quit()
        except (OSError, smtplib.SMTPException):
            server.close()


def finish(database: str, digest_id: str) -> dict[str, str]:
    """Close the digest: `sent` when every message went out, else `failed`; returns address -> status."""
    with _db(database) as con:
        statuses = dict(con.execute("SELECT address, status FROM digest_recipient WHERE digest_id = ? ORDER BY address",
                                    [digest_id]).fetchall())
        overall = "sent" if all(s == "sent" for s in statuses.values()) else "failed"
        if not statuses:
            overall = "nothing-new"
        con.execute("UPDATE digest SET status = ?, finished_at = ? WHERE digest_id = ?", [overall, utcnow(), digest_id])
    return statuses


def preview(con: duckdb.DuckDBPyConnection, watchlist: Watchlist, recipients: list[Recipient], period: str,
            now: datetime, out: Path | None) -> list[tuple[Digest, list[Path]]]:
    """Compose without sending or recording (`--dry-run`); with `out`, write each message's HTML
    (and its plain text beside it, .txt): `out` itself for one recipient, `out` plus the address for several."""
    result = []
    for r in recipients:
        d = compose(con, r, period, now, watchlist)
        paths: list[Path] = []
        if out is not None:
            target = out if len(recipients) == 1 else out.with_name(
                f"{out.stem}.{re.sub(r'[^A-Za-z0-9._-]+', '_', r.address)}{out.suffix}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(render_html(d), "utf-8")
            target.with_suffix(".txt").write_text(render_text(d), "utf-8")
            paths = [target, target.with_suffix(".txt")]
        result.append((d, paths))
    return result


def summary_markdown(digest_id: str, period: str, statuses: dict[str, str], stories: dict[str, int],
                     uncertain_before: list[tuple[str, str]]) -> str:
    """What a digest run did, for its Prefect artifact."""
    lines = [f"# Digest {digest_id} ({period})", ""]
    if not statuses:
        lines.append("Nothing new: no message sent.")
    else:
        lines += ["| recipient | status | stories |", "|---|---|---|"]
        lines += [f"| {address} | {status} | {stories.get(address, 0)} |" for address, status in statuses.items()]
    for earlier, address in uncertain_before:
        lines.append(f"\nDigest {earlier} to {address} was interrupted while sending: it may have arrived; not sent again.")
    return "\n".join(lines) + "\n"
