package io.preprompt.credits.plans;

import io.preprompt.credits.balance.BalanceView;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What the app's user menu shows: the balance plus the plan.
 *
 * @param balance the balance view (available, held, free, pack and allowance credits)
 * @param tier the tier whose entitlements apply now
 * @param status the subscription status
 * @param allowanceRemaining allowance (and proration) credits still available this cycle
 * @param allowanceTotal allowance (and proration) credits granted for this cycle
 * @param usedThisCycle credits settled since the current cycle started (since signup for free accounts)
 * @param cycleStart when the current paid cycle started, or null without one
 * @param cycleEnd when the current paid cycle ends (next refill), or null without one
 * @param pendingTier the tier change scheduled for the next cycle, or null
 * @param cancelAt when a cancellation takes (or took) effect, or null
 * @param canBuyPacks whether the account may buy packs now
 * @param topUp the automatic top-up: its setting, and what it spent this month
 */
public record AccountOverview(BalanceView balance, Tier tier, SubscriptionStatus status, long allowanceRemaining,
    long allowanceTotal, long usedThisCycle, @Nullable Instant cycleStart, @Nullable Instant cycleEnd,
    @Nullable String pendingTier, @Nullable Instant cancelAt, boolean canBuyPacks, TopUpStatus topUp) {

  /**
   * Checks that the top-up status is there.
   *
   * @param balance the balance view
   * @param tier the tier whose entitlements apply now
   * @param status the subscription status
   * @param allowanceRemaining allowance (and proration) credits still available this cycle
   * @param allowanceTotal allowance (and proration) credits granted for this cycle
   * @param usedThisCycle credits settled since the current cycle started
   * @param cycleStart when the current paid cycle started, or null without one
   * @param cycleEnd when the current paid cycle ends, or null without one
   * @param pendingTier the tier change scheduled for the next cycle, or null
   * @param cancelAt when a cancellation takes (or took) effect, or null
   * @param canBuyPacks whether the account may buy packs now
   * @param topUp the automatic top-up
   */
  public AccountOverview {
    java.util.Objects.requireNonNull(topUp, "topUp");
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
