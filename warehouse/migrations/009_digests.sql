-- Digest e-mails and their exactly-once bookkeeping (issue 15). A digest is one
-- `rassegna digest` (or scheduled flow) run; each recipient gets its own message,
-- whose state moves pending -> sending -> sent | failed, each step committed before
-- the next SMTP step: `sending` is written just before the message body (DATA) goes
-- to the server, so a process killed before DATA leaves `pending` (safe to send
-- again) and one killed during DATA leaves `sending` (the server may have it: the
-- next run marks it `uncertain` and does not send it again).

CREATE TABLE digest (
    digest_id    VARCHAR PRIMARY KEY,
    period       VARCHAR NOT NULL,
    since        TIMESTAMP NOT NULL,
    until        TIMESTAMP NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    flow_run_id  VARCHAR,
    status       VARCHAR NOT NULL,
    finished_at  TIMESTAMP
);

CREATE TABLE digest_recipient (
    digest_id     VARCHAR NOT NULL,
    address       VARCHAR NOT NULL,
    language      VARCHAR NOT NULL,
    subject       VARCHAR NOT NULL,
    message_id    VARCHAR NOT NULL,
    stories       INTEGER NOT NULL,
    status        VARCHAR NOT NULL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    error         VARCHAR,
    updated_at    TIMESTAMP NOT NULL,
    sent_at       TIMESTAMP,
    PRIMARY KEY (digest_id, address)
);

CREATE TABLE digest_mention (
    digest_id   VARCHAR NOT NULL,
    address     VARCHAR NOT NULL,
    article_id  VARCHAR NOT NULL,
    entity_id   VARCHAR NOT NULL,
    PRIMARY KEY (digest_id, address, article_id, entity_id)
);
