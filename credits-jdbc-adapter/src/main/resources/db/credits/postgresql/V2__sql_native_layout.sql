-- PrePrompt Credits, schema version 2 (PostgreSQL): the V1 layout converted in place to a layout plain
-- SQL can read. Instants become timestamptz (microseconds; V1's sub-microsecond digits are truncated,
-- as core truncates every instant), metadata and allocations jsonb, the plan one column per field
-- (its charges and open orders jsonb arrays), and a ledger row gets the generation's kind and model
-- as columns. The V1 text formats are parsed by temporary functions (pg_temp) that end with the
-- session. Runs in one transaction; applied only over the V1 layout.

-- V1's escaped text: %25 %3D %0A %0D stand for % = LF CR; %25 is decoded last.
CREATE OR REPLACE FUNCTION pg_temp.credits_v1_text(t TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS
  $$ SELECT replace(replace(replace(replace(t, '%3D', '='), '%0A', chr(10)), '%0D', chr(13)), '%25', '%') $$;

-- V1's name=value lines (a map, or a plan's fields) as a JSON object of texts.
CREATE OR REPLACE FUNCTION pg_temp.credits_v1_fields(t TEXT) RETURNS JSONB LANGUAGE sql IMMUTABLE AS
  $$ SELECT COALESCE(jsonb_object_agg(pg_temp.credits_v1_text(split_part(line, '=', 1)),
       pg_temp.credits_v1_text(substr(line, strpos(line, '=') + 1))), '{}'::jsonb)
     FROM unnest(string_to_array(t, chr(10))) AS line WHERE line <> '' $$;

-- V1's list (fields named 0, 1, 2, ...) as its items, in order.
CREATE OR REPLACE FUNCTION pg_temp.credits_v1_list(t TEXT) RETURNS TABLE (n INT, item JSONB) LANGUAGE sql IMMUTABLE AS
  $$ SELECT key::int, pg_temp.credits_v1_fields(value) FROM jsonb_each_text(pg_temp.credits_v1_fields(t)) $$;

-- V1's exact epoch seconds as a timestamptz, truncated to the microsecond.
CREATE OR REPLACE FUNCTION pg_temp.credits_v1_instant(x NUMERIC) RETURNS TIMESTAMPTZ LANGUAGE sql IMMUTABLE AS
  $$ SELECT to_timestamp(floor(x)::double precision) + floor((x - floor(x)) * 1000000) * INTERVAL '1 microsecond' $$;

