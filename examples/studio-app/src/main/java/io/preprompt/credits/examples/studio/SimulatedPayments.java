package io.preprompt.credits.examples.studio;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.plans.BillingEvent;
import io.preprompt.credits.plans.BillingOutcome;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.plans.Tier;
import io.preprompt.credits.spi.BillingGateway;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A payment provider that always pays, behind the library's billing port. The library asks it to
 * charge after its own commit (the starter sees to that); like a real provider it answers later, on
 * its own thread: {@link StudioProperties#paymentDelay()} after the request it confirms the payment
 * to the library ({@link PlanService#handle}), as a provider's webhook would. The confirmation is
 * keyed by the charge's reference, so a request the library sends again is paid once.
 *
 * <p>What it was asked is kept in {@code studio_payments} for the billing page.
 */
@Component
class SimulatedPayments implements BillingGateway {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedPayments.class);

  private final JdbcClient jdbc;
  private final ObjectProvider<PlanService> plans;
  private final ScheduledExecutorService background;
  private final StudioProperties properties;
  private final InstantSource clock;

  // The plan service is built from this gateway: it is looked up when a payment confirms.
  SimulatedPayments(JdbcClient jdbc, ObjectProvider<PlanService> plans, ScheduledExecutorService studioExecutor,
      StudioProperties properties, InstantSource clock) {
    this.jdbc = jdbc;
    this.plans = plans;
    this.background = studioExecutor;
    this.properties = properties;
    this.clock = clock;
  }

  /**
   * A charge or a notice the provider received.
   *
   * @param reference the library's reference
   * @param description what it is, for people
   * @param amount what was charged, written out; empty for a notice
   * @param status {@code PENDING}, {@code PAID} or {@code NOTED}
   * @param askedAt when the provider was asked
   */
  record Payment(String reference, String description, String amount, String status, Instant askedAt) {}

  @Override
  public void chargeSubscription(AccountId account, String tierId, long cycle, Instant cycleStart, Instant cycleEnd,
      String reference) {
    String tier = plans.getObject().tiers().find(tierId).map(Tier::name).orElse(tierId);
    Long price = properties.tierPrices().get(tierId);
    ask(account, reference, tier + " subscription, cycle " + (cycle + 1), price, properties.currency(),
        new BillingEvent.CyclePaid(eventId(reference), account, cycle));
  }

  @Override
  public void chargePack(AccountId account, String packId, long priceMinor, String currency, String reference) {
    long credits = plans.getObject().packs().find(packId).map(p -> p.credits()).orElse(0L);
    ask(account, reference, "Credit pack: " + credits + " credits", priceMinor, currency,
        new BillingEvent.PackPaid(eventId(reference), account, packId, reference, priceMinor, currency));
  }

  @Override
  public void changePlan(AccountId account, String fromTier, String toTier, Instant effectiveAt, String reference) {
    String to = plans.getObject().tiers().find(toTier).map(Tier::name).orElse(toTier);
    ask(account, reference, "Change to " + to + " from " + effectiveAt, null, null, null);
  }

  @Override
  public void cancelSubscription(AccountId account, Instant effectiveAt, String reference) {
    ask(account, reference, "Cancel the subscription at " + effectiveAt, null, null, null);
  }

  /**
   * Lists what the provider was asked for an account, newest first.
   *
   * @param account the account
   * @return the charges and notices
   */
  List<Payment> of(AccountId account) {
    return jdbc.sql("SELECT * FROM studio_payments WHERE account_id = ? ORDER BY asked_at DESC, reference")
        .param(account.value())
        .query((rs, row) -> new Payment(rs.getString("reference"), rs.getString("description"),
            rs.getObject("amount_minor") == null ? "" : Views.money(rs.getLong("amount_minor"), rs.getString("currency")),
            rs.getString("status"),
            rs.getObject("asked_at", OffsetDateTime.class).toInstant()))
        .list();
  }

  private static String eventId(String reference) {
    return "sim:" + reference;
  }

  /** Records the request and, for a charge, confirms it later: all on the provider's own thread. */
  private void ask(AccountId account, String reference, String description, @Nullable Long amountMinor,
      @Nullable String currency, @Nullable BillingEvent confirmation) {
    Instant now = clock.instant();
    try {
      background.execute(() -> record(account, reference, description, amountMinor, currency,
          confirmation == null ? "NOTED" : "PENDING", now));
      if (confirmation != null) {
        background.schedule(() -> confirm(reference, confirmation), properties.paymentDelay().toMillis(),
            TimeUnit.MILLISECONDS);
      }
    } catch (RejectedExecutionException e) {
      // The app is stopping; the library sends the request again (renewDue) under the same reference.
      throw new IllegalStateException("the payment provider is stopping", e);
    }
  }

  private void record(AccountId account, String reference, String description, @Nullable Long amountMinor,
      @Nullable String currency, String status, Instant now) {
    int updated = jdbc.sql("UPDATE studio_payments SET asked_at = ? WHERE reference = ?")
        .params(OffsetDateTime.ofInstant(now, ZoneOffset.UTC), reference).update();
    if (updated == 0) {
      jdbc.sql("INSERT INTO studio_payments (reference, account_id, description, amount_minor, currency, status,"
              + " asked_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
          .params(reference, account.value(), description, amountMinor, currency, status,
              OffsetDateTime.ofInstant(now, ZoneOffset.UTC))
          .update();
    }
  }

  private void confirm(String reference, BillingEvent event) {
    try {
      BillingOutcome outcome = plans.getObject().handle(event);
      LOG.info("simulated payment {}: {} ({})", reference, outcome.effect(), outcome.detail());
      jdbc.sql("UPDATE studio_payments SET status = 'PAID' WHERE reference = ?").param(reference).update();
    } catch (RuntimeException e) {
      LOG.warn("simulated payment {} was refused by the library", reference, e);
      jdbc.sql("UPDATE studio_payments SET status = 'REFUSED' WHERE reference = ?").param(reference).update();
    }
  }
}
