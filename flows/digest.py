"""The digest e-mail run: what was stored since each recipient's previous digest, sent once.

Read the digest settings and the watchlist -> load the SMTP credentials block -> under the
digest lock: close what a killed digest left open, compose and record every message as
pending, send each (retried on failure), close the digest. The bookkeeping that makes the
sending exactly-once lives in rassegna/reporting/digest.py.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect_email import EmailServerCredentials

from flows.stages import retry_unless
from rassegna.config import DEFAULT_DB, ConfigError, DEFAULT_DIGEST, DEFAULT_WATCHLIST, DigestConfig, Watchlist, load_digest, load_watchlist
from rassegna.netguard import check_host
from rassegna.reporting import digest as digests
from warehouse.db import DatabaseBusy, connect
from warehouse.load import utcnow
from warehouse.lock import writer_lock

# Seconds a connection to the SMTP server may stay silent before the attempt counts as failed.
SMTP_TIMEOUT_S = 60.0


@dataclass
class DigestSummary:
    digest_id: str | None
    period: str
    # address -> sent, failed or uncertain; empty when nothing was new and nothing was sent
    statuses: dict[str, str] = field(default_factory=dict)
    stories: dict[str, int] = field(default_factory=dict)
    # messages a killed earlier digest may or may not have delivered (not sent again)
    uncertain_before: list[tuple[str, str]] = field(default_factory=list)

    @property
    def failed(self) -> list[str]:
        return [a for a, s in self.statuses.items() if s != "sent"]


class DigestNotDelivered(RuntimeError):
    """Some recipient did not get the digest; its mentions stay due for the next one."""

    def __init__(self, summary: DigestSummary) -> None:
        super().__init__("digest not delivered to " + ", ".join(f"{a} ({summary.statuses[a]})" for a in summary.failed))
        self.summary = summary


@task(name="read-digest-config", cache_policy=NO_CACHE)
def read_digest_config(digest_file: Path, watchlist_file: Path) -> tuple[DigestConfig, Watchlist]:
    watchlist = load_watchlist(watchlist_file)
    return load_digest(digest_file, watchlist), watchlist


@task(name="load-smtp-block", retries=2, retry_delay_seconds=5, retry_condition_fn=retry_unless(ConfigError),
      cache_policy=NO_CACHE)
def load_smtp_block(name: str) -> EmailServerCredentials:
    try:
        return EmailServerCredentials.load(name)
    except ValueError as exc:  # Prefect's "Unable to find block document named ..."
        raise ConfigError(f"no EmailServerCredentials block named {name!r} on the Prefect server ({exc}); create it"
                          " as the README says (\"The digest e-mail and feeds\")") from None


@task(name="close-interrupted-digests", retries=3, retry_delay_seconds=2,
      retry_condition_fn=retry_unless(DatabaseBusy), cache_policy=NO_CACHE)
def close_interrupted(db: str) -> list[tuple[str, str]]:
    with connect(db) as con:
        return digests.resolve_interrupted(con)


@task(name="plan-digest", retries=3, retry_delay_seconds=2, retry_condition_fn=retry_unless(DatabaseBusy),
      cache_policy=NO_CACHE)
def plan_digest(db: str, config: DigestConfig, watchlist: Watchlist, recipients: list[digests.Recipient],
                period: str, now: datetime, send_empty: bool) -> tuple[str, list[digests.Planned]]:
    with connect(db, migrated=True) as con:
        return digests.plan(con, config, watchlist, recipients, period, now, send_empty,
                            str(flow_run.id or "") or None)


def smtp_opener(credentials: EmailServerCredentials, allow_private: bool):
    """Connect and log in with the block's settings, as its get_server() does, but with a
    timeout from the first byte (a server that stalls in the handshake would hold the digest
    lock for ever) and the private-address guard on the host and on the address connected to
    (a name that resolves anew between the check and the connection)."""
    host = str(getattr(credentials.smtp_server, "value", credentials.smtp_server))
    kind = credentials.smtp_type.name  # SSL, STARTTLS or INSECURE
    port = credentials.smtp_port or credentials.smtp_type.value

    def open_smtp() -> smtplib.SMTP:
        check_host(host, allow_private)
        context = ssl.create_default_context()
        if not credentials.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if kind == "SSL":
            server: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT_S, context=context)
        else:
            server = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT_S)
        try:
            check_host(server.sock.getpeername()[0], allow_private)
            if kind == "STARTTLS":
                server.starttls(context=context)
            if credentials.username:
                server.login(credentials.username, credentials.password.get_secret_value())
        except BaseException:
            server.close()
            raise
        return server

    return open_smtp


@task(name="send-digest-message", retries=3, retry_delay_seconds=60,
      retry_condition_fn=retry_unless(digests.DeliveryUncertain), cache_policy=NO_CACHE)
def send_message(db: str, planned: digests.Planned, sender: str, credentials: EmailServerCredentials,
                 allow_private: bool) -> None:
    digests.deliver(db, planned, sender, smtp_opener(credentials, allow_private))


@task(name="finish-digest", retries=3, retry_delay_seconds=2, cache_policy=NO_CACHE)
def finish_digest(db: str, digest_id: str) -> dict[str, str]:
    return digests.finish(db, digest_id)


@task(name="publish-digest-summary", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def publish_summary(summary: DigestSummary) -> None:
    create_markdown_artifact(
        markdown=digests.summary_markdown(summary.digest_id or "", summary.period, summary.statuses, summary.stories,
                                          summary.uncertain_before),
        key="digest-summary", description="What this digest sent, to whom",
    )


@flow(name="digest")
def digest(
    period: Literal["daily", "weekly"] = "daily",
    digest_file: Path = DEFAULT_DIGEST,
    watchlist_file: Path = DEFAULT_WATCHLIST,
    db: str = str(DEFAULT_DB),
    to: list[str] | None = None,
    language: Literal["it", "en"] | None = None,
    send_empty: bool | None = None,
    retries: int = 3,
    retry_delay_s: float = 60.0,
    now: datetime | None = None,
) -> DigestSummary:
    """Send each recipient the mentions stored since their previous digest (config: digest_file).

    `to` sends to these addresses instead (every entity); `send_empty` overrides the config's
    choice of a one-line message when nothing is new; `now` (UTC) is the digest's cut-off.
    """
    logger = get_run_logger()
    config, watchlist = read_digest_config(digest_file, watchlist_file)
    settings = config.digest
    credentials = load_smtp_block(settings.email_block)
    recipients = digests.recipients_for(config, to, language)
    send = send_message.with_options(retries=retries, retry_delay_seconds=retry_delay_s)
    # Two digests at once could each find the other's message `sending` and call it interrupted.
    with writer_lock(f"{db}.digest", timeout=120):
        uncertain = close_interrupted(db)
        for digest_id, address in uncertain:
            logger.warning("digest %s to %s was interrupted while sending: it may have arrived; not sent again",
                           digest_id, address)
        digest_id, planned = plan_digest(db, config, watchlist, recipients, period, now or utcnow(),
                                         settings.send_empty if send_empty is None else send_empty)
        for message in planned:
            state = send(db, message, settings.sender, credentials, settings.allow_private_networks, return_state=True)
            if state.is_failed():
                logger.error("digest to %s not delivered: %s", message.address, state.message)
        statuses = finish_digest(db, digest_id)
    summary = DigestSummary(digest_id, period, statuses, {p.address: p.stories for p in planned}, uncertain)
    publish_summary(summary)
    logger.info("digest %s: %s", digest_id, ", ".join(f"{a} {s}" for a, s in statuses.items()) or "nothing new")
    if summary.failed:
        raise DigestNotDelivered(summary)
    return summary
