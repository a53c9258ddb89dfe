package io.preprompt.credits.core;

import io.preprompt.credits.core.HoldState;

/**
 * The hold already ended; the exception names the state it ended in. Thrown by settle and release
 * of a hold that is no longer active (unless the call replays an earlier one with the same key).
 */
public final class HoldStateException extends StateException {
  private static final long serialVersionUID = 1L;

  /** The hold that already ended. */
  private final HoldId holdId;
  /** The state it ended in. */
  private final HoldState state;

  /**
   * Creates the exception.
   *
   * @param holdId the hold
   * @param state its terminal state
   */
  public HoldStateException(HoldId holdId, HoldState state) {
    super(codeFor(state), "hold " + holdId.value() + " is already " + state.name().toLowerCase(java.util.Locale.ROOT));
    this.holdId = holdId;
    this.state = state;
  }

  private static ErrorCode codeFor(HoldState state) {
    switch (state) {
      case SETTLED:
        return ErrorCode.HOLD_ALREADY_SETTLED;
      case RELEASED:
        return ErrorCode.HOLD_ALREADY_RELEASED;
      case EXPIRED:
        return ErrorCode.HOLD_EXPIRED;
      default:
        throw new IllegalArgumentException("hold state " + state + " is not terminal");
    }
  }

  /**
   * Returns the hold.
   *
   * @return the hold id
   */
  public HoldId holdId() {
    return holdId;
  }

  /**
   * Returns the terminal state the hold is in.
   *
   * @return the state
   */
  public HoldState state() {
    return state;
  }
}
