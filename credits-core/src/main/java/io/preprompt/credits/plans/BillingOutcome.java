package io.preprompt.credits.plans;

/**
 * What handling a {@link BillingEvent} did.
 *
 * @param effect the kind of effect
 * @param credits credits granted by it, or taken back by a {@link BillingEvent.Refunded} (0 when none)
 * @param detail a short explanation
 */
public record BillingOutcome(Effect effect, long credits, String detail) {
  /** The kinds of effect. */
  public enum Effect {
    /** The event changed the account. */
    APPLIED,
    /** The same event (or the same payment) was handled before; nothing changed now. */
    DUPLICATE,
    /** The event is stale or does not apply (an older cycle, after cancellation); nothing changed. */
    IGNORED
  }
}
