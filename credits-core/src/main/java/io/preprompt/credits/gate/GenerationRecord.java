package io.preprompt.credits.gate;

import io.preprompt.credits.core.HoldId;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * One generation's cost, read from the ledger: what was estimated and held, what was charged, and
 * how it ended.
 *
 * @param hold the generation's hold
 * @param kind what was generated
 * @param model the model
 * @param estimate the estimate in credits when it was authorized
 * @param held credits held: the estimate, plus any extensions
 * @param actual credits charged (0 unless {@link GenerationOutcome#SUCCEEDED}); above {@code held} when
 *     it was settled above its hold (the difference drawn from the balance, or owed as debt)
 * @param outcome how it ended
 * @param startedAt when it was authorized
 * @param endedAt when it ended, or {@code null} while pending
 * @param rateCardVersion the rate card that priced it
 * @param reason the reason given when it was released, or {@code null}
 * @param quantities the quantities requested (seconds, tokens), sorted by dimension name
 * @param actualQuantities the quantities it was settled from ({@link GenerationGate#succeeded(
 *     io.preprompt.credits.core.AccountId, HoldId, GenerationRequest, io.preprompt.credits.core.IdempotencyKey)}),
 *     empty when it was settled by amount or did not succeed
 */
public record GenerationRecord(HoldId hold, GenerationKind kind, String model, long estimate, long held, long actual,
    GenerationOutcome outcome, Instant startedAt, @Nullable Instant endedAt, String rateCardVersion,
    @Nullable String reason, Map<PriceDimension, Long> quantities, Map<PriceDimension, Long> actualQuantities) {

  /**
   * Checks the record.
   *
   * @param hold the generation's hold
   * @param kind what was generated
   * @param model the model
   * @param estimate the estimate in credits when it was authorized
   * @param held credits held: the estimate, plus any extensions
   * @param actual credits charged (0 unless {@link GenerationOutcome#SUCCEEDED}); may exceed {@code held}
   * @param outcome how it ended
   * @param startedAt when it was authorized
   * @param endedAt when it ended, or {@code null} while pending
   * @param rateCardVersion the rate card that priced it
   * @param reason the reason given when it was released, or {@code null}
   * @param quantities the quantities requested
   * @param actualQuantities the quantities it was settled from, empty when none were given
   */
  public GenerationRecord {
    Objects.requireNonNull(hold, "hold");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(rateCardVersion, "rateCardVersion");
    if (estimate < 0 || held < 0 || actual < 0) {
      throw new IllegalArgumentException("estimate, held and actual must be non-negative");
    }
    quantities = Collections.unmodifiableMap(new TreeMap<>(quantities));
    actualQuantities = Collections.unmodifiableMap(new TreeMap<>(actualQuantities));
  }

  /**
   * Returns when the generation ended.
   *
   * @return the end, empty while pending
   */
  public Optional<Instant> ended() {
    return Optional.ofNullable(endedAt);
  }

  /**
   * Tells whether the charge differs from the estimate (what support is asked about).
   *
   * @return true when it succeeded for another amount than estimated
   */
  public boolean chargeDiffersFromEstimate() {
    return outcome == GenerationOutcome.SUCCEEDED && actual != estimate;
  }
}