-- A plan field V1 wrote as - (absent) or +value.
CREATE OR REPLACE FUNCTION pg_temp.credits_v1_optional(t TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS
  $$ SELECT CASE WHEN t IS NULL OR t = '-' THEN NULL ELSE substr(t, 2) END $$;

-- V1's allocations (lot:amount,lot:amount) as [{"lot": 1, "amount": 40}, ...].
CREATE OR REPLACE FUNCTION pg_temp.credits_v1_allocations(t TEXT) RETURNS JSONB LANGUAGE sql IMMUTABLE AS
  $$ SELECT COALESCE(jsonb_agg(jsonb_build_object('lot', split_part(p, ':', 1)::bigint,
       'amount', split_part(p, ':', 2)::bigint) ORDER BY n), '[]'::jsonb)
     FROM unnest(string_to_array(t, ',')) WITH ORDINALITY AS a(p, n) WHERE p <> '' $$;

-- Accounts: the plan's fields as columns.
ALTER TABLE ${credits_schema}.${credits_prefix}accounts
  ADD COLUMN plan_tier VARCHAR(64),
  ADD COLUMN plan_status VARCHAR(16),
  ADD COLUMN plan_signup_granted BOOLEAN,
  ADD COLUMN plan_anchor TIMESTAMPTZ,
  ADD COLUMN plan_paid_cycle BIGINT,
  ADD COLUMN plan_cycle_start_sequence BIGINT,
  ADD COLUMN plan_allowance_total BIGINT,
  ADD COLUMN plan_pending_tier VARCHAR(64),
  ADD COLUMN plan_pending_at TIMESTAMPTZ,
  ADD COLUMN plan_cancel_at TIMESTAMPTZ,
  ADD COLUMN plan_subscription BIGINT,
  ADD COLUMN plan_requests BIGINT,
  ADD COLUMN plan_charges JSONB,
  ADD COLUMN plan_orders JSONB,
  ADD COLUMN plan_renewal_failures INT,
  ADD COLUMN plan_renewal_retry_at TIMESTAMPTZ;

UPDATE ${credits_schema}.${credits_prefix}accounts AS a SET
  plan_tier = f->>'tier',
  plan_status = f->>'status',
  plan_signup_granted = (f->>'signup')::boolean,
  plan_anchor = pg_temp.credits_v1_optional(f->>'anchor')::timestamptz,
  plan_paid_cycle = (f->>'paidCycle')::bigint,
  plan_cycle_start_sequence = (f->>'cycleStartSeq')::bigint,
  plan_allowance_total = (f->>'allowanceTotal')::bigint,
  plan_pending_tier = pg_temp.credits_v1_optional(f->>'pendingTier'),
  plan_pending_at = pg_temp.credits_v1_optional(f->>'pendingAt')::timestamptz,
  plan_cancel_at = pg_temp.credits_v1_optional(f->>'cancelAt')::timestamptz,
  plan_subscription = COALESCE((f->>'subscription')::bigint, 0),
  plan_requests = COALESCE((f->>'requests')::bigint, 0),
  plan_charges = (SELECT COALESCE(jsonb_agg(jsonb_build_object('subscription', (c->>'sub')::bigint,
      'cycle', (c->>'cycle')::bigint, 'tier', c->>'tier', 'start', c->>'start', 'end', c->>'end',
      'reference', c->>'ref', 'attempts', (c->>'attempts')::int, 'claimed', (c->>'claimed')::boolean,
      'notBefore', c->>'notBefore') ORDER BY n), '[]'::jsonb) FROM pg_temp.credits_v1_list(f->>'charges') AS l(n, c)),
  plan_orders = (SELECT COALESCE(jsonb_agg(jsonb_build_object('reference', o->>'ref', 'pack', o->>'pack',
      'priceMinor', (o->>'price')::bigint, 'currency', o->>'currency', 'orderedAt', o->>'at') ORDER BY n),
      '[]'::jsonb) FROM pg_temp.credits_v1_list(f->>'orders') AS l(n, o)),
  plan_renewal_failures = COALESCE((f->>'renewalFailures')::int, 0),
  plan_renewal_retry_at = pg_temp.credits_v1_optional(COALESCE(f->>'renewalRetryAt', '-'))::timestamptz
FROM (SELECT id, pg_temp.credits_v1_fields(plan) AS f FROM ${credits_schema}.${credits_prefix}accounts
      WHERE plan IS NOT NULL AND plan <> '') AS p
WHERE a.id = p.id;

-- V1's CHECKs go: they repeat what core's records check on every write and every read
-- (AccountRecord, Lot, LotId, Hold, LedgerEntry), and PostgreSQL reads and compiles every CHECK of
-- a table again for each statement that writes it, a seventh of the server's work on a hold+settle.
ALTER TABLE ${credits_schema}.${credits_prefix}accounts
  DROP CONSTRAINT ${credits_prefix}accounts_amounts_ck,
  DROP COLUMN plan,
  ALTER COLUMN created_at TYPE TIMESTAMPTZ USING pg_temp.credits_v1_instant(created_at),
  ALTER COLUMN plan_due_at TYPE TIMESTAMPTZ USING pg_temp.credits_v1_instant(plan_due_at);

-- Lots.
ALTER TABLE ${credits_schema}.${credits_prefix}lots
  DROP CONSTRAINT ${credits_prefix}lots_amounts_ck,
  ALTER COLUMN granted_at TYPE TIMESTAMPTZ USING pg_temp.credits_v1_instant(granted_at),
  ALTER COLUMN expires_at TYPE TIMESTAMPTZ USING pg_temp.credits_v1_instant(expires_at);

-- Holds. The state is TEXT, which compares to its literals without a cast. The partial indexes on
-- active holds name the state, so they are made again for the new type.
DROP INDEX ${credits_schema}.${credits_prefix}holds_due_idx;
DROP INDEX ${credits_schema}.${credits_prefix}holds_active_idx;
ALTER TABLE ${credits_schema}.${credits_prefix}holds DROP CONSTRAINT ${credits_prefix}holds_amounts_ck,
  DROP CONSTRAINT ${credits_prefix}holds_state_ck,
  DROP CONSTRAINT ${credits_prefix}holds_terminal_ck;
ALTER TABLE ${credits_schema}.${credits_prefix}holds
  ALTER COLUMN state TYPE TEXT,
  ALTER COLUMN created_at TYPE TIMESTAMPTZ USING pg_temp.credits_v1_instant(created_at),
  ALTER COLUMN deadline TYPE TIMESTAMPTZ USING pg_temp.credits_v1_instant(deadline),
  ALTER COLUMN ended_at TYPE TIMESTAMPTZ USING pg_temp.credits_v1_instant(ended_at),
  ALTER COLUMN metadata TYPE JSONB USING pg_temp.credits_v1_fields(metadata),
  ALTER COLUMN allocations TYPE JSONB USING pg_temp.credits_v1_allocations(allocations);
CREATE INDEX ${credits_prefix}holds_due_idx ON ${credits_schema}.${credits_prefix}holds (deadline)
  WHERE state = 'ACTIVE';
CREATE INDEX ${credits_prefix}holds_active_idx ON ${credits_schema}.${credits_prefix}holds (account, deadline)
  WHERE state = 'ACTIVE';

-- Ledger: the generation's kind and model beside the metadata they come from.
ALTER TABLE ${credits_schema}.${credits_prefix}ledger
  DROP CONSTRAINT ${credits_prefix}ledger_amounts_ck,
  ALTER COLUMN at TYPE TIMESTAMPTZ USING pg_temp.credits_v1_instant(at),
  ALTER COLUMN metadata TYPE JSONB USING pg_temp.credits_v1_fields(metadata),
  ADD COLUMN kind TEXT,
  ADD COLUMN model TEXT;

UPDATE ${credits_schema}.${credits_prefix}ledger SET kind = metadata->>'kind', model = metadata->>'model'
WHERE metadata->>'kind' IS NOT NULL OR metadata->>'model' IS NOT NULL;

-- Idempotency records.
ALTER TABLE ${credits_schema}.${credits_prefix}idempotency
  ALTER COLUMN at TYPE TIMESTAMPTZ USING pg_temp.credits_v1_instant(at);
