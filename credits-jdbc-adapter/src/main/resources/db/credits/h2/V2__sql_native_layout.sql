-- PrePrompt Credits, schema version 2 (H2): the V1 layout converted in place, to the same layout as
-- PostgreSQL's V2 (see that script and the adapter's README for the differences and why). H2 has no
-- conversion in ALTER COLUMN ... TYPE, so each converted column is added, filled and renamed; the V1
-- text formats are read by the adapter's V1Conversions, called as SQL functions for the migration.

CREATE ALIAS ${credits_schema}.${credits_prefix}v1_instant FOR 'io.preprompt.credits.jdbc.V1Conversions.instant';
CREATE ALIAS ${credits_schema}.${credits_prefix}v1_map FOR 'io.preprompt.credits.jdbc.V1Conversions.map';
CREATE ALIAS ${credits_schema}.${credits_prefix}v1_allocations FOR 'io.preprompt.credits.jdbc.V1Conversions.allocations';
CREATE ALIAS ${credits_schema}.${credits_prefix}v1_field FOR 'io.preprompt.credits.jdbc.V1Conversions.field';
CREATE ALIAS ${credits_schema}.${credits_prefix}v1_charges FOR 'io.preprompt.credits.jdbc.V1Conversions.charges';
CREATE ALIAS ${credits_schema}.${credits_prefix}v1_orders FOR 'io.preprompt.credits.jdbc.V1Conversions.orders';

-- Accounts: the plan's fields as columns, instants as timestamps.
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN created_at_v2 TIMESTAMP WITH TIME ZONE;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN plan_due_at_v2 TIMESTAMP WITH TIME ZONE;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN plan_tier VARCHAR(64);
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN plan_status VARCHAR(16);
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN plan_signup_granted BOOLEAN;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN plan_anchor TIMESTAMP WITH TIME ZONE;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN plan_paid_cycle BIGINT;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN plan_cycle_start_sequence BIGINT;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN plan_allowance_total BIGINT;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN plan_pending_tier VARCHAR(64);
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN plan_pending_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN plan_cancel_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN plan_subscription BIGINT;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN plan_requests BIGINT;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN plan_charges JSON;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN plan_orders JSON;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN plan_renewal_failures INT;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN plan_renewal_retry_at TIMESTAMP WITH TIME ZONE;

UPDATE ${credits_schema}.${credits_prefix}accounts SET
  created_at_v2 = ${credits_schema}.${credits_prefix}v1_instant(created_at),
  plan_due_at_v2 = ${credits_schema}.${credits_prefix}v1_instant(plan_due_at),
  plan_tier = ${credits_schema}.${credits_prefix}v1_field(plan, 'tier', FALSE),
  plan_status = ${credits_schema}.${credits_prefix}v1_field(plan, 'status', FALSE),
  plan_signup_granted = CAST(${credits_schema}.${credits_prefix}v1_field(plan, 'signup', FALSE) AS BOOLEAN),
  plan_anchor = CAST(${credits_schema}.${credits_prefix}v1_field(plan, 'anchor', TRUE) AS TIMESTAMP WITH TIME ZONE),
  plan_paid_cycle = CAST(${credits_schema}.${credits_prefix}v1_field(plan, 'paidCycle', FALSE) AS BIGINT),
  plan_cycle_start_sequence = CAST(${credits_schema}.${credits_prefix}v1_field(plan, 'cycleStartSeq', FALSE) AS BIGINT),
  plan_allowance_total = CAST(${credits_schema}.${credits_prefix}v1_field(plan, 'allowanceTotal', FALSE) AS BIGINT),
  plan_pending_tier = ${credits_schema}.${credits_prefix}v1_field(plan, 'pendingTier', TRUE),
  plan_pending_at = CAST(${credits_schema}.${credits_prefix}v1_field(plan, 'pendingAt', TRUE) AS TIMESTAMP WITH TIME ZONE),
  plan_cancel_at = CAST(${credits_schema}.${credits_prefix}v1_field(plan, 'cancelAt', TRUE) AS TIMESTAMP WITH TIME ZONE),
  plan_subscription = COALESCE(CAST(${credits_schema}.${credits_prefix}v1_field(plan, 'subscription', FALSE) AS BIGINT), 0),
  plan_requests = COALESCE(CAST(${credits_schema}.${credits_prefix}v1_field(plan, 'requests', FALSE) AS BIGINT), 0),
  plan_charges = ${credits_schema}.${credits_prefix}v1_charges(plan) FORMAT JSON,
  plan_orders = ${credits_schema}.${credits_prefix}v1_orders(plan) FORMAT JSON,
  plan_renewal_failures = COALESCE(CAST(${credits_schema}.${credits_prefix}v1_field(plan, 'renewalFailures', FALSE) AS INT), 0),
  plan_renewal_retry_at = CAST(${credits_schema}.${credits_prefix}v1_field(plan, 'renewalRetryAt', TRUE) AS TIMESTAMP WITH TIME ZONE);

