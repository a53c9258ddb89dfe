package io.preprompt.credits.gate;

import io.preprompt.credits.core.AccountId;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * Credits charged in {@code [from, to)}, by kind of generation, from the ledger's settle entries.
 *
 * @param account the account
 * @param from inclusive start
 * @param to exclusive end
 * @param byKind usage per kind; every kind is present, zero when unused
 * @param otherCredits credits settled on holds not placed by the gate (no kind recorded)
 */
public record UsageReport(AccountId account, Instant from, Instant to, Map<GenerationKind, KindUsage> byKind,
    long otherCredits) {

  /**
   * Checks the report and fills in unused kinds.
   *
   * @param account the account
   * @param from inclusive start
   * @param to exclusive end
   * @param byKind usage per kind; every kind is present, zero when unused
   * @param otherCredits credits settled on holds not placed by the gate (no kind recorded)
   */
  public UsageReport {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    EnumMap<GenerationKind, KindUsage> all = new EnumMap<>(GenerationKind.class);
    for (GenerationKind k : GenerationKind.values()) {
      KindUsage u = byKind.get(k);
      all.put(k, u == null ? new KindUsage(k, 0, 0) : u);
    }
    byKind = java.util.Collections.unmodifiableMap(all);
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
    return byKind.get(kind);
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
