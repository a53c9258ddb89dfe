package io.preprompt.credits.spring;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.spi.BillingGateway;
import java.time.Instant;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The host's billing gateway, called only once the caller's Spring transaction commits: a
 * subscription or pack bought inside a transaction that then rolls back is never charged. Outside a
 * transaction each call goes out at once. A call made after the commit cannot fail the caller's
 * (already returned) method, so its failure is logged; the plan service's open charge or order
 * stays as it does when the payment system never answers (see {@code PlanService}).
 */
public final class AfterCommitBillingGateway implements BillingGateway {
  private static final Logger LOG = LoggerFactory.getLogger(AfterCommitBillingGateway.class);
  private final BillingGateway gateway;

  /**
   * Wraps a gateway.
   *
   * @param gateway the host's gateway
   */
  public AfterCommitBillingGateway(BillingGateway gateway) {
    this.gateway = Objects.requireNonNull(gateway, "gateway");
  }

  private void afterCommit(String what, Runnable call) {
    if (!TransactionSynchronizationManager.isSynchronizationActive()) {
      call.run();
      return;
    }
    TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
      @Override
      public void afterCommit() {
        try {
          call.run();
        } catch (RuntimeException e) {
          LOG.error("billing gateway call {} failed after the transaction committed", what, e);
        }
      }
    });
  }

  @Override
  public void chargeSubscription(AccountId account, String tierId, long cycle, Instant cycleStart, Instant cycleEnd,
      String reference) {
    afterCommit(reference, () -> gateway.chargeSubscription(account, tierId, cycle, cycleStart, cycleEnd, reference));
  }

  @Override
  public void chargePack(AccountId account, String packId, long priceMinor, String currency, String reference) {
    afterCommit(reference, () -> gateway.chargePack(account, packId, priceMinor, currency, reference));
  }

  @Override
  public void changePlan(AccountId account, String fromTier, String toTier, Instant effectiveAt, String reference) {
    afterCommit(reference, () -> gateway.changePlan(account, fromTier, toTier, effectiveAt, reference));
  }

  @Override
  public void cancelSubscription(AccountId account, Instant effectiveAt, String reference) {
    afterCommit(reference, () -> gateway.cancelSubscription(account, effectiveAt, reference));
  }
}
