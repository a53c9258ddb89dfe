package io.preprompt.credits.core;

import io.preprompt.credits.Credits;

/**
 * A settle asked for more than the hold holds where nothing may be drawn beyond it. Nothing was
 * settled; the hold stays active. Since overage policies the engine draws a difference above the
 * hold from the available credits or refuses it with {@link InsufficientCreditsException}; this type
 * remains for handlers written against earlier versions.
 */
public final class SettleExceedsHeldException extends StateException {
  private static final long serialVersionUID = 1L;

  /** Credits the hold reserved. */
  private final long held;
  /** Credits asked to settle. */
  private final long requested;

  /**
   * Creates the exception.
   *
   * @param holdId the hold
   * @param held credits held
   * @param requested credits the settle asked for
   */
  public SettleExceedsHeldException(HoldId holdId, long held, long requested) {
    super(ErrorCode.SETTLE_EXCEEDS_HELD,
        "hold " + holdId.value() + " holds " + held + " credits, settle asked for " + requested);
    this.held = held;
    this.requested = requested;
  }

  /**
   * Returns the credits held.
   *
   * @return held credits
   */
  public long held() {
    return held;
  }

  /**
   * Returns the credits the settle asked for.
   *
   * @return requested credits
   */
  public long requested() {
    return requested;
  }
}
