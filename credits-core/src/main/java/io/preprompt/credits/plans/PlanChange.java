package io.preprompt.credits.plans;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The result of a plan change, a withdrawal or a cancellation.
 *
 * @param fromTier the tier before
 * @param toTier the tier after it takes effect
 * @param effectiveAt when it takes (or took) effect
 * @param immediate whether it took effect now
 * @param proratedCredits credits granted now for an immediate upgrade (0 otherwise)
 * @param pendingTier the tier change still scheduled afterwards, or null
 */
public record PlanChange(String fromTier, String toTier, Instant effectiveAt, boolean immediate, long proratedCredits,
    @Nullable String pendingTier) {}
