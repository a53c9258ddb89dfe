package io.preprompt.credits.plans;

/** When an upgrade takes effect. Downgrades always take effect at the next cycle. */
public enum UpgradePolicy {
  /** Entitlements switch now and the remaining fraction of the allowance difference is granted now. */
  PRORATE_NOW,
  /** The upgrade waits for the next cycle, like a downgrade. */
  AT_NEXT_CYCLE
}
