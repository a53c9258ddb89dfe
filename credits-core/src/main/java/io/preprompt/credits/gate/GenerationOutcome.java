package io.preprompt.credits.gate;

/** How a generation ended, as its ledger entries tell it. */
public enum GenerationOutcome {
  /** Still held: no answer yet and the deadline has not passed. */
  PENDING,
  /** Succeeded: the actual cost was charged (possibly less than held, possibly zero). */
  SUCCEEDED,
  /** Failed: everything held was returned; the user paid nothing. */
  FAILED,
  /** Blocked (moderation) or cancelled by the app: everything returned. */
  BLOCKED,
  /** Released through {@link io.preprompt.credits.CreditService#release} for another reason. */
  RELEASED,
  /** Nobody answered before the deadline: the sweep (or the next access) returned everything. */
  EXPIRED
}
