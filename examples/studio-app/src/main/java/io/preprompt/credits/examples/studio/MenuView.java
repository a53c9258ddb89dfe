package io.preprompt.credits.examples.studio;

import io.preprompt.credits.plans.AccountOverview;

/**
 * What the user menu in the header shows, rendered into every page and pushed to it live.
 *
 * @param available credits the user can spend now
 * @param held credits held by generations that are running
 * @param debt credits owed (an overage allowed into debt), zero for most
 * @param used credits charged this cycle (since the account opened, on the free tier)
 * @param paid whether the account is on a paid tier's cycle
 * @param monthlyRemaining what is left of this cycle's allowance (paid tiers)
 * @param monthlyAllowance this cycle's allowance (paid tiers)
 * @param freeCredits what is left of the one-time signup grant
 * @param tier the name of the tier in force
 */
record MenuView(long available, long held, long debt, long used, boolean paid, long monthlyRemaining,
    long monthlyAllowance, long freeCredits, String tier) {

  static MenuView of(AccountOverview o) {
    boolean paid = o.allowanceTotal() > 0;
    return new MenuView(o.balance().available(), o.balance().held(), o.debt(), o.usedThisCycle(), paid,
        o.allowanceRemaining(), o.allowanceTotal(), o.freeCredits(), o.tier().name());
  }
}
