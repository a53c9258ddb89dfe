package io.preprompt.credits.gate;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What one model of one kind was charged over a period, with the quantities it was charged for
 * (the actual usage recorded when the generation was settled from it, else what was requested).
 *
 * @param kind the kind
 * @param model the model
 * @param credits credits charged (settled)
 * @param generations how many generations were charged
 * @param quantities the summed quantities per dimension (seconds, tokens), sorted by dimension name;
 *     a sum beyond {@code Long.MAX_VALUE} stays at {@code Long.MAX_VALUE}
 */
public record ModelUsage(GenerationKind kind, String model, long credits, long generations,
    Map<PriceDimension, Long> quantities) {

  /**
   * Checks the values and copies the quantities.
   *
   * @param kind the kind
   * @param model the model
   * @param credits credits charged (settled)
   * @param generations how many generations were charged
   * @param quantities the summed quantities per dimension
   */
  public ModelUsage {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(model, "model");
    if (credits < 0 || generations < 0 || quantities.values().stream().anyMatch(q -> q == null || q < 0)) {
      throw new IllegalArgumentException("credits, generations and quantities must not be negative");
    }
    quantities = Collections.unmodifiableMap(new TreeMap<>(quantities));
  }

  /**
   * Returns the summed quantity of one dimension.
   *
   * @param dimension the dimension
   * @return the sum, 0 when none was counted
   */
  public long quantity(PriceDimension dimension) {
    Long q = quantities.get(dimension);
    return q == null ? 0 : q;
  }
}