-- Rows without a plan keep every plan column NULL.
UPDATE ${credits_schema}.${credits_prefix}accounts SET plan_subscription = NULL, plan_requests = NULL,
  plan_renewal_failures = NULL WHERE plan IS NULL OR plan = '';

DROP INDEX IF EXISTS ${credits_schema}.${credits_prefix}accounts_plan_due_idx;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts DROP COLUMN plan;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts DROP COLUMN created_at;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts DROP COLUMN plan_due_at;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ALTER COLUMN created_at_v2 RENAME TO created_at;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ALTER COLUMN plan_due_at_v2 RENAME TO plan_due_at;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ALTER COLUMN created_at SET NOT NULL;
CREATE INDEX ${credits_schema}.${credits_prefix}accounts_plan_due_idx
  ON ${credits_schema}.${credits_prefix}accounts (plan_due_at);

-- V1's CHECKs go, as on PostgreSQL (see that script).
ALTER TABLE ${credits_schema}.${credits_prefix}accounts DROP CONSTRAINT ${credits_prefix}accounts_amounts_ck;
ALTER TABLE ${credits_schema}.${credits_prefix}lots DROP CONSTRAINT ${credits_prefix}lots_amounts_ck;
ALTER TABLE ${credits_schema}.${credits_prefix}ledger DROP CONSTRAINT ${credits_prefix}ledger_amounts_ck;

-- Lots.
ALTER TABLE ${credits_schema}.${credits_prefix}lots ADD COLUMN granted_at_v2 TIMESTAMP WITH TIME ZONE;
ALTER TABLE ${credits_schema}.${credits_prefix}lots ADD COLUMN expires_at_v2 TIMESTAMP WITH TIME ZONE;
UPDATE ${credits_schema}.${credits_prefix}lots SET granted_at_v2 = ${credits_schema}.${credits_prefix}v1_instant(granted_at),
  expires_at_v2 = ${credits_schema}.${credits_prefix}v1_instant(expires_at);
DROP INDEX IF EXISTS ${credits_schema}.${credits_prefix}lots_expiring_idx;
ALTER TABLE ${credits_schema}.${credits_prefix}lots DROP COLUMN granted_at;
ALTER TABLE ${credits_schema}.${credits_prefix}lots DROP COLUMN expires_at;
ALTER TABLE ${credits_schema}.${credits_prefix}lots ALTER COLUMN granted_at_v2 RENAME TO granted_at;
ALTER TABLE ${credits_schema}.${credits_prefix}lots ALTER COLUMN expires_at_v2 RENAME TO expires_at;
ALTER TABLE ${credits_schema}.${credits_prefix}lots ALTER COLUMN granted_at SET NOT NULL;
CREATE INDEX ${credits_schema}.${credits_prefix}lots_expiring_idx ON ${credits_schema}.${credits_prefix}lots (expires_at);

-- Holds.
ALTER TABLE ${credits_schema}.${credits_prefix}holds ADD COLUMN created_at_v2 TIMESTAMP WITH TIME ZONE;
ALTER TABLE ${credits_schema}.${credits_prefix}holds ADD COLUMN deadline_v2 TIMESTAMP WITH TIME ZONE;
ALTER TABLE ${credits_schema}.${credits_prefix}holds ADD COLUMN ended_at_v2 TIMESTAMP WITH TIME ZONE;
ALTER TABLE ${credits_schema}.${credits_prefix}holds ADD COLUMN metadata_v2 JSON;
ALTER TABLE ${credits_schema}.${credits_prefix}holds ADD COLUMN allocations_v2 JSON;
UPDATE ${credits_schema}.${credits_prefix}holds SET
  created_at_v2 = ${credits_schema}.${credits_prefix}v1_instant(created_at),
  deadline_v2 = ${credits_schema}.${credits_prefix}v1_instant(deadline),
  ended_at_v2 = ${credits_schema}.${credits_prefix}v1_instant(ended_at),
  metadata_v2 = ${credits_schema}.${credits_prefix}v1_map(metadata) FORMAT JSON,
  allocations_v2 = ${credits_schema}.${credits_prefix}v1_allocations(allocations) FORMAT JSON;
