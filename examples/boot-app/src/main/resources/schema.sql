-- The app's own table: one row per generation request, keyed by the client's Idempotency-Key.
-- Written in the same transaction as the credits' settle or release, so the two agree.
CREATE TABLE IF NOT EXISTS generations (
  account_id      varchar(128) NOT NULL,
  idempotency_key varchar(200) NOT NULL,
  kind            varchar(16)  NOT NULL,
  model           varchar(64)  NOT NULL,
  resolution      varchar(16),
  seconds         integer      NOT NULL,
  variants        integer      NOT NULL,
  reshot          boolean      NOT NULL,
  hold_id         varchar(64)  NOT NULL,
  outcome         varchar(16)  NOT NULL,
  estimate        bigint       NOT NULL,
  charged         bigint       NOT NULL,
  asset           varchar(200),
  reason          varchar(200),
  finished_at     timestamp with time zone NOT NULL,
  PRIMARY KEY (account_id, idempotency_key)
);
