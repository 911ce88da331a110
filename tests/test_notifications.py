"""New mentions are sent through a Prefect notification block when one is named (off by default)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from conftest import WATCHLIST, write_sources

pytestmark = pytest.mark.usefixtures("prefect_harness")


class Receiver(BaseHTTPRequestHandler):
    received: list[dict] = []

    def log_message(self, *args: object) -> None:
        return

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length", 0))
        Receiver.received.append(json.loads(self.rfile.read(length)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_new_mentions_reach_the_named_webhook_block_and_nothing_is_sent_without_one(sites, tmp_path):
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    from flows.monitor import monitor

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        CustomWebhookNotificationBlock(
            name="test-alerts", url=f"http://127.0.0.1:{server.server_address[1]}/hook",
            json_data={"subject": "{{subject}}", "text": "{{body}}"},
        ).save("test-alerts", overwrite=True)
        sources = write_sources(sites, tmp_path)
        quiet = monitor(sources_file=sources, watchlist_file=WATCHLIST, db=str(tmp_path / "a.duckdb"))
        assert quiet.mentions_new > 0 and Receiver.received == []  # off by default

        summary = monitor(sources_file=sources, watchlist_file=WATCHLIST, db=str(tmp_path / "b.duckdb"),
                          notify_block="custom-webhook/test-alerts")
    finally:
        server.shutdown()
    assert len(Receiver.received) == 1
    message = Receiver.received[0]
    assert str(summary.mentions_new) in message["subject"]
    assert summary.run_id in message["text"] and "Galdi" in message["text"] and "http://127.0.0.1:" in message["text"]
