-- PrePrompt Credits schema, version 1, PostgreSQL.
--
-- Placeholders (Flyway syntax): ${credits_schema} is the schema holding the tables and
-- ${credits_prefix} the prefix of every table, constraint and index name. The installer
-- (io.preprompt.credits.jdbc.SchemaInstaller) substitutes them from JdbcStoreConfig; a host running
-- Flyway sets them as placeholders (for example credits_schema=public, credits_prefix=credits_).
--
-- Instants are stored as exact epoch seconds with nine decimals (NUMERIC(26,9)), so every
-- java.time.Instant round-trips to the nanosecond; to_timestamp(column) reads them as timestamps.
-- Metadata maps and hold allocations are text in the adapter's escaped line encoding (see
-- io.preprompt.credits.jdbc.Codec).
--
-- An account is a row of counters and plan, a row per lot and a row per hold. A call reads the
-- account row, its live lots (credits remaining or reserved) and the holds it names or finds
-- overdue, and writes only the rows it touched: the account row (guarded by its version), the
-- lots and holds it created or changed, its ledger entries and its idempotency record. A lot is
-- deleted when it is spent (nothing remaining or reserved; the ledger keeps its story), so the lots
-- table holds live lots only; holds stay when they end, and partial indexes keep ended ones out of
-- the reads.
--
-- The CHECKs back the rules that must never break whatever writes to these tables: no negative
-- amounts or counters, a hold in exactly one state with its end time and settled amount consistent
-- with it, one lot per (account, lot), one hold per (account, hold), one idempotency record per
-- (account, key) and one ledger entry per (account, sequence). There are no foreign keys to the
-- accounts table: every write to lots, holds, ledger and idempotency happens in the same
-- transaction as the account row's insert or version-guarded update, after it, and is rolled back
-- with it when that does not match, so the commit protocol already ties each of those rows to an
-- existing account (a foreign key would only add a check trigger and a lock on the account row per
-- inserted row).

CREATE TABLE IF NOT EXISTS ${credits_schema}.${credits_prefix}accounts (
  id            VARCHAR(128)   NOT NULL,
  version       BIGINT         NOT NULL,
  last_sequence BIGINT         NOT NULL,
  granted       BIGINT         NOT NULL,
  settled       BIGINT         NOT NULL,
  expired       BIGINT         NOT NULL,
  debited       BIGINT         NOT NULL,
  active_holds  BIGINT         NOT NULL,
  created_at    NUMERIC(26, 9) NOT NULL,
  plan          TEXT,
  plan_due_at   NUMERIC(26, 9),
  CONSTRAINT ${credits_prefix}accounts_pk PRIMARY KEY (id),
  CONSTRAINT ${credits_prefix}accounts_amounts_ck CHECK (version >= 1 AND last_sequence >= 0 AND granted >= 0
    AND settled >= 0 AND expired >= 0 AND debited >= 0 AND active_holds >= 0)
);

-- The plan sweep's "accounts with a plan due" query: only accounts with a due date are indexed.
CREATE INDEX IF NOT EXISTS ${credits_prefix}accounts_plan_due_idx ON ${credits_schema}.${credits_prefix}accounts (plan_due_at)
  WHERE plan_due_at IS NOT NULL;

-- Every lot an account was ever granted; a lot with nothing remaining or reserved is spent and
-- stays only as a record.
CREATE TABLE IF NOT EXISTS ${credits_schema}.${credits_prefix}lots (
  account    VARCHAR(128)   NOT NULL,
  lot_id     BIGINT         NOT NULL,
  source     VARCHAR(32)    NOT NULL,
  granted    BIGINT         NOT NULL,
  remaining  BIGINT         NOT NULL,
  reserved   BIGINT         NOT NULL,
  granted_at NUMERIC(26, 9) NOT NULL,
  expires_at NUMERIC(26, 9),
  CONSTRAINT ${credits_prefix}lots_pk PRIMARY KEY (account, lot_id),
  CONSTRAINT ${credits_prefix}lots_amounts_ck CHECK (lot_id > 0 AND granted >= 0 AND remaining >= 0 AND reserved >= 0)
) WITH (fillfactor = 70);

