-- PrePrompt Credits, schema version 4 (H2): an account's automatic top-up (core's PlanRecord.TopUp),
-- one plain column per field, beside the plan's other columns. All NULL on an account that never
-- enabled one. The statements are idempotent (IF NOT EXISTS), so running them twice is harmless.
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN IF NOT EXISTS plan_top_up_pack VARCHAR;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN IF NOT EXISTS plan_top_up_threshold BIGINT;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN IF NOT EXISTS plan_top_up_cap_minor BIGINT;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN IF NOT EXISTS plan_top_up_armed BOOLEAN;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN IF NOT EXISTS plan_top_up_month TIMESTAMP WITH TIME ZONE;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN IF NOT EXISTS plan_top_up_spent_minor BIGINT;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN IF NOT EXISTS plan_top_up_reference VARCHAR;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN IF NOT EXISTS plan_top_up_send_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN IF NOT EXISTS plan_top_up_attempts INT;
ALTER TABLE ${credits_schema}.${credits_prefix}accounts ADD COLUMN IF NOT EXISTS plan_top_up_skipped_at TIMESTAMP WITH TIME ZONE;
