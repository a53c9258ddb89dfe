package io.preprompt.credits.gate;

import io.preprompt.credits.core.AmountOverflow;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A versioned price list, and the estimator that applies it. The card defines the kinds it prices
 * ({@link #kinds()}) and, per kind and model, a {@link ModelRate}: media by the second, language
 * models by the token, other calls at a flat price.
 *
 * <p>Prices are in millicredits. An item's exact price is
 * {@code (base + Σ quantity_d * price_d / per_d) * resolutionFactor * variants * (reshot ? reshotFactor : 1)}
 * over the dimensions {@code d} its rate prices (seconds at a price per second, tokens at a price per
 * million), computed as an exact fraction; <b>the one rounding rule</b>: that exact amount is
 * rounded up to the next whole credit, once per item, never per dimension. A batch total is the sum
 * of its items' whole-credit costs.
 *
 * <p>A request that counts a quantity its rate does not price is refused
 * ({@link ErrorCode#UNKNOWN_PRICE_DIMENSION}); the one exception is a media request's duration,
 * which a rate without a per-second price ignores, as it always has.
 */
public final class RateCard {
  private final String version;
  private final Map<String, ModelRate> rates;
  private final List<ModelRate> ordered;
  private final Ratio reshotFactor;

  private RateCard(String version, Map<String, ModelRate> rates, List<ModelRate> ordered, Ratio reshotFactor) {
    this.version = version;
    this.rates = rates;
    this.ordered = ordered;
    this.reshotFactor = reshotFactor;
  }

  /**
   * Builds a rate card.
   *
   * @param version the card's version, recorded on every estimate
   * @param rates one rate per (kind, model)
   * @param reshotFactor the factor applied to reshots (for example 1/2)
   * @return the card
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for a blank version,
   *     no rates, or two rates for the same kind and model
   */
  public static RateCard of(String version, List<ModelRate> rates, Ratio reshotFactor) {
    if (version == null || version.isBlank()) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "a rate card needs a version");
    }
    if (rates == null || rates.isEmpty() || rates.stream().anyMatch(r -> r == null)) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "a rate card needs at least one rate, and no nulls");
    }
    if (reshotFactor == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "a rate card needs a reshot factor");
    }
    Map<String, ModelRate> m = new LinkedHashMap<>();
    for (ModelRate r : rates) {
      if (m.put(key(r.kind(), r.model()), r) != null) {
        throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
            "two rates for " + r.kind() + "/" + r.model() + " in rate card " + version);
      }
    }
    return new RateCard(version, Map.copyOf(m), List.copyOf(m.values()), reshotFactor);
  }

  /**
   * Returns a card with more rates: these are added, and each replaces the rate of the same kind and
   * model, if any. A host adds its language models to {@link #defaults()} this way.
   *
   * @param newVersion the new card's version, not this card's
   * @param more the rates to add or replace, at least one
   * @return the new card, with this card's reshot factor
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for a blank or unchanged
   *     version, no rates, a null, or two new rates for the same kind and model
   */
  public RateCard with(String newVersion, ModelRate... more) {
    if (newVersion == null || newVersion.isBlank() || newVersion.equals(version)) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
          "a changed rate card needs a new version, not '" + newVersion + "'");
    }
    if (more == null || more.length == 0) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "a changed rate card needs at least one rate");
    }
    Map<String, ModelRate> added = new LinkedHashMap<>();
    for (ModelRate r : more) {
      if (r == null) {
        throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "a rate must not be null");
      }
      if (added.put(key(r.kind(), r.model()), r) != null) {
        throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
            "two rates for " + r.kind() + "/" + r.model() + " in rate card " + newVersion);
      }
    }
    List<ModelRate> all = new ArrayList<>();
    for (ModelRate r : ordered) {
      all.add(added.getOrDefault(key(r.kind(), r.model()), r));
    }
    for (ModelRate r : added.values()) {
      if (!rates.containsKey(key(r.kind(), r.model()))) {
        all.add(r);
      }
    }
    return of(newVersion, all, reshotFactor);
  }

  /**
   * Returns the kinds this card prices, in the order their first rate was listed.
   *
   * @return the kinds, immutable, at least one
   */
  public List<GenerationKind> kinds() {
    Set<GenerationKind> kinds = new LinkedHashSet<>();
    for (ModelRate r : ordered) {
      kinds.add(r.kind());
    }
    return List.copyOf(kinds);
  }

  /**
   * Returns every rate, in the order the card lists them.
   *
   * @return the rates, immutable
   */
  public List<ModelRate> rates() {
    return ordered;
  }

  /**
   * Returns the rate of one kind and model.
   *
   * @param kind the kind
   * @param model the model
   * @return the rate, empty when this card does not price them
   */
  public Optional<ModelRate> rate(GenerationKind kind, String model) {
    return Optional.ofNullable(rates.get(key(kind, model)));
  }

  /**
   * Returns the factor applied to reshots.
   *
   * @return the factor, for example 1/2
   */
  public Ratio reshotFactor() {
    return reshotFactor;
  }

  private static String key(GenerationKind kind, String model) {
    return kind + "/" + model;
  }

  /**
   * Returns the default card {@code 2026-11}, chosen so that the 200 signup credits cover a
   * 6-10-beat scene with two Actors and a Set with room for reshots: a standard 720p image costs 8
   * credits, so two Actors, a Set and ten beats are 13 images = 104 credits, and six reshots at half
   * price add 24.
   *
   * @return the default rate card
   */
  public static RateCard defaults() {
    Map<String, Ratio> image = Map.of("720p", Ratio.ONE, "1080p", Ratio.of(3, 2), "1440p", Ratio.of(2, 1),
        "4k", Ratio.of(3, 1));
    List<ModelRate> rates = new ArrayList<>();
    rates.add(ModelRate.perCall(GenerationKind.IMAGE, "standard", 8_000, image));
    rates.add(ModelRate.perCall(GenerationKind.IMAGE, "pro", 12_000, image));
    rates.add(ModelRate.perCall(GenerationKind.IMAGE, "cinematic", 20_000, image));
    rates.add(ModelRate.perCall(GenerationKind.IMAGE, "ultra", 30_000, image));
    rates.add(ModelRate.perSecond(GenerationKind.VIDEO_CLIP, "standard", 5_000, 4_000, image));
    rates.add(ModelRate.perSecond(GenerationKind.VIDEO_CLIP, "pro", 8_000, 6_500, image));
    rates.add(ModelRate.perSecond(GenerationKind.VIDEO_CLIP, "cinematic", 12_000, 10_000, image));
    rates.add(ModelRate.perSecond(GenerationKind.VOICE_LINE, "standard", 500, 300, Map.of()));
    rates.add(ModelRate.perSecond(GenerationKind.VOICE_LINE, "pro", 1_000, 600, Map.of()));
    rates.add(ModelRate.perSecond(GenerationKind.MUSIC_CUE, "standard", 2_000, 500, Map.of()));
    rates.add(ModelRate.perSecond(GenerationKind.MUSIC_CUE, "pro", 4_000, 900, Map.of()));
    return of("2026-11", rates, Ratio.of(1, 2));
  }

  /**
   * Returns the version.
   *
   * @return the version
   */
  public String version() {
    return version;
  }

  /**
   * Estimates one generation.
   *
   * @param request what to generate
   * @return the itemized estimate
   * @throws InvalidRequestException with {@link ErrorCode#UNKNOWN_MODEL}, {@link ErrorCode#UNKNOWN_RESOLUTION}
   *     or {@link ErrorCode#UNKNOWN_PRICE_DIMENSION} when the card does not price the request, or
   *     {@link ErrorCode#AMOUNT_OVERFLOW} when its price is beyond the credit range (any quantity up to
   *     {@code Long.MAX_VALUE} gives this error, never an arithmetic exception)
   */
  public Estimate estimate(GenerationRequest request) {
    if (request == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "request must not be null");
    }
    ModelRate rate = rates.get(key(request.kind(), request.model()));
    if (rate == null) {
      throw new InvalidRequestException(ErrorCode.UNKNOWN_MODEL,
          "rate card " + version + " has no price for " + request.kind() + " with model '" + request.model() + "'");
    }
    Ratio resolution = Ratio.ONE;
    if (!rate.resolutionFactors().isEmpty() || request.resolution() != null) {
      resolution = request.resolution() == null ? null : rate.resolutionFactors().get(request.resolution());
      if (resolution == null) {
        throw new InvalidRequestException(ErrorCode.UNKNOWN_RESOLUTION, "rate card " + version + " has no resolution '"
            + request.resolution() + "' for " + request.kind() + "/" + request.model() + "; priced: "
            + rate.resolutionFactors().keySet());
      }
    }
    for (Map.Entry<PriceDimension, Long> q : request.quantities().entrySet()) {
      // A media request's duration is ignored by a rate without a per-second price, as it always was.
      if (!q.getKey().equals(PriceDimension.SECONDS) && !rate.prices().containsKey(q.getKey())) {
        throw new InvalidRequestException(ErrorCode.UNKNOWN_PRICE_DIMENSION, "rate card " + version + " does not price "
            + q.getKey() + " for " + request.kind() + "/" + request.model() + " (the request counts " + q.getValue()
            + "); it prices " + (rate.prices().isEmpty() ? "a flat call" : rate.prices().keySet().toString()));
      }
    }
    List<EstimateLine> lines = new ArrayList<>();
    BigInteger num = BigInteger.valueOf(rate.baseMillis());
    BigInteger den = BigInteger.ONE;
    lines.add(new EstimateLine("base", request.kind() + " " + request.model() + ": " + rate.baseMillis() + " mc", rate.baseMillis()));
    for (Map.Entry<PriceDimension, UnitPrice> p : rate.prices().entrySet()) {
      long quantity = request.quantity(p.getKey());
      if (quantity == 0) {
        continue;
      }
      UnitPrice price = p.getValue();
      BigInteger per = BigInteger.valueOf(price.per());
      num = num.multiply(per).add(BigInteger.valueOf(quantity).multiply(BigInteger.valueOf(price.millicredits())).multiply(den));
      den = den.multiply(per);
      boolean seconds = p.getKey().equals(PriceDimension.SECONDS) && price.per() == 1;
      lines.add(seconds
          ? new EstimateLine("per-second", quantity + " s x " + price.millicredits() + " mc", ceil(num, den))
          : new EstimateLine(p.getKey().name(), p.getKey().label() + ": " + quantity + " x " + price, ceil(num, den)));
    }
    if (request.resolution() != null) {
      num = num.multiply(BigInteger.valueOf(resolution.numerator()));
      den = den.multiply(BigInteger.valueOf(resolution.denominator()));
      lines.add(new EstimateLine("resolution", request.resolution() + " x " + resolution, ceil(num, den)));
    }
    if (request.variants() > 1) {
      num = num.multiply(BigInteger.valueOf(request.variants()));
      lines.add(new EstimateLine("variants", "x " + request.variants(), ceil(num, den)));
    }
    if (request.reshot()) {
      num = num.multiply(BigInteger.valueOf(reshotFactor.numerator()));
      den = den.multiply(BigInteger.valueOf(reshotFactor.denominator()));
      lines.add(new EstimateLine("reshot", "x " + reshotFactor, ceil(num, den)));
    }
    long credits = ceil(num, den.multiply(BigInteger.valueOf(1000)));
    lines.add(new EstimateLine("rounding", "rounded up to whole credits: " + credits, AmountOverflow.multiply(credits, 1000)));
    return new Estimate(request, lines, credits, version);
  }

  private static long ceil(BigInteger num, BigInteger den) {
    BigInteger[] qr = num.divideAndRemainder(den);
    BigInteger q = qr[1].signum() == 0 ? qr[0] : qr[0].add(BigInteger.ONE);
    if (q.bitLength() > 62) {
      throw new InvalidRequestException(ErrorCode.AMOUNT_OVERFLOW, "estimate exceeds the credit range");
    }
    return q.longValue();
  }

  /**
   * Estimates a scene: each item and the total.
   *
   * @param requests the items, at least one, at most 500
   * @return the batch estimate
   * @throws InvalidRequestException when the list is empty or too long, or an item cannot be priced
   */
  public BatchEstimate estimateBatch(List<GenerationRequest> requests) {
    if (requests == null || requests.isEmpty() || requests.size() > 500) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "a batch needs 1..500 requests");
    }
    List<Estimate> items = new ArrayList<>(requests.size());
    long total = 0;
    for (GenerationRequest r : requests) {
      Estimate e = estimate(r);
      items.add(e);
      total = AmountOverflow.add(total, e.credits());
    }
    return new BatchEstimate(items, total, version);
  }

  /**
   * Tells how many more of a generation a balance affords.
   *
   * @param available available credits
   * @param request the generation
   * @return {@code available / cost}, rounded down
   */
  public long affordable(long available, GenerationRequest request) {
    long cost = estimate(request).credits();
    return cost == 0 ? Long.MAX_VALUE : Math.max(0, available) / cost;
  }
}
