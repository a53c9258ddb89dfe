package io.preprompt.credits.core;

import io.preprompt.credits.Credits;

/**
 * The states of a hold. A hold starts {@link #ACTIVE} and ends exactly once in one of the other
 * three states, which are terminal.
 */
public enum HoldState {
  /** Credits are reserved; the generation is running. */
  ACTIVE,
  /** The generation succeeded; the settled credits are spent and the rest returned. */
  SETTLED,
  /** The generation failed, was blocked or cancelled; all credits returned. */
  RELEASED,
  /** The deadline passed with no answer; all credits returned automatically. */
  EXPIRED;

  /**
   * Tells whether the state is terminal.
   *
   * @return {@code true} for every state but {@link #ACTIVE}
   */
  public boolean isTerminal() {
    return this != ACTIVE;
  }
}
