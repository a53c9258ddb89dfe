package io.preprompt.credits.spring.observation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.spring.CreditsDecorator;

/**
 * Counts what no ledger entry records: {@code credits.generations.blocked}, the authorizations the
 * gate refused, tagged {@code reason} ({@code insufficient_credits} or {@code not_in_tier}); and
 * {@code credits.conflicts.retried}, the store commits that found the account changed meanwhile,
 * which the engine retries. A steady stream of conflicts means many writers on one account.
 */
public class CreditsMetricsDecorator implements CreditsDecorator {
  /** The counter of refused authorizations. */
  public static final String BLOCKED = "credits.generations.blocked";
  /** The counter of commits that found a conflict. */
  public static final String CONFLICTS = "credits.conflicts.retried";

  private final Counter insufficientCredits;
  private final Counter notInTier;
  private final Counter conflicts;

  /**
   * Creates the decorator and registers its counters.
   *
   * @param registry where the counters go
   */
  public CreditsMetricsDecorator(MeterRegistry registry) {
    this.insufficientCredits = blocked(registry, "insufficient_credits");
    this.notInTier = blocked(registry, "not_in_tier");
    this.conflicts = Counter.builder(CONFLICTS)
        .description("Store commits that found the account changed meanwhile; the engine retried each")
        .register(registry);
  }

  private static Counter blocked(MeterRegistry registry, String reason) {
    return Counter.builder(BLOCKED)
        .description("Generations the gate did not authorize")
        .tag("reason", reason)
        .register(registry);
  }

  /**
   * Counts the store's conflicts.
   *
   * @param store the store
   * @return the counting store, which passes every call on unchanged
   */
  @Override
  public CreditStore store(CreditStore store) {
    return new ConflictCountingCreditStore(store, conflicts);
  }

  /**
   * Counts the gate's refused authorizations.
   *
   * @param gate the gate
   * @return the counting gate, which passes every call on unchanged
   */
  @Override
  public GenerationGate gate(GenerationGate gate) {
    return new BlockCountingGenerationGate(gate, insufficientCredits, notInTier);
  }
}
