package io.preprompt.credits.plans;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.spi.ShardedCreditStore;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import io.preprompt.credits.testkit.RecordingBillingGateway;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Renewals through the routing store: every shard's due accounts are renewed, each once. */
@DisplayName("Plans over accounts spread on three stores")
class ShardedRenewalTest {

  @Test
  @DisplayName("renewDue charges and refills the next cycle of every subscriber on every shard, once each")
  void renewsEveryShard() {
    List<InMemoryCreditStore> stores = List.of(new InMemoryCreditStore(), new InMemoryCreditStore(),
        new InMemoryCreditStore());
    ShardedCreditStore router = ShardedCreditStore.builder(12).shards(0, 4, stores.get(0))
        .shards(4, 8, stores.get(1)).shards(8, 12, stores.get(2)).build();
    MutableClock clock = new MutableClock(Instant.parse("2026-01-31T10:00:00Z"));
    RecordingBillingGateway gateway = new RecordingBillingGateway();
    Credits all = Credits.builder().store(router).clock(clock).billing(gateway).build();
    List<AccountId> accounts = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      AccountId a = AccountId.of("renew-" + i);
      accounts.add(a);
      all.credits().openAccount(a, IdempotencyKey.of("open"));
      all.plans().subscribe(a, "studio", IdempotencyKey.of("sub"));
      all.plans().handle(new BillingEvent.CyclePaid("paid-0-" + i, a, 0));
    }
    Set<Integer> used = accounts.stream().map(a -> stores.indexOf(router.storeOf(a))).collect(Collectors.toSet());
    assertThat(used).as("accounts on every store").hasSize(3);
    long allowance = all.credits().balance(accounts.get(0)).available();
    for (AccountId a : accounts) {
      Hold h = all.credits().hold(HoldRequest.of(a, CreditAmount.of(100), IdempotencyKey.of("spend")));
      all.credits().settle(a, h.id(), IdempotencyKey.of("spent"));
      assertThat(all.credits().balance(a).available()).isEqualTo(allowance - 100);
    }

    clock.set(Instant.parse("2026-02-28T10:00:01Z"));
    all.plans().renewDue();
    clock.advance(Duration.ofMinutes(1));
    all.plans().renewDue();

    List<RecordingBillingGateway.SubscriptionCharge> cycleOne = gateway.subscriptionCharges().stream()
        .filter(c -> c.cycle() == 1).toList();
    assertThat(cycleOne).extracting(RecordingBillingGateway.SubscriptionCharge::account)
        .containsExactlyInAnyOrderElementsOf(accounts);
    Set<String> references = new HashSet<>();
    for (RecordingBillingGateway.SubscriptionCharge c : cycleOne) {
      assertThat(references.add(c.reference())).as("one request per account and cycle").isTrue();
      // The clock already refilled the cycle; its payment arriving afterwards changes nothing.
      BillingOutcome o = all.plans().handle(new BillingEvent.CyclePaid("paid-1-" + c.account().value(), c.account(), 1));
      assertThat(o.effect()).as(o.detail()).isEqualTo(BillingOutcome.Effect.IGNORED);
    }
    for (AccountId a : accounts) {
      assertThat(all.credits().balance(a).available()).as("refilled " + a).isEqualTo(allowance);
      assertThat(all.credits().reconcile(a).consistent()).isTrue();
      for (InMemoryCreditStore s : stores) {
        assertThat(s.load(a, HoldSelection.allActive()).isPresent())
            .as(a + " only on its own store").isEqualTo(s == router.storeOf(a));
      }
    }
  }
}
