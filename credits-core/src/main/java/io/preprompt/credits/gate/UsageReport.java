package io.preprompt.credits.gate;

import io.preprompt.credits.core.AccountId;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Credits charged in {@code [from, to)}, by kind of generation and by kind and model, from the
 * ledger's settle entries.
 *
 * @param account the account
 * @param from inclusive start
 * @param to exclusive end
 * @param byKind usage per kind: every kind of the rate card (zero when unused), then any other kind
 *     that was charged, in that order
 * @param byModel usage per kind and model that was charged, with the quantities, sorted by kind and
 *     model
 * @param otherCredits credits settled on holds not placed by the gate (no kind recorded)
 */
public record UsageReport(AccountId account, Instant from, Instant to, Map<GenerationKind, KindUsage> byKind,
    List<ModelUsage> byModel, long otherCredits) {

  /**
   * Checks the report and copies its parts.
   *
   * @param account the account
   * @param from inclusive start
   * @param to exclusive end
   * @param byKind usage per kind
   * @param byModel usage per kind and model
   * @param otherCredits credits settled on holds not placed by the gate (no kind recorded)
   */
  public UsageReport {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    byKind = Collections.unmodifiableMap(new LinkedHashMap<>(byKind));
    byModel = List.copyOf(byModel);
    if (otherCredits < 0) {
      throw new IllegalArgumentException("otherCredits must not be negative");
    }
  }

  /**
   * Returns the usage of one kind.
   *
   * @param kind the kind
   * @return its usage (zero when unused)
   */
  public KindUsage of(GenerationKind kind) {
    KindUsage u = byKind.get(kind);
    return u == null ? new KindUsage(kind, 0, 0) : u;
  }

  /**
   * Returns the usage of one model of one kind.
   *
   * @param kind the kind
   * @param model the model
   * @return its usage (zero, with no quantities, when unused)
   */
  public ModelUsage of(GenerationKind kind, String model) {
    for (ModelUsage u : byModel) {
      if (u.kind().equals(kind) && u.model().equals(model)) {
        return u;
      }
    }
    return new ModelUsage(kind, model, 0, 0, Map.of());
  }

  /**
   * Returns all credits charged in the period.
   *
   * @return the total, including {@link #otherCredits()}
   * @throws ArithmeticException never for a real ledger (each amount is a valid balance)
   */
  public long totalCredits() {
    long total = otherCredits;
    for (KindUsage u : byKind.values()) {
      total = Math.addExact(total, u.credits());
    }
    return total;
  }
}
