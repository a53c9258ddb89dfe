-- PrePrompt Credits schema, version 1, PostgreSQL.
--
-- Placeholders (Flyway syntax): ${credits_schema} is the schema holding the tables and
-- ${credits_prefix} the prefix of every table, constraint and index name. The installer
-- (io.preprompt.credits.jdbc.SchemaInstaller) substitutes them from JdbcStoreConfig; a host running
-- Flyway sets them as placeholders (for example credits_schema=public, credits_prefix=credits_).
--
-- Instants are stored as exact epoch seconds with nine decimals (NUMERIC(26,9)), so every
-- java.time.Instant round-trips to the nanosecond; to_timestamp(column) reads them as timestamps.
-- Metadata maps, hold allocations and an account's live lots and active holds are text in the
-- adapter's escaped line encoding (see io.preprompt.credits.jdbc.Codec).
--
-- An account is one row: its counters and plan, and its live state as a document, the live lots
-- (lots) and the active holds (active_holds), each written whole by every change. Ended holds,
-- the ledger and idempotency records are rows of their own, only ever inserted.
--
-- The CHECKs back the rules that must never break whatever writes to these tables: no negative
-- amounts, an ended hold in exactly one terminal state with its settled amount consistent with it,
-- one ended hold per (account, hold), one idempotency record per (account, key) and one ledger
-- entry per (account, sequence). There are no foreign keys to the accounts table: every insert
-- into holds, ledger and idempotency happens in the same transaction as the account row's insert
-- or version-guarded update, and is rolled back with it when that does not match, so the commit
-- protocol already ties each of those rows to an existing account (a foreign key would only add a
-- check trigger and a lock on the account row per inserted row).

CREATE TABLE IF NOT EXISTS ${credits_schema}.${credits_prefix}accounts (
  id                 VARCHAR(128)   NOT NULL,
  version            BIGINT         NOT NULL,
  last_sequence      BIGINT         NOT NULL,
  granted            BIGINT         NOT NULL,
  settled            BIGINT         NOT NULL,
  expired            BIGINT         NOT NULL,
  debited            BIGINT         NOT NULL,
  created_at         NUMERIC(26, 9) NOT NULL,
  plan               TEXT,
  plan_due_at        NUMERIC(26, 9),
  lots               TEXT           NOT NULL,
  active_holds       TEXT           NOT NULL,
  next_lot_expiry    NUMERIC(26, 9),
  next_hold_deadline NUMERIC(26, 9),
  CONSTRAINT ${credits_prefix}accounts_pk PRIMARY KEY (id),
  CONSTRAINT ${credits_prefix}accounts_amounts_ck CHECK (version >= 1 AND last_sequence >= 0 AND granted >= 0
    AND settled >= 0 AND expired >= 0 AND debited >= 0)
);

-- The plan sweep's "accounts with a plan due" query: only accounts with a due date are indexed.
CREATE INDEX IF NOT EXISTS ${credits_prefix}accounts_plan_due_idx ON ${credits_schema}.${credits_prefix}accounts (plan_due_at)
  WHERE plan_due_at IS NOT NULL;

-- The sweep's "accounts with expired lots" query: next_lot_expiry is the earliest expiry among the
-- account's lots with credits remaining; only accounts with one are indexed.
CREATE INDEX IF NOT EXISTS ${credits_prefix}accounts_lot_expiry_idx ON ${credits_schema}.${credits_prefix}accounts (next_lot_expiry)
  WHERE next_lot_expiry IS NOT NULL;

-- The sweep's "holds past their deadline" query: next_hold_deadline is the earliest deadline among
-- the account's active holds; only accounts with an active hold are indexed.
CREATE INDEX IF NOT EXISTS ${credits_prefix}accounts_hold_deadline_idx ON ${credits_schema}.${credits_prefix}accounts (next_hold_deadline)
  WHERE next_hold_deadline IS NOT NULL;

-- Ended holds only (active ones live on the account row): inserted once, when a change ends them.
CREATE TABLE IF NOT EXISTS ${credits_schema}.${credits_prefix}holds (
  account     VARCHAR(128)   NOT NULL,
  hold_id     VARCHAR(66)    NOT NULL,
  amount      BIGINT         NOT NULL,
  state       VARCHAR(16)    NOT NULL,
  created_at  NUMERIC(26, 9) NOT NULL,
  deadline    NUMERIC(26, 9) NOT NULL,
  settled     BIGINT         NOT NULL,
  ended_at    NUMERIC(26, 9) NOT NULL,
  metadata    TEXT           NOT NULL,
  allocations TEXT           NOT NULL,
  CONSTRAINT ${credits_prefix}holds_pk PRIMARY KEY (account, hold_id),
  CONSTRAINT ${credits_prefix}holds_amounts_ck CHECK (amount >= 0 AND settled >= 0 AND settled <= amount),
  CONSTRAINT ${credits_prefix}holds_state_ck CHECK (state IN ('SETTLED', 'RELEASED', 'EXPIRED')),
  CONSTRAINT ${credits_prefix}holds_terminal_ck CHECK (state = 'SETTLED' OR settled = 0)
);

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
