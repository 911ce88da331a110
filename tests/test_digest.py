"""The digest e-mail, received by a real SMTP server (aiosmtpd) on 127.0.0.1: MIME parts, links,
highlighted names, one line per story, and exactly-once delivery, including a sender killed for real."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from html import unescape
from pathlib import Path

import duckdb
import pytest
import yaml
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from conftest import ROOT, WATCHLIST, store_articles
from prefect_helpers import free_port
from rassegna.config import ConfigError, load_digest, load_watchlist
from test_stories import HEADLINE, ORIGINAL, REPUBLISHED

NOW = datetime(2025, 9, 26, 12, 0)  # the digest's cut-off; store_articles stores at 10:00 UTC that day
PROGRAMME_URL = "https://uno.example/imprese-vincenti"
PROGRAMME_TEXT = ("Imprese Vincenti, il programma di Intesa Sanpaolo per le piccole e medie imprese, ha portato dodici "
                  "aziende in Silicon Valley con il supporto dell'hub INNOVIT di San Francisco.")
SANTINI_TEXT = ("Santini, il marchio bergamasco dell'abbigliamento per il ciclismo, era tra le aziende della missione "
                "di Imprese Vincenti a San Francisco.")
HOSTILE = "Santini <script>document.title='PWNED'</script> a San Francisco"


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts and can refuse, or kill the sender, on cue."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refuse_rcpt: dict[str, str] = {}   # address -> reply, every time
        self.refuse_once: dict[str, str] = {}   # address -> reply, the first time only
        self.kill_at: tuple[str, str] | None = None  # ("RCPT" | "DATA", address)
        self.kill_pid: int | None = None

    def _kill(self) -> None:
        if self.kill_pid:
            os.kill(self.kill_pid, signal.SIGKILL)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if self.kill_at == ("RCPT", address):
            self._kill()
        if address in self.refuse_once:
            return self.refuse_once.pop(address)
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        if self.kill_at and self.kill_at[0] == "DATA" and self.kill_at[1] in envelope.rcpt_tos:
            self._kill()  # the server has the message; the sender dies before reading the 250
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpt, m in self.messages if address in rcpt]


@pytest.fixture(scope="module")
def smtp():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield mailbox, controller.port
    controller.stop()


@pytest.fixture
def mailbox(smtp):
    smtp[0].reset()
    return smtp[0]


@pytest.fixture(scope="module")
def block(smtp, prefect_harness):
    from prefect_email import EmailServerCredentials

    # What an operator creates once: the server and (here, none) login, kept by Prefect.
    EmailServerCredentials(smtp_server="127.0.0.1", smtp_type="INSECURE", smtp_port=smtp[1]).save(
        "test-smtp", overwrite=True)
    return "test-smtp"


def write_config(folder: Path, recipients: list[dict], **settings) -> Path:
    path = folder / "digest.yaml"
    digest = {"email_block": "test-smtp", "sender": "rassegna@example.org", "allow_private_networks": True,
              "recipients": recipients, **settings}
    path.write_text(yaml.safe_dump({"digest": digest}), "utf-8")
    return path


OFFICE = {"address": "ufficio@example.org", "entities": "all"}
GALDI_DESK = {"address": "galdi.desk@example.org", "entities": ["galdi"], "language": "en"}


@pytest.fixture(scope="module")
def coverage_template(tmp_path_factory) -> Path:
    return build_coverage_db(tmp_path_factory.mktemp("digest") / "template.duckdb")


@pytest.fixture
def coverage_db(coverage_template, tmp_path):
    """A fresh copy of the coverage warehouse for each test (built once: loading costs seconds)."""
    def copy(path: Path) -> Path:
        shutil.copy(coverage_template, path)
        return path
    return copy


def build_coverage_db(path: Path) -> Path:
    """A programme article, and a Galdi release run by three outlets (one story)."""
    watchlist = load_watchlist(WATCHLIST)
    store_articles(path, watchlist, [(PROGRAMME_URL, "Imprese Vincenti in Silicon Valley", PROGRAMME_TEXT,
                                      datetime(2025, 9, 25, 8))], site_name="Quotidiano Uno", run_id="r1")
    store_articles(path, watchlist, [("https://uno.example/galdi", HEADLINE, ORIGINAL, datetime(2025, 9, 17))],
                   site_name="Quotidiano Uno", run_id="r2")
    for i, (slug, copy) in enumerate(list(REPUBLISHED.items())[:2]):
        store_articles(path, watchlist, [(f"https://{slug}.example/galdi", f"Copia {i}", copy, datetime(2025, 9, 18 + i))],
                       site_name=f"Testata {slug}", run_id=f"r3{i}")
    return path


def run_digest(db: Path, config: Path, **kwargs):
    from flows.digest import digest

    return digest(digest_file=config, watchlist_file=WATCHLIST, db=str(db), retry_delay_s=0,
                  now=kwargs.pop("now", NOW), **kwargs)


def parts(message: EmailMessage) -> tuple[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    kinds = [p.get_content_type() for p in message.iter_parts()]
    assert kinds == ["text/plain", "text/html"]  # plain first: clients show the last part they can render
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def sent_mentions(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT r.address, m.article_id, m.entity_id FROM digest_mention m JOIN digest_recipient r"
                           " USING (digest_id, address) WHERE r.status = 'sent' ORDER BY ALL").fetchall()


def test_the_digest_arrives_with_both_parts_one_line_per_story_and_the_names_highlighted(coverage_db, tmp_path, mailbox, block):
    db = coverage_db(tmp_path / "w.duckdb")
    summary = run_digest(db, write_config(tmp_path, [OFFICE, GALDI_DESK]))
    assert summary.statuses == {"galdi.desk@example.org": "sent", "ufficio@example.org": "sent"}

    [office] = mailbox.to("ufficio@example.org")
    text, page = parts(office)
    # Two stories (the programme article and the release), in five lines: Imprese Vincenti and
    # INNOVIT carry both, Galdi the release.
    assert office["Subject"] == "Rassegna stampa, 26/09/2025: 2 notizie (Imprese Vincenti, INNOVIT, Galdi)"
    assert office["From"] == "Rassegna stampa <rassegna@example.org>" and office["Message-ID"]
    # Programmes first, then companies.
    sections = re.findall(r"<h2[^>]*>([^<]+)<", page)
    assert [s.strip() for s in sections] == ["Imprese Vincenti", "INNOVIT", "Galdi"]
    galdi = page.split(">Galdi <")[1]
    # The release on three outlets is one line, linking the original, naming every outlet.
    assert galdi.count("<a href=") == 1 and 'href="https://uno.example/galdi"' in galdi
    assert "ripresa da 3 testate: Quotidiano Uno, Testata " in unescape(galdi)
    assert re.search(r'<span style="background-color:#fff1a8[^"]*">Galdi</span>', galdi)
    assert re.search(r'<span style="background-color:#fff1a8[^"]*">Imprese Vincenti</span>', page.split(">INNOVIT <")[0])
    assert f'href="{PROGRAMME_URL}"' in page
    assert "*Galdi*" in text and "ripresa da 3 testate" in text and "https://uno.example/galdi" in text
    assert text.index("== Imprese Vincenti") < text.index("== Galdi")
    # Mail-client safe: no script, no stylesheet, nothing fetched from elsewhere.
    for forbidden in ("<script", "<style", "<link", "src=", "url(", "@import"):
        assert forbidden not in page

    [desk] = mailbox.to("galdi.desk@example.org")
    desk_text, desk_page = parts(desk)
    assert desk["Subject"].startswith("Press coverage, 26 Sep 2025: 1 story (Galdi)")
    assert "run by 3 outlets" in desk_text and "Imprese Vincenti (programme)" not in desk_text
    assert [s.strip() for s in re.findall(r"<h2[^>]*>([^<]+)<", desk_page)] == ["Galdi"]

    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT address, status, stories, mentions, attempts FROM digests ORDER BY address").fetchall()
    assert rows == [("galdi.desk@example.org", "sent", 1, 3, 1), ("ufficio@example.org", "sent", 2, 11, 1)]

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["digest-summary"])),
                                           limit=1, sort="CREATED_DESC")
    assert summary.digest_id in artifact.data and "| ufficio@example.org | sent | 2 |" in artifact.data


def test_nothing_is_sent_twice_and_only_new_mentions_follow(coverage_db, tmp_path, mailbox, block):
    db = coverage_db(tmp_path / "w.duckdb")
    config = write_config(tmp_path, [OFFICE])
    run_digest(db, config)
    first = sent_mentions(db)
    again = run_digest(db, config, now=datetime(2025, 9, 26, 13, 0))
    assert again.statuses == {} and len(mailbox.messages) == 1  # nothing new: no e-mail

    store_articles(db, load_watchlist(WATCHLIST), [("https://uno.example/santini", "Santini", SANTINI_TEXT,
                                                    datetime(2025, 9, 26, 9))], run_id="r9")
    run_digest(db, config, now=datetime(2025, 9, 26, 14, 0))
    _, page = parts(mailbox.messages[-1][1])
    assert "https://uno.example/santini" in page and "https://uno.example/galdi" not in page
    assert len(sent_mentions(db)) == len(first) + 2  # Santini and the programme named with it
    # Each (recipient, article, entity) at most once among the sent messages.
    assert len(set(sent_mentions(db))) == len(sent_mentions(db))


def test_nothing_new_sends_one_line_only_when_asked(tmp_path, mailbox, block):
    db = tmp_path / "empty.duckdb"
    store_articles(db, load_watchlist(WATCHLIST), [])
    config = write_config(tmp_path, [OFFICE])
    assert run_digest(db, config).statuses == {} and mailbox.messages == []
    run_digest(db, config, send_empty=True)
    [(_, message)] = mailbox.messages
    text, page = parts(message)
    assert message["Subject"].endswith("nessuna nuova menzione") and "Nessuna nuova menzione." in text
    assert "<h2" not in page


def test_a_refused_send_is_retried_and_delivered_once(coverage_db, tmp_path, mailbox, block):
    db = coverage_db(tmp_path / "w.duckdb")
    mailbox.refuse_once["ufficio@example.org"] = "451 4.3.0 Temporary local problem, try again later"
    summary = run_digest(db, write_config(tmp_path, [OFFICE]))
    assert summary.statuses == {"ufficio@example.org": "sent"}
    assert len(mailbox.to("ufficio@example.org")) == 1
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT status, attempts FROM digests").fetchall() == [("sent", 2)]


def test_a_failed_send_is_not_marked_sent_and_its_mentions_go_in_the_next_digest(coverage_db, tmp_path, mailbox, block):
    from flows.digest import DigestNotDelivered

    db = coverage_db(tmp_path / "w.duckdb")
    config = write_config(tmp_path, [OFFICE, GALDI_DESK])
    mailbox.refuse_rcpt["galdi.desk@example.org"] = "550 5.1.1 Mailbox unavailable"
    with pytest.raises(DigestNotDelivered, match="galdi.desk@example.org"):
        run_digest(db, config, retries=1)
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT address, status, attempts, error FROM digests ORDER BY address").fetchall()
    assert rows[0][:3] == ("galdi.desk@example.org", "failed", 2) and "550" in rows[0][3]
    assert rows[1][:2] == ("ufficio@example.org", "sent")
    assert not [m for m in sent_mentions(db) if m[0] == "galdi.desk@example.org"]

    mailbox.reset()
    later = run_digest(db, config, now=datetime(2025, 9, 27, 8, 0))
    assert later.statuses == {"galdi.desk@example.org": "sent"}  # the office had everything already
    [message] = mailbox.to("galdi.desk@example.org")
    assert "https://uno.example/galdi" in parts(message)[1]


def test_an_smtp_server_on_a_private_address_is_refused_unless_allowed(coverage_db, tmp_path, mailbox, block):
    from flows.digest import DigestNotDelivered

    db = coverage_db(tmp_path / "w.duckdb")
    with pytest.raises(DigestNotDelivered):
        run_digest(db, write_config(tmp_path, [OFFICE], allow_private_networks=False), retries=0)
    assert mailbox.messages == []
    with duckdb.connect(str(db), read_only=True) as con:
        assert "non-public address" in con.execute("SELECT error FROM digests").fetchone()[0]


SENDER = textwrap.dedent("""
    import smtplib, sys
    from datetime import datetime
    from rassegna.config import load_digest, load_watchlist
    from rassegna.reporting import digest as dg
    from warehouse.db import connect

    db, config_file, watchlist_file, port = sys.argv[1:5]
    watchlist = load_watchlist(watchlist_file)
    config = load_digest(config_file, watchlist)
    with connect(db) as con:
        dg.resolve_interrupted(con)
        digest_id, planned = dg.plan(con, config, watchlist, dg.recipients_for(config), "daily",
                                     datetime(2025, 9, 26, 12, 0), False)
    for message in planned:
        dg.deliver(db, message, config.digest.sender, lambda: smtplib.SMTP("127.0.0.1", int(port), timeout=10))
    dg.finish(db, digest_id)
