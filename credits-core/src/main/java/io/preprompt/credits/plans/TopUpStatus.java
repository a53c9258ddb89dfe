package io.preprompt.credits.plans;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Where an account's automatic top-up stands, as {@link AccountOverview#topUp()} shows it.
 *
 * @param setting the top-up, or {@code null} while it is off
 * @param armed whether the next fall below the threshold buys: false from a purchase until available
 *     credits are back at or above the threshold with the purchase paid (or lapsed)
 * @param monthStart the start of the current calendar month (in the plans' zone, UTC by default)
 * @param spentThisMonthMinor what top-ups were charged this month, in minor units of the pack's currency
 * @param pendingReference the payment reference of the top-up waiting for its payment, or {@code null}
 * @param skippedAt when a fall below the threshold last bought nothing because the month's cap would
 *     have been exceeded, or {@code null}
 */
public record TopUpStatus(@Nullable AutoTopUp setting, boolean armed, Instant monthStart, long spentThisMonthMinor,
    @Nullable String pendingReference, @Nullable Instant skippedAt) {}
