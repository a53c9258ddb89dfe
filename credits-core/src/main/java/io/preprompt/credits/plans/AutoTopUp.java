package io.preprompt.credits.plans;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;

/**
 * An account's automatic top-up: when its available credits fall below {@code thresholdCredits}
 * after a change, the library buys the pack {@code packId} through the billing gateway, at most once
 * per fall below the threshold and never above {@code monthlyCapMinor} a calendar month (see
 * {@link PlanService#enableAutoTopUp}). The cap is in minor units of the pack's currency.
 *
 * @param thresholdCredits buy when available credits fall below this; positive
 * @param packId the pack to buy
 * @param monthlyCapMinor the most charged for top-ups in a calendar month, in minor units of the
 *     pack's currency; positive, and at least the pack's price (checked when enabled)
 */
public record AutoTopUp(long thresholdCredits, String packId, long monthlyCapMinor) {
  /**
   * Checks the values.
   *
   * @param thresholdCredits buy when available credits fall below this
   * @param packId the pack to buy
   * @param monthlyCapMinor the most charged for top-ups in a calendar month, in minor units
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_AMOUNT} for a threshold or cap not
   *     positive, or {@link ErrorCode#INVALID_ARGUMENT} for a missing or blank pack id
   */
  public AutoTopUp {
    if (thresholdCredits <= 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_AMOUNT,
          "a top-up threshold must be a positive number of credits, was " + thresholdCredits);
    }
    if (monthlyCapMinor <= 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_AMOUNT,
          "a top-up's monthly cap must be positive, was " + monthlyCapMinor);
    }
    if (packId == null || packId.isBlank()) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "a top-up needs a pack id, not blank");
    }
  }
}
