package io.preprompt.credits.spring.observation;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditsException;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.spi.HoldSelection;
import java.time.Instant;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Reports whether the credit store answers: it loads an account that need not exist, the read every
 * call starts with, so it reaches the accounts, lots and holds tables and nothing else. UP when the
 * read answers; DOWN with the {@code code} (such as {@code SCHEMA_NOT_INSTALLED} or
 * {@code STORE_FAILURE}) and {@code message} of the store's failure otherwise.
 */
public class CreditsHealthIndicator extends AbstractHealthIndicator {
  /** The account the probe reads; it is never created. */
  static final AccountId PROBE = AccountId.of("credits-health-probe");

  private final CreditStore store;

  /**
   * Creates the indicator.
   *
   * @param store the store to probe
   */
  public CreditsHealthIndicator(CreditStore store) {
    super("the credit store could not be read");
    this.store = store;
  }

  /**
   * Probes the store.
   *
   * @param builder the health to fill in
   */
  @Override
  protected void doHealthCheck(Health.Builder builder) {
    try {
      store.load(PROBE, HoldSelection.overdueAt(Instant.EPOCH));
      builder.up();
    } catch (CreditsException e) {
      builder.down().withDetail("code", e.code().name()).withDetail("message", String.valueOf(e.getMessage()));
    }
  }
}
