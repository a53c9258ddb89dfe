package io.preprompt.credits.gate;

import java.util.List;

/**
 * An itemized cost estimate of one generation.
 *
 * @param request the request
 * @param lines how the price was built
 * @param credits the cost in whole credits (the exact amount rounded up)
 * @param rateCardVersion the rate card that priced it
 */
public record Estimate(GenerationRequest request, List<EstimateLine> lines, long credits, String rateCardVersion) {
  /**
   * Copies the lines.
   *
   * @param request the request
   * @param lines how the price was built
   * @param credits the cost in whole credits (the exact amount rounded up)
   * @param rateCardVersion the rate card that priced it
   */
  public Estimate {
    lines = List.copyOf(lines);
  }
}
