package io.preprompt.credits.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The one rounding rule for token prices, restated independently of the estimator: an item's cost
 * is the exact fraction {@code (base + Σ tokens × price / 1M) × variants / 1000} rounded up to the
 * next whole credit, and it never falls when any quantity grows.
 */
class TokenPricingProperties {
  private static final GenerationKind CHAT = GenerationKind.of("CHAT");

  @Provide
  Arbitrary<Long> tokens() {
    return Arbitraries.oneOf(Arbitraries.longs().between(0, 5_000), Arbitraries.longs().between(0, 10_000_000_000L));
  }

  @Provide
  Arbitrary<Long> prices() {
    return Arbitraries.oneOf(Arbitraries.longs().between(0, 1_000), Arbitraries.longs().between(0, 100_000_000L));
  }

  private static ModelRate rate(long base, long input, long output, long cached, long reasoning) {
    return ModelRate.perToken(CHAT, "m", TokenPrices.of(input, output).withCachedInput(cached).withReasoning(reasoning)
        .withBase(base));
  }

  private static RateCard card(ModelRate rate) {
    return RateCard.of("p", java.util.List.of(rate), Ratio.ONE);
  }

  @Property(tries = 500)
  @Label("a token estimate is the exact fraction rounded up to the next whole credit, once")
  void estimate_isCeilingOfExactFraction(@ForAll("prices") long input, @ForAll("prices") long output,
      @ForAll("prices") long cached, @ForAll("prices") long reasoning, @ForAll("tokens") long in,
      @ForAll("tokens") long out, @ForAll("tokens") long cachedIn, @ForAll("tokens") long thinking,
      @ForAll @IntRange(min = 0, max = 5_000) int base, @ForAll @IntRange(min = 1, max = 64) int variants) {
    if (base + input + output + cached + reasoning == 0) {
      base = 1;
    }
    RateCard card = card(rate(base, input, output, cached, reasoning));
    GenerationRequest r = GenerationRequest.tokens(CHAT, "m", in, out).withCachedInputTokens(cachedIn)
        .withReasoningTokens(thinking).withVariants(variants);
    BigInteger million = BigInteger.valueOf(1_000_000);
    BigInteger exactTimesMillion = BigInteger.valueOf(base).multiply(million)
        .add(BigInteger.valueOf(in).multiply(BigInteger.valueOf(input)))
        .add(BigInteger.valueOf(out).multiply(BigInteger.valueOf(output)))
        .add(BigInteger.valueOf(cachedIn).multiply(BigInteger.valueOf(cached)))
        .add(BigInteger.valueOf(thinking).multiply(BigInteger.valueOf(reasoning)))
        .multiply(BigInteger.valueOf(variants));
    BigInteger denominator = million.multiply(BigInteger.valueOf(1_000));
    BigInteger[] qr = exactTimesMillion.divideAndRemainder(denominator);
    long expected = qr[0].add(qr[1].signum() > 0 ? BigInteger.ONE : BigInteger.ZERO).longValueExact();

    assertThat(card.estimate(r).credits()).isEqualTo(expected);
  }

  @Property(tries = 500)
  @Label("a token estimate never falls when any one quantity grows")
  void estimate_isMonotoneInEachQuantity(@ForAll("prices") long input, @ForAll("prices") long output,
      @ForAll("prices") long cached, @ForAll("prices") long reasoning, @ForAll("tokens") long in,
      @ForAll("tokens") long out, @ForAll("tokens") long cachedIn, @ForAll("tokens") long thinking,
      @ForAll @IntRange(min = 0, max = 3) int which, @ForAll("tokens") long more) {
    RateCard card = card(rate(1, input, output, cached, reasoning));
    GenerationRequest r = GenerationRequest.tokens(CHAT, "m", in, out).withCachedInputTokens(cachedIn)
        .withReasoningTokens(thinking);
    PriceDimension d = switch (which) {
      case 0 -> PriceDimension.INPUT_TOKENS;
      case 1 -> PriceDimension.OUTPUT_TOKENS;
      case 2 -> PriceDimension.CACHED_INPUT_TOKENS;
      default -> PriceDimension.REASONING_TOKENS;
    };
    GenerationRequest bigger = r.with(d, r.quantity(d) + more);

    assertThat(card.estimate(bigger).credits()).isGreaterThanOrEqualTo(card.estimate(r).credits());
  }
}
