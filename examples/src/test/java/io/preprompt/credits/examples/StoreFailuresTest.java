package io.preprompt.credits.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.StoreException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import io.preprompt.credits.testkit.sim.FaultInjectingStore;
import io.preprompt.credits.testkit.sim.FaultKind;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The README's handling of store failures")
class StoreFailuresTest {
  private static final AccountId MAYA = AccountId.of("maya");
  private static final IdempotencyKey DONE = IdempotencyKey.of("gen-1-done");

  private final FaultInjectingStore store = new FaultInjectingStore(new InMemoryCreditStore(), Duration.ofMillis(1));
  private final CreditService credits = CreditService.builder().store(store)
      .clock(MutableClock.at("2026-03-10T09:00:00Z")).build();
  private Hold hold;

  @BeforeEach
  void holdSome() {
    credits.openAccount(MAYA, IdempotencyKey.of("open"));
    credits.grant(MAYA, LotSource.PACK, CreditAmount.of(100), null, IdempotencyKey.of("pack"));
    hold = credits.hold(HoldRequest.of(MAYA, CreditAmount.of(30), IdempotencyKey.of("gen-1")));
  }

  @Test
  @DisplayName("an answer lost after the commit is resent with the same key and settles once")
  void unknown_resentAndSettledOnce() {
    store.arm(FaultKind.FAIL_AFTER_COMMIT);
    Settlement settled = StoreFailures.settle(credits, MAYA, hold.id(), DONE);
    assertThat(store.disarm()).isEqualTo(FaultKind.FAIL_AFTER_COMMIT);
    assertThat(settled.settled()).isEqualTo(30);
    assertThat(credits.history(MAYA, LedgerQuery.firstPage(100)).entries())
        .filteredOn(e -> e.type() == EntryType.SETTLE).extracting(LedgerEntry::amount).containsExactly(30L);
    assertThat(credits.balance(MAYA).available()).isEqualTo(70);
  }

  @Test
  @DisplayName("a failure that applied nothing is thrown at once, and nothing changed")
  void notApplied_thrown() {
    store.arm(FaultKind.FAIL_BEFORE_COMMIT);
    assertThatThrownBy(() -> StoreFailures.settle(credits, MAYA, hold.id(), DONE))
        .isInstanceOfSatisfying(StoreException.class,
            e -> assertThat(e.outcome()).isEqualTo(StoreException.Outcome.NOT_APPLIED));
    assertThat(store.disarm()).isEqualTo(FaultKind.FAIL_BEFORE_COMMIT);
    assertThat(credits.findHold(MAYA, hold.id())).map(Hold::state).contains(HoldState.ACTIVE);
    assertThat(StoreFailures.settle(credits, MAYA, hold.id(), DONE).settled()).isEqualTo(30);
  }
}
