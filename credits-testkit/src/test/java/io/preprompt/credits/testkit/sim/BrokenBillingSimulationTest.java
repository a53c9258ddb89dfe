package io.preprompt.credits.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.CreditsException;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.plans.BillingEvent;
import io.preprompt.credits.plans.BillingOutcome;
import io.preprompt.credits.plans.PackCatalog;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.spi.BillingGateway;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The billing checks are themselves tested: a billing layer that behaves as the one before issue 15
 * did (a cycle charged again under another reference after a lost race; a payment credited at its
 * word), or one whose automatic top-up runs away, must be caught, with the seed and a shrunk history.
 */
@DisplayName("The simulation catches a broken billing layer")
class BrokenBillingSimulationTest {

  /** Passes every request to the gateway it wraps; a broken variant overrides what it breaks. */
  private static class Forwarding implements BillingGateway {
    final BillingGateway gateway;

    Forwarding(BillingGateway gateway) {
      this.gateway = gateway;
    }

    @Override
    public void chargeSubscription(AccountId account, String tierId, long cycle, Instant cycleStart, Instant cycleEnd,
        String reference) {
      gateway.chargeSubscription(account, tierId, cycle, cycleStart, cycleEnd, reference);
    }

    @Override
    public void chargePack(AccountId account, String packId, long priceMinor, String currency, String reference) {
      gateway.chargePack(account, packId, priceMinor, currency, reference);
    }

    @Override
    public void changePlan(AccountId account, String fromTier, String toTier, Instant effectiveAt, String reference) {
      gateway.changePlan(account, fromTier, toTier, effectiveAt, reference);
    }

    @Override
    public void cancelSubscription(AccountId account, Instant effectiveAt, String reference) {
      gateway.cancelSubscription(account, effectiveAt, reference);
    }
  }

  /** As before: after a conflict the renewal charged the cycle again, under a reference of its own. */
  private static final BillingVariant CHARGES_AGAIN = new BillingVariant() {
    @Override
    public BillingGateway gateway(BillingGateway gateway) {
      return new Forwarding(gateway) {
        @Override
        public void chargeSubscription(AccountId account, String tierId, long cycle, Instant cycleStart,
            Instant cycleEnd, String reference) {
          gateway.chargeSubscription(account, tierId, cycle, cycleStart, cycleEnd, reference);
          if (cycle > 0) {
            gateway.chargeSubscription(account, tierId, cycle, cycleStart, cycleEnd,
                "renewal:" + account.value() + ":" + cycleStart.getEpochSecond());
          }
        }
      };
    }
  };

  /** As before: a pack payment that matches no order is granted at its word, keyed by its reference. */
  private static final BillingVariant PAYS_AT_FACE_VALUE = new BillingVariant() {
    @Override
    public BillingOutcome handle(PlanService plans, CreditService credits, BillingEvent event) {
      try {
        return plans.handle(event);
      } catch (CreditsException e) {
        if (e.code() != ErrorCode.PAYMENT_MISMATCH || !(event instanceof BillingEvent.PackPaid paid)) {
          throw e;
        }
        long pack = PackCatalog.defaults().find(paid.packId()).orElseThrow(() -> e).credits();
        credits.grant(paid.account(), LotSource.PACK, CreditAmount.of(pack), null,
            Map.of("pack", paid.packId(), "paymentReference", paid.paymentReference()),
            IdempotencyKey.of("pack-paid." + paid.paymentReference()));
        return new BillingOutcome(BillingOutcome.Effect.APPLIED, pack, "granted at face value");
      }
    }
  };

  /** A library that, once it buys a top-up, asks for it again under a reference of its own: a runaway. */
  private static final BillingVariant TOPS_UP_TWICE = new BillingVariant() {
    @Override
    public BillingGateway gateway(BillingGateway gateway) {
      return new Forwarding(gateway) {
        @Override
        public void chargePack(AccountId account, String packId, long priceMinor, String currency, String reference) {
          gateway.chargePack(account, packId, priceMinor, currency, reference);
          if (reference.startsWith("topup:")) {
            gateway.chargePack(account, packId, priceMinor, currency, reference + "-again");
          }
        }
      };
    }
  };

  private static SimulationFailure expectFailure(BillingVariant variant, long seed) {
    Simulation sim = Simulation.builder().store(InMemoryCreditStore::new).seed(seed).clients(4).accounts(2)
        .operations(3_000).checkpointEvery(250).faults(FaultPlan.defaults()).billing(variant)
        .shrinking(Duration.ofSeconds(15), 300).build();
    SimulationReport report;
    try {
      report = sim.run();
    } catch (SimulationFailure f) {
      System.out.println(f.getMessage());
      assertThat(f.seed()).isEqualTo(seed);
      assertThat(f.getMessage()).contains("seed " + seed).contains("shortest failing history found");
      assertThat(f.history()).isNotEmpty();
      return f;
    }
    throw new AssertionError("the broken billing layer was not caught: " + report.summary());
  }

  @Test
  @DisplayName("a cycle charged again under another reference is caught")
  void chargesAgain_caught() {
    SimulationFailure f = expectFailure(CHARGES_AGAIN, 37);
    assertThat(f.getMessage()).contains("under a reference that does not name its account and cycle");
  }

  @Test
  @DisplayName("a forged pack payment credited at its word is caught")
  void paysAtFaceValue_caught() {
    SimulationFailure f = expectFailure(PAYS_AT_FACE_VALUE, 32);
    assertThat(f.getMessage()).contains("without a matching order");
  }

  @Test
  @DisplayName("a top-up charged again under a reference no commit ordered is caught")
  void topsUpTwice_caught() {
    SimulationFailure f = expectFailure(TOPS_UP_TWICE, 33);
    assertThat(f.getMessage()).contains("which no commit ordered");
  }

  @Test
  @DisplayName("the real billing layer passes the same seeds")
  void realBilling_passes() {
    for (long seed : new long[] {37, 32, 33}) {
      SimulationReport report = Simulation.builder().store(InMemoryCreditStore::new).seed(seed).clients(4).accounts(2)
          .operations(3_000).checkpointEvery(250).faults(FaultPlan.defaults()).build().run();
      assertThat(report.operations()).isEqualTo(3_000);
    }
  }
}