-- Every hold and settle updates a lot's remaining and reserved credits. No index names those
-- columns, not even in a condition, and each page keeps room (fillfactor 70), so such an update
-- stays on its page and writes no index entry (a heap-only tuple). The live lots of an account are
-- read through the primary key: the table holds live lots only.

-- The sweep's "accounts with expired lots" query: only lots that can expire are indexed; the query
-- skips the few whose remaining credits are already gone (a live lot may still have some reserved).
CREATE INDEX IF NOT EXISTS ${credits_prefix}lots_expiring_idx ON ${credits_schema}.${credits_prefix}lots (expires_at)
  WHERE expires_at IS NOT NULL;

-- Every hold an account ever placed: inserted ACTIVE, updated once when it ends.
CREATE TABLE IF NOT EXISTS ${credits_schema}.${credits_prefix}holds (
  account     VARCHAR(128)   NOT NULL,
  hold_id     VARCHAR(66)    NOT NULL,
  amount      BIGINT         NOT NULL,
  state       VARCHAR(16)    NOT NULL,
  created_at  NUMERIC(26, 9) NOT NULL,
  deadline    NUMERIC(26, 9) NOT NULL,
  settled     BIGINT         NOT NULL,
  ended_at    NUMERIC(26, 9),
  metadata    TEXT           NOT NULL,
  allocations TEXT           NOT NULL,
  CONSTRAINT ${credits_prefix}holds_pk PRIMARY KEY (account, hold_id),
  CONSTRAINT ${credits_prefix}holds_amounts_ck CHECK (amount >= 0 AND settled >= 0 AND settled <= amount),
  CONSTRAINT ${credits_prefix}holds_state_ck CHECK (state IN ('ACTIVE', 'SETTLED', 'RELEASED', 'EXPIRED')),
  CONSTRAINT ${credits_prefix}holds_terminal_ck CHECK (
    (state = 'ACTIVE' AND ended_at IS NULL AND settled = 0)
    OR (state = 'SETTLED' AND ended_at IS NOT NULL)
    OR (state IN ('RELEASED', 'EXPIRED') AND ended_at IS NOT NULL AND settled = 0))
);

-- The sweep's "holds past their deadline" query: only active holds are indexed.
CREATE INDEX IF NOT EXISTS ${credits_prefix}holds_due_idx ON ${credits_schema}.${credits_prefix}holds (deadline)
  WHERE state = 'ACTIVE';

-- Reading an account reads its overdue active holds and the earliest active deadline: only active
-- holds are indexed, by account and deadline, so neither walks the account's ended holds nor its
-- active holds that are not due.
CREATE INDEX IF NOT EXISTS ${credits_prefix}holds_active_idx ON ${credits_schema}.${credits_prefix}holds (account, deadline)
  WHERE state = 'ACTIVE';

CREATE TABLE IF NOT EXISTS ${credits_schema}.${credits_prefix}ledger (
  account  VARCHAR(128)   NOT NULL,
  sequence BIGINT         NOT NULL,
  type     VARCHAR(16)    NOT NULL,
  amount   BIGINT         NOT NULL,
  lot_id   BIGINT         NOT NULL,
  source   VARCHAR(32)    NOT NULL,
  hold_id  VARCHAR(66),
  idem_key VARCHAR(200),
  at       NUMERIC(26, 9) NOT NULL,
  metadata TEXT           NOT NULL,
  CONSTRAINT ${credits_prefix}ledger_pk PRIMARY KEY (account, sequence),
  CONSTRAINT ${credits_prefix}ledger_amounts_ck CHECK (sequence > 0 AND amount > 0 AND lot_id > 0)
);

CREATE TABLE IF NOT EXISTS ${credits_schema}.${credits_prefix}idempotency (
  account     VARCHAR(128)   NOT NULL,
  idem_key    VARCHAR(200)   NOT NULL,
  operation   VARCHAR(64)    NOT NULL,
  fingerprint TEXT           NOT NULL,
  result      TEXT           NOT NULL,
  at          NUMERIC(26, 9) NOT NULL,
  CONSTRAINT ${credits_prefix}idempotency_pk PRIMARY KEY (account, idem_key)
);