DROP INDEX IF EXISTS ${credits_schema}.${credits_prefix}holds_due_idx;
DROP INDEX IF EXISTS ${credits_schema}.${credits_prefix}holds_active_idx;
ALTER TABLE ${credits_schema}.${credits_prefix}holds DROP CONSTRAINT ${credits_prefix}holds_terminal_ck;
ALTER TABLE ${credits_schema}.${credits_prefix}holds DROP CONSTRAINT ${credits_prefix}holds_state_ck;
ALTER TABLE ${credits_schema}.${credits_prefix}holds DROP CONSTRAINT ${credits_prefix}holds_amounts_ck;
ALTER TABLE ${credits_schema}.${credits_prefix}holds DROP COLUMN created_at;
ALTER TABLE ${credits_schema}.${credits_prefix}holds DROP COLUMN deadline;
ALTER TABLE ${credits_schema}.${credits_prefix}holds DROP COLUMN ended_at;
ALTER TABLE ${credits_schema}.${credits_prefix}holds DROP COLUMN metadata;
ALTER TABLE ${credits_schema}.${credits_prefix}holds DROP COLUMN allocations;
ALTER TABLE ${credits_schema}.${credits_prefix}holds ALTER COLUMN created_at_v2 RENAME TO created_at;
ALTER TABLE ${credits_schema}.${credits_prefix}holds ALTER COLUMN deadline_v2 RENAME TO deadline;
ALTER TABLE ${credits_schema}.${credits_prefix}holds ALTER COLUMN ended_at_v2 RENAME TO ended_at;
ALTER TABLE ${credits_schema}.${credits_prefix}holds ALTER COLUMN metadata_v2 RENAME TO metadata;
ALTER TABLE ${credits_schema}.${credits_prefix}holds ALTER COLUMN allocations_v2 RENAME TO allocations;
ALTER TABLE ${credits_schema}.${credits_prefix}holds ALTER COLUMN created_at SET NOT NULL;
ALTER TABLE ${credits_schema}.${credits_prefix}holds ALTER COLUMN deadline SET NOT NULL;
ALTER TABLE ${credits_schema}.${credits_prefix}holds ALTER COLUMN metadata SET NOT NULL;
ALTER TABLE ${credits_schema}.${credits_prefix}holds ALTER COLUMN allocations SET NOT NULL;
CREATE INDEX ${credits_schema}.${credits_prefix}holds_due_idx ON ${credits_schema}.${credits_prefix}holds (state, deadline);
CREATE INDEX ${credits_schema}.${credits_prefix}holds_active_idx
  ON ${credits_schema}.${credits_prefix}holds (account, state, deadline);

-- Ledger: the generation's kind and model beside the metadata they come from.
ALTER TABLE ${credits_schema}.${credits_prefix}ledger ADD COLUMN at_v2 TIMESTAMP WITH TIME ZONE;
ALTER TABLE ${credits_schema}.${credits_prefix}ledger ADD COLUMN metadata_v2 JSON;
ALTER TABLE ${credits_schema}.${credits_prefix}ledger ADD COLUMN kind VARCHAR;
ALTER TABLE ${credits_schema}.${credits_prefix}ledger ADD COLUMN model VARCHAR;
UPDATE ${credits_schema}.${credits_prefix}ledger SET at_v2 = ${credits_schema}.${credits_prefix}v1_instant(at),
  metadata_v2 = ${credits_schema}.${credits_prefix}v1_map(metadata) FORMAT JSON;
UPDATE ${credits_schema}.${credits_prefix}ledger SET
  kind = ${credits_schema}.${credits_prefix}v1_field(metadata, 'kind', FALSE),
  model = ${credits_schema}.${credits_prefix}v1_field(metadata, 'model', FALSE);
ALTER TABLE ${credits_schema}.${credits_prefix}ledger DROP COLUMN at;
ALTER TABLE ${credits_schema}.${credits_prefix}ledger DROP COLUMN metadata;
ALTER TABLE ${credits_schema}.${credits_prefix}ledger ALTER COLUMN at_v2 RENAME TO at;
ALTER TABLE ${credits_schema}.${credits_prefix}ledger ALTER COLUMN metadata_v2 RENAME TO metadata;
ALTER TABLE ${credits_schema}.${credits_prefix}ledger ALTER COLUMN at SET NOT NULL;
ALTER TABLE ${credits_schema}.${credits_prefix}ledger ALTER COLUMN metadata SET NOT NULL;

-- Idempotency records.
ALTER TABLE ${credits_schema}.${credits_prefix}idempotency ADD COLUMN at_v2 TIMESTAMP WITH TIME ZONE;
UPDATE ${credits_schema}.${credits_prefix}idempotency SET at_v2 = ${credits_schema}.${credits_prefix}v1_instant(at);
ALTER TABLE ${credits_schema}.${credits_prefix}idempotency DROP COLUMN at;
ALTER TABLE ${credits_schema}.${credits_prefix}idempotency ALTER COLUMN at_v2 RENAME TO at;
ALTER TABLE ${credits_schema}.${credits_prefix}idempotency ALTER COLUMN at SET NOT NULL;

DROP ALIAS ${credits_schema}.${credits_prefix}v1_instant;
DROP ALIAS ${credits_schema}.${credits_prefix}v1_map;
DROP ALIAS ${credits_schema}.${credits_prefix}v1_allocations;
DROP ALIAS ${credits_schema}.${credits_prefix}v1_field;
DROP ALIAS ${credits_schema}.${credits_prefix}v1_charges;
DROP ALIAS ${credits_schema}.${credits_prefix}v1_orders;
