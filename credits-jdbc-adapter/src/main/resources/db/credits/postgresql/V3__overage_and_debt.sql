-- PrePrompt Credits, schema version 3: overage and debt. Plain columns on the account row: what
-- the account owes (a settle above its hold under an allow-debt overage policy; the next credits
-- it receives pay it first) and the account's own overage policy (NULL: none, its tier's or the
-- configured default applies). A hold that grows while its generation runs keeps its row: its
-- amount, allocations and deadline are updated in place, so the holds table needs nothing new.
-- Idempotent (IF NOT EXISTS), so it is harmless over a schema another tool already upgraded.

ALTER TABLE ${credits_schema}.${credits_prefix}accounts
  ADD COLUMN IF NOT EXISTS debt BIGINT DEFAULT 0 NOT NULL
    CONSTRAINT ${credits_prefix}accounts_debt_ck CHECK (debt >= 0);
ALTER TABLE ${credits_schema}.${credits_prefix}accounts
  ADD COLUMN IF NOT EXISTS overage_mode VARCHAR(16)
    CONSTRAINT ${credits_prefix}accounts_overage_mode_ck
      CHECK (overage_mode IN ('REFUSE', 'TAKE_AVAILABLE', 'ALLOW_DEBT'));
ALTER TABLE ${credits_schema}.${credits_prefix}accounts
  ADD COLUMN IF NOT EXISTS overage_max_debt BIGINT DEFAULT 0 NOT NULL
    CONSTRAINT ${credits_prefix}accounts_overage_max_debt_ck CHECK (overage_max_debt >= 0);
