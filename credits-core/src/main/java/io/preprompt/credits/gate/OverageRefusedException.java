package io.preprompt.credits.gate;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.InsufficientCreditsException;
import java.util.Objects;

/**
 * A generation cost more than its hold, and the account's overage policy ({@code refuse()}) found
 * too few available credits for the difference: nothing changed and the hold is still active. It
 * names the shortfall and carries the same upgrade offer an authorization would; the app shows it,
 * then settles what was held (or releases the hold), or extends the hold once the user tops up.
 */
public final class OverageRefusedException extends InsufficientCreditsException {
  private static final long serialVersionUID = 1L;

  /** The hold, still active. */
  private final HoldId hold;
  /** The refusal with its offer; not serialized (the offer holds tiers and packs). */
  private final transient Authorization.InsufficientCredits blocked;

  /**
   * Creates the exception.
   *
   * @param account the account
   * @param hold the hold that stays active
   * @param blocked the balance, the difference asked for beyond the hold, the shortfall and the offer
   */
  public OverageRefusedException(AccountId account, HoldId hold, Authorization.InsufficientCredits blocked) {
    super(account, blocked.available(), blocked.estimate());
    this.hold = Objects.requireNonNull(hold, "hold");
    this.blocked = Objects.requireNonNull(blocked, "blocked");
  }

  /**
   * Returns the hold, still active.
   *
   * @return the hold id
   */
  public HoldId hold() {
    return hold;
  }

  /**
   * Returns what an authorization of the difference would have answered: available credits, the
   * difference, the shortfall and the upgrade offer.
   *
   * @return the refusal, as the gate's other refusals
   */
  public Authorization.InsufficientCredits blocked() {
    return blocked;
  }

  /**
   * Returns the upgrade offer.
   *
   * @return the paid tiers and packs that would cover the shortfall
   */
  public UpgradeOffer offer() {
    return blocked.offer();
  }
}
