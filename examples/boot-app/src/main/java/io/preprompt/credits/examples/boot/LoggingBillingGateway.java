package io.preprompt.credits.examples.boot;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.spi.BillingGateway;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Where a real app asks its payment provider to charge: this one only logs what the library asks,
 * with the reference the provider's webhook must send back. The starter calls it after the
 * caller's transaction commits.
 */
@Component
class LoggingBillingGateway implements BillingGateway {
  private static final Logger LOG = LoggerFactory.getLogger(LoggingBillingGateway.class);

  @Override
  public void chargeSubscription(AccountId account, String tierId, long cycle, Instant cycleStart, Instant cycleEnd,
      String reference) {
    LOG.info("charge {} for tier {}, cycle {} ({} to {}); reference {}", account, tierId, cycle, cycleStart, cycleEnd,
        reference);
  }

  @Override
  public void chargePack(AccountId account, String packId, long priceMinor, String currency, String reference) {
    LOG.info("charge {} {} {} for pack {}; reference {}", account, priceMinor, currency, packId, reference);
  }

  @Override
  public void changePlan(AccountId account, String fromTier, String toTier, Instant effectiveAt, String reference) {
    LOG.info("change {} from {} to {} at {}; reference {}", account, fromTier, toTier, effectiveAt, reference);
  }

  @Override
  public void cancelSubscription(AccountId account, Instant effectiveAt, String reference) {
    LOG.info("cancel the subscription of {} at {}; reference {}", account, effectiveAt, reference);
  }
}
