package io.preprompt.credits.plans;

import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.core.OveragePolicy;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What the app's user menu shows: the balance plus the plan.
 *
 * @param balance the balance view (available, held, free, pack and allowance credits, and the debt)
 * @param tier the tier whose entitlements apply now
 * @param status the subscription status
 * @param allowanceRemaining allowance (and proration) credits still available this cycle
 * @param allowanceTotal allowance (and proration) credits granted for this cycle
 * @param usedThisCycle credits charged since the current cycle started (since signup for free accounts):
 *     settled from holds, and charged above them from the available credits or as debt
 * @param cycleStart when the current paid cycle started, or null without one
 * @param cycleEnd when the current paid cycle ends (next refill), or null without one
 * @param pendingTier the tier change scheduled for the next cycle, or null
 * @param cancelAt when a cancellation takes (or took) effect, or null
 * @param canBuyPacks whether the account may buy packs now
 * @param topUp the automatic top-up: its setting, and what it spent this month
 * @param overagePolicy the overage policy in force: the account's own, else its tier's, else the
 *     configured one (see {@link OveragePolicy})
 */
public record AccountOverview(BalanceView balance, Tier tier, SubscriptionStatus status, long allowanceRemaining,
    long allowanceTotal, long usedThisCycle, @Nullable Instant cycleStart, @Nullable Instant cycleEnd,
    @Nullable String pendingTier, @Nullable Instant cancelAt, boolean canBuyPacks, TopUpStatus topUp,
    OveragePolicy overagePolicy) {

  /**
   * Checks that the top-up status and the overage policy are there.
   *
   * @param balance the balance view
   * @param tier the tier whose entitlements apply now
   * @param status the subscription status
   * @param allowanceRemaining allowance (and proration) credits still available this cycle
   * @param allowanceTotal allowance (and proration) credits granted for this cycle
   * @param usedThisCycle credits charged since the current cycle started
   * @param cycleStart when the current paid cycle started, or null without one
   * @param cycleEnd when the current paid cycle ends, or null without one
   * @param pendingTier the tier change scheduled for the next cycle, or null
   * @param cancelAt when a cancellation takes (or took) effect, or null
   * @param canBuyPacks whether the account may buy packs now
   * @param topUp the automatic top-up
   * @param overagePolicy the overage policy in force
   */
  public AccountOverview {
    java.util.Objects.requireNonNull(topUp, "topUp");
    java.util.Objects.requireNonNull(overagePolicy, "overagePolicy");
  }

  /**
   * Returns the credits the account owes: what settles above their holds charged as debt under an
   * allow-debt overage policy, not yet paid off by credits received since. The available balance
   * is already net of it.
   *
   * @return the debt, 0 when the account owes nothing
   */
  public long debt() {
    return balance.debt();
  }

  /**
   * Returns available pack credits.
   *
   * @return pack credits
   */
  public long packCredits() {
    return balance.packCredits();
  }

  /**
   * Returns available free credits.
   *
   * @return free credits
   */
  public long freeCredits() {
    return balance.freeCredits();
  }
}
