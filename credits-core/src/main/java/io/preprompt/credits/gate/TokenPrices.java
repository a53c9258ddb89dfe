package io.preprompt.credits.gate;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A language model's token prices, in millicredits per million tokens, for
 * {@link ModelRate#perToken}. Input and output are required; cached input and reasoning are
 * optional, and a request that counts tokens of a dimension left unpriced is refused with
 * {@link ErrorCode#UNKNOWN_PRICE_DIMENSION} (so that reasoning tokens are never free by omission).
 * Built with {@link #of} and the {@code with...} methods.
 *
 * @param inputPerMillion millicredits per million input tokens, 0..10^12
 * @param outputPerMillion millicredits per million output tokens, 0..10^12
 * @param cachedInputPerMillion millicredits per million cached input tokens, or null when unpriced
 * @param reasoningPerMillion millicredits per million reasoning tokens, or null when unpriced
 * @param baseMillicredits a fixed price per call, in millicredits, 0..10^9
 */
public record TokenPrices(long inputPerMillion, long outputPerMillion, @Nullable Long cachedInputPerMillion,
    @Nullable Long reasoningPerMillion, long baseMillicredits) {

  /**
   * Checks the prices.
   *
   * @param inputPerMillion millicredits per million input tokens, 0..10^12
   * @param outputPerMillion millicredits per million output tokens, 0..10^12
   * @param cachedInputPerMillion millicredits per million cached input tokens, or null when unpriced
   * @param reasoningPerMillion millicredits per million reasoning tokens, or null when unpriced
   * @param baseMillicredits a fixed price per call, in millicredits, 0..10^9
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when a price is out of
   *     range
   */
  public TokenPrices {
    UnitPrice.perMillion(inputPerMillion);
    UnitPrice.perMillion(outputPerMillion);
    if (cachedInputPerMillion != null) {
      UnitPrice.perMillion(cachedInputPerMillion);
    }
    if (reasoningPerMillion != null) {
      UnitPrice.perMillion(reasoningPerMillion);
    }
    if (baseMillicredits < 0 || baseMillicredits > 1_000_000_000L) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
          "a per-call base needs 0..10^9 millicredits, was " + baseMillicredits);
    }
  }

  /**
   * Returns input and output prices, no base, cached input and reasoning unpriced.
   *
   * @param inputPerMillion millicredits per million input tokens, 0..10^12
   * @param outputPerMillion millicredits per million output tokens, 0..10^12
   * @return the prices
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when out of range
   */
  public static TokenPrices of(long inputPerMillion, long outputPerMillion) {
    return new TokenPrices(inputPerMillion, outputPerMillion, null, null, 0);
  }

  /**
   * Returns a copy that prices cached input tokens.
   *
   * @param perMillion millicredits per million cached input tokens, 0..10^12
   * @return the new prices
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when out of range
   */
  public TokenPrices withCachedInput(long perMillion) {
    return new TokenPrices(inputPerMillion, outputPerMillion, perMillion, reasoningPerMillion, baseMillicredits);
  }

  /**
   * Returns a copy that prices reasoning tokens.
   *
   * @param perMillion millicredits per million reasoning tokens, 0..10^12
   * @return the new prices
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when out of range
   */
  public TokenPrices withReasoning(long perMillion) {
    return new TokenPrices(inputPerMillion, outputPerMillion, cachedInputPerMillion, perMillion, baseMillicredits);
  }

  /**
   * Returns a copy with a fixed price per call.
   *
   * @param millicredits the base, 0..10^9
   * @return the new prices
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when out of range
   */
  public TokenPrices withBase(long millicredits) {
    return new TokenPrices(inputPerMillion, outputPerMillion, cachedInputPerMillion, reasoningPerMillion, millicredits);
  }

  /** The unit prices, in the order estimates list them. */
  Map<PriceDimension, UnitPrice> unitPrices() {
    Map<PriceDimension, UnitPrice> m = new LinkedHashMap<>();
    m.put(PriceDimension.INPUT_TOKENS, UnitPrice.perMillion(inputPerMillion));
    if (cachedInputPerMillion != null) {
      m.put(PriceDimension.CACHED_INPUT_TOKENS, UnitPrice.perMillion(cachedInputPerMillion));
    }
    m.put(PriceDimension.OUTPUT_TOKENS, UnitPrice.perMillion(outputPerMillion));
    if (reasoningPerMillion != null) {
      m.put(PriceDimension.REASONING_TOKENS, UnitPrice.perMillion(reasoningPerMillion));
    }
    return m;
  }
}
