package io.preprompt.credits.gate;

import java.util.List;

/**
 * The estimate of a scene: one estimate per item and their total.
 *
 * @param items per-item estimates, in request order
 * @param totalCredits the sum of the items' whole-credit costs
 * @param rateCardVersion the rate card that priced them
 */
public record BatchEstimate(List<Estimate> items, long totalCredits, String rateCardVersion) {
  /**
   * Copies the items.
   *
   * @param items per-item estimates, in request order
   * @param totalCredits the sum of the items' whole-credit costs
   * @param rateCardVersion the rate card that priced them
   */
  public BatchEstimate {
    items = List.copyOf(items);
  }
}
