package io.preprompt.credits.gate;

import java.util.Objects;

/**
 * Credits charged for one kind of generation over a period.
 *
 * @param kind the kind
 * @param credits credits charged (settled)
 * @param generations how many generations were charged
 */
public record KindUsage(GenerationKind kind, long credits, long generations) {
  /**
   * Checks the values.
   *
   * @param kind the kind
   * @param credits credits charged (settled)
   * @param generations how many generations were charged
   */
  public KindUsage {
    Objects.requireNonNull(kind, "kind");
    if (credits < 0 || generations < 0) {
      throw new IllegalArgumentException("credits and generations must not be negative");
    }
  }
}
