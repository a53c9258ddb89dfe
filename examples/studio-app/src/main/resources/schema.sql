-- The app's own tables, beside the library's (which the starter installs).

-- A visitor: the email they signed up with, their credits account, and the email verification.
CREATE TABLE IF NOT EXISTS studio_users (
  account_id   varchar(128) PRIMARY KEY,
  email        varchar(254) NOT NULL UNIQUE,
  verify_token varchar(64)  NOT NULL UNIQUE,
  verified     boolean      NOT NULL,
  created_at   timestamp with time zone NOT NULL
);

-- One row per generate action, keyed by the page's idempotency key: the first request claims it and
-- runs the model; a repeated request (a double click, a retry) finds the claim and waits for its result.
CREATE TABLE IF NOT EXISTS studio_generations (
  account_id   varchar(128) NOT NULL,
  request_key  varchar(200) NOT NULL,
  request      varchar(500) NOT NULL,
  hold_id      varchar(64)  NOT NULL,
  status       varchar(16)  NOT NULL,
  estimate     bigint       NOT NULL,
  charged      bigint,
  reason       varchar(200),
  started_at   timestamp with time zone NOT NULL,
  PRIMARY KEY (account_id, request_key)
);

-- What the simulated payment provider was asked to charge, for the billing page.
CREATE TABLE IF NOT EXISTS studio_payments (
  reference    varchar(200) PRIMARY KEY,
  account_id   varchar(128) NOT NULL,
  description  varchar(200) NOT NULL,
  amount_minor bigint,
  currency     varchar(3),
  status       varchar(16)  NOT NULL,
  asked_at     timestamp with time zone NOT NULL
);