""")


@pytest.mark.parametrize("kill_at", [("RCPT", "galdi.desk@example.org"), ("DATA", "ufficio@example.org")],
                         ids=["between-sends", "during-data"])
def test_a_digest_killed_mid_send_does_not_send_twice_on_retry(coverage_db, tmp_path, mailbox, block, smtp, kill_at):
    db = coverage_db(tmp_path / "w.duckdb")
    config = write_config(tmp_path, [OFFICE, GALDI_DESK])
    mailbox.kill_at = kill_at
    sender = subprocess.Popen([sys.executable, "-c", SENDER, str(db), str(config), str(WATCHLIST), str(smtp[1])],
                              cwd=ROOT, stderr=subprocess.PIPE)
    mailbox.kill_pid = sender.pid
    sender.wait(timeout=60)
    assert sender.returncode == -signal.SIGKILL, sender.stderr.read().decode()[-2000:]
    mailbox.kill_at = None
    delivered_before = len(mailbox.messages)

    retry = run_digest(db, config, now=datetime(2025, 9, 26, 12, 30))
    # Every recipient holds exactly one digest, whichever side of the kill it was on.
    assert len(mailbox.to("ufficio@example.org")) == 1 and len(mailbox.to("galdi.desk@example.org")) == 1
    with duckdb.connect(str(db), read_only=True) as con:
        killed = dict(con.execute("SELECT address, status FROM digests WHERE digest_id <> ?", [retry.digest_id]).fetchall())
        statuses = con.execute("SELECT status FROM digest WHERE digest_id <> ?", [retry.digest_id]).fetchall()
    assert statuses == [("interrupted",)]
    if kill_at[0] == "RCPT":
        # Killed before the second message's body: the first was sent, the second never left.
        assert delivered_before == 1 and killed == {"ufficio@example.org": "sent", "galdi.desk@example.org": "superseded"}
        assert retry.statuses == {"galdi.desk@example.org": "sent"} and retry.uncertain_before == []
    else:
        # Killed while the server had the body: it may have arrived (here it did), so it is not sent again.
        assert delivered_before == 1 and killed == {"ufficio@example.org": "uncertain", "galdi.desk@example.org": "superseded"}
        assert retry.statuses == {"galdi.desk@example.org": "sent"}
        assert [address for _, address in retry.uncertain_before] == ["ufficio@example.org"]


def test_bad_digest_config_names_file_entry_and_field(tmp_path):
    watchlist = load_watchlist(WATCHLIST)
    bad = write_config(tmp_path, [OFFICE, {"address": "desk@example.org", "entities": ["santin"]}])
    with pytest.raises(ConfigError) as unknown:
        load_digest(bad, watchlist)
    assert f"{bad}: invalid configuration" in str(unknown.value)
    assert "digest.recipients[1] (desk@example.org).entities: unknown entity id 'santin'" in str(unknown.value)
    bad = write_config(tmp_path, [{"address": "not an address", "entities": "all"}], languge="it")
    with pytest.raises(ConfigError) as wrong:
        load_digest(bad, watchlist)
    assert "digest.recipients[0] (not an address).address" in str(wrong.value)
    assert "digest.languge: Extra inputs are not permitted" in str(wrong.value)
    # The shipped file is valid against the shipped watchlist.
    assert load_digest(ROOT / "config" / "digest.yaml", watchlist).digest.recipients


def test_dry_run_writes_the_html_and_text_and_records_nothing(coverage_db, tmp_path):
    from rassegna.cli import app

    db = coverage_db(tmp_path / "w.duckdb")
    with duckdb.connect(str(db)) as con:  # stored "now", so the dry run's window (the last day) holds them
        con.execute("UPDATE article SET fetched_at = current_timestamp::TIMESTAMP - INTERVAL 1 HOUR")
    out = tmp_path / "preview" / "digest.html"
    result = CliRunner().invoke(app, ["digest", "--dry-run", "--out", str(out), "--to", "a@example.org", "--lang", "en",
                                      "--config", str(write_config(tmp_path, [OFFICE])), "--db", str(db),
                                      "--watchlist", str(WATCHLIST)])
    assert result.exit_code == 0, result.output
    assert "run by 3 outlets" in out.read_text("utf-8") and "*Galdi*" in out.with_suffix(".txt").read_text("utf-8")
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM digest_recipient").fetchone()[0] == 0


def test_page_content_is_escaped(tmp_path):
    from rassegna.reporting.digest import Recipient, compose, render_html, render_text
    from warehouse.db import connect

    db = tmp_path / "h.duckdb"
    store_articles(db, load_watchlist(WATCHLIST), [("javascript:alert(1)", HOSTILE, SANTINI_TEXT, None)])
    with connect(db) as con:
        d = compose(con, Recipient("a@example.org", ("santini",), "it"), "daily", NOW, load_watchlist(WATCHLIST))
    page = render_html(d)
    assert "<script" not in page and "&lt;script&gt;" in page and "javascript:" not in page.split("<body")[1].split("</b>")[0]
    assert HOSTILE in render_text(d)


@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed (.ci/run installs it)")
def test_the_html_renders_in_headless_chromium(coverage_db, tmp_path):
    from rassegna.reporting.digest import Recipient, compose, render_html
    from warehouse.db import connect

    db = coverage_db(tmp_path / "w.duckdb")
    with connect(db) as con:
        d = compose(con, Recipient("a@example.org", None, "it"), "daily", NOW, load_watchlist(WATCHLIST))
    page = tmp_path / "digest.html"
    page.write_text(render_html(d), "utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}"]
    shot = tmp_path / "digest.png"
    dom = subprocess.run(["chromium", *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-1000:]
    assert "ripresa da 3 testate" in dom.stdout and dom.stdout.count("<h2") == 3
    subprocess.run(["chromium", *flags, "--window-size=760,1000", f"--screenshot={shot}", page.as_uri()],
                   capture_output=True, timeout=120, check=True)
    assert shot.stat().st_size > 10_000  # a page was painted, not a blank


def test_prefect_yaml_schedules_the_daily_digest_at_eight_in_rome_and_offers_the_weekly_one():
    deployments = {d["name"]: d for d in yaml.safe_load((ROOT / "prefect.yaml").read_text("utf-8"))["deployments"]}
    daily, weekly = deployments["digest-daily"], deployments["digest-weekly"]
    assert daily["entrypoint"] == weekly["entrypoint"] == "flows/digest.py:digest"
    assert daily["schedules"] == [{"cron": "0 8 * * *", "timezone": "Europe/Rome"}]
    assert weekly["schedules"] == [{"cron": "0 8 * * 1", "timezone": "Europe/Rome", "active": False}]
    assert daily["parameters"]["period"] == "daily" and weekly["parameters"]["period"] == "weekly"


def test_the_digest_command_sends_through_the_flow_and_exits_2_without_its_block(coverage_db, tmp_path, mailbox, block):
    from rassegna.cli import app

    db = coverage_db(tmp_path / "w.duckdb")
    with duckdb.connect(str(db)) as con:  # the command's cut-off is now: store the articles an hour ago
        con.execute("UPDATE article SET fetched_at = current_timestamp::TIMESTAMP - INTERVAL 1 HOUR")
    args = ["--db", str(db), "--watchlist", str(WATCHLIST)]
    sent = CliRunner().invoke(app, ["digest", "--to", "cli@example.org", "--lang", "en",
                                    "--config", str(write_config(tmp_path, [OFFICE])), *args])
    assert sent.exit_code == 0, sent.output
    assert "cli@example.org: sent (2 stories)" in sent.output
    [message] = mailbox.to("cli@example.org")
    assert message["Subject"].startswith("Press coverage") and "run by 3 outlets" in parts(message)[0]
    unconfigured = CliRunner().invoke(app, ["digest", "--config", str(write_config(tmp_path, [OFFICE], email_block="nowhere")),
                                            *args])
    assert unconfigured.exit_code == 2 and "no EmailServerCredentials block named 'nowhere'" in unconfigured.output


def test_a_to_address_that_is_not_one_is_refused_before_anything_is_sent(coverage_db, tmp_path):
    from rassegna.cli import app

    db = coverage_db(tmp_path / "w.duckdb")
    result = CliRunner().invoke(app, ["digest", "--dry-run", "--to", "ufficio stampa", "--db", str(db),
                                      "--config", str(write_config(tmp_path, [OFFICE])), "--watchlist", str(WATCHLIST)])
    assert result.exit_code == 2 and "--to 'ufficio stampa': not an e-mail address" in result.output


def test_a_retried_attempt_after_the_body_was_handed_over_does_not_hand_it_over_again(coverage_db, tmp_path, mailbox, smtp):
    import smtplib

    from rassegna.reporting import digest as dg
    from warehouse.db import connect

    db = coverage_db(tmp_path / "w.duckdb")
    watchlist = load_watchlist(WATCHLIST)
    config = load_digest(write_config(tmp_path, [OFFICE]), watchlist)
    with connect(db) as con:
        _, [planned] = dg.plan(con, config, watchlist, dg.recipients_for(config), "daily", NOW, False)
        # What an attempt leaves when it dies between DATA and recording `sent`.
        con.execute("UPDATE digest_recipient SET status = 'sending'")
    with pytest.raises(dg.DeliveryUncertain):
        dg.deliver(str(db), planned, "rassegna@example.org", lambda: smtplib.SMTP("127.0.0.1", smtp[1], timeout=10))
    assert mailbox.messages == [] and dg.status_of(str(db), planned) == "uncertain"



def test_an_address_given_twice_gets_one_message(tmp_path):
    from rassegna.reporting.digest import recipients_for

    config = load_digest(write_config(tmp_path, [{"address": "desk@example.org", "entities": "all"}]), load_watchlist(WATCHLIST))
    found = recipients_for(config, ["Desk@Example.org", "other@example.org", "desk@example.org"])
    assert [r.address for r in found] == ["Desk@Example.org", "other@example.org"]


def test_a_story_naming_two_companies_counts_once_in_the_header():
    from rassegna.reporting.digest import Digest, Line, Recipient, Section

    def line(story: str, entity: str) -> Line:
        return Line(title="t", url=f"https://x.example/{story}", outlet="x", article_date=None, snippet="s",
                    highlights=[], story_outlets=1, outlet_names=["x"], strength=None,
                    mentions=[(story, entity)], story_id=story)

    sections = [Section("galdi", "Galdi", "company", [line("s1", "galdi"), line("s2", "galdi")]),
                Section("aton", "Aton", "company", [line("s1", "aton")])]
    digest = Digest(Recipient("a@example.org", None, "it"), "daily", datetime(2025, 9, 1), datetime(2025, 9, 2),
                    sections, ["Galdi", "Aton"])
    assert digest.stories == 2 and len(digest.mentions) == 3
