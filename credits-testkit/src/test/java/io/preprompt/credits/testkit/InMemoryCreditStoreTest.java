package io.preprompt.credits.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.CommitOutcome;
import io.preprompt.credits.spi.HoldRef;
import io.preprompt.credits.spi.HoldSelection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What the contract suite does not reach: the store's own indexes over long histories. */
class InMemoryCreditStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant FAR_FUTURE = T0.plus(Duration.ofDays(3650));
  private static final AccountId ALICE = AccountId.of("alice");
  private static final AccountId BOB = AccountId.of("bob");

  private final InMemoryCreditStore store = new InMemoryCreditStore();

  private void commit(AccountChange change) {
    assertThat(store.commit(change)).isEqualTo(CommitOutcome.COMMITTED);
  }

  private AccountSnapshot load(AccountId account) {
    return store.load(account, HoldSelection.allActive()).orElseThrow();
  }

  private static HoldId hold(String name) {
    return HoldId.of("h_" + name);
  }

  @Nested
  @DisplayName("holds past their deadline")
  class HoldsPastDeadline {
    @Test
    @DisplayName("holds that ended before their deadline are never found, however many there were")
    void endedHoldsNeverFound() {
      AccountChangeBuilder open = AccountChangeBuilder.create(ALICE, T0);
      open.grant(LotSource.PACK, 1_000_000, null);
      commit(open.build());
      for (int i = 0; i < 500; i++) {
        AccountChangeBuilder place = AccountChangeBuilder.update(load(ALICE), T0.plusSeconds(i));
        place.hold(hold("p" + i), 5, T0.plusSeconds(100 + i));
        commit(place.build());
        AccountChangeBuilder end = AccountChangeBuilder.update(load(ALICE), T0.plusSeconds(i));
        end.end(hold("p" + i), HoldState.SETTLED, 5, null);
        commit(end.build());
      }

      assertThat(store.findHoldsPastDeadline(FAR_FUTURE, 100)).isEmpty();
      // Asked again after the account was filed anew: still nothing, and a later hold is found.
      assertThat(store.findHoldsPastDeadline(FAR_FUTURE, 100)).isEmpty();
      AccountChangeBuilder late = AccountChangeBuilder.update(load(ALICE), T0.plusSeconds(1000));
      late.hold(hold("late"), 5, T0.plusSeconds(2000));
      commit(late.build());
      assertThat(store.findHoldsPastDeadline(T0.plusSeconds(2000), 100)).isEmpty();
      assertThat(store.findHoldsPastDeadline(T0.plusSeconds(2001), 100))
          .containsExactly(new HoldRef(ALICE, hold("late"), T0.plusSeconds(2000)));
    }

    @Test
    @DisplayName("an account filed early for holds that ended does not push out older holds of others")
    void staleFilingRespectsOrderAndLimit() {
      AccountChangeBuilder alice = AccountChangeBuilder.create(ALICE, T0);
      alice.grant(LotSource.PACK, 1000, null);
      alice.hold(hold("a10"), 10, T0.plusSeconds(10));
      alice.hold(hold("a50"), 10, T0.plusSeconds(50));
      commit(alice.build());
      AccountChangeBuilder end = AccountChangeBuilder.update(load(ALICE), T0.plusSeconds(5));
      end.end(hold("a10"), HoldState.RELEASED, 0, null);
      commit(end.build());
      AccountChangeBuilder bob = AccountChangeBuilder.create(BOB, T0);
      bob.grant(LotSource.PACK, 1000, null);
      bob.hold(hold("b20"), 10, T0.plusSeconds(20));
      bob.hold(hold("b60"), 10, T0.plusSeconds(60));
      commit(bob.build());

      assertThat(store.findHoldsPastDeadline(FAR_FUTURE, 1)).extracting(HoldRef::hold).containsExactly(hold("b20"));
      assertThat(store.findHoldsPastDeadline(FAR_FUTURE, 2)).extracting(HoldRef::hold)
          .containsExactly(hold("b20"), hold("a50"));
      assertThat(store.findHoldsPastDeadline(FAR_FUTURE, 10)).extracting(HoldRef::hold)
          .containsExactly(hold("b20"), hold("a50"), hold("b60"));
      assertThat(store.findHoldsPastDeadline(T0.plusSeconds(55), 10)).extracting(HoldRef::hold)
          .containsExactly(hold("b20"), hold("a50"));
      assertThat(store.findHoldsPastDeadline(T0.plusSeconds(15), 10)).isEmpty();
      assertThat(store.findHoldsPastDeadline(FAR_FUTURE, 0)).isEmpty();
    }

    @Test
    @DisplayName("a hold placed earlier than the account's filing is found at its own deadline")
    void earlierHoldRefilesAccount() {
      AccountChangeBuilder alice = AccountChangeBuilder.create(ALICE, T0);
      alice.grant(LotSource.PACK, 1000, null);
      alice.hold(hold("a100"), 10, T0.plusSeconds(100));
      commit(alice.build());
      AccountChangeBuilder early = AccountChangeBuilder.update(load(ALICE), T0.plusSeconds(1));
      early.hold(hold("a30"), 10, T0.plusSeconds(30));
      commit(early.build());

      assertThat(store.findHoldsPastDeadline(T0.plusSeconds(31), 10)).extracting(HoldRef::hold)
          .containsExactly(hold("a30"));
    }
  }

  @Test
  @DisplayName("a long ledger reads back every entry in order, and by page")
  void longLedger() {
    MutableClock clock = new MutableClock(T0);
    CreditService credits = CreditService.builder().store(store).clock(clock).build();
    credits.openAccount(ALICE, IdempotencyKey.of("open"));
    credits.grant(ALICE, LotSource.PACK, CreditAmount.of(1_000_000), null, IdempotencyKey.of("pack"));
    int pairs = 6_000;
    List<HoldId> holds = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      Hold h = credits.hold(HoldRequest.of(ALICE, CreditAmount.of(1 + i % 7), IdempotencyKey.of("h" + i)));
      credits.settle(ALICE, h.id(), IdempotencyKey.of("s" + i));
      holds.add(h.id());
    }

    List<LedgerEntry> all = new ArrayList<>();
    credits.forEachEntry(ALICE, LedgerQuery.after(0, 1000), all::add);
    assertThat(all).hasSize(1 + 2 * pairs);
    for (int i = 0; i < all.size(); i++) {
      assertThat(all.get(i).sequence()).isEqualTo(i + 1L);
    }
    for (int i = 0; i < pairs; i++) {
      LedgerEntry held = all.get(1 + 2 * i);
      LedgerEntry settled = all.get(2 + 2 * i);
      assertThat(held.type()).isEqualTo(EntryType.HOLD);
      assertThat(held.amount()).isEqualTo(1 + i % 7);
      assertThat(held.hold()).isEqualTo(holds.get(i));
      assertThat(held.key()).isEqualTo(IdempotencyKey.of("h" + i));
      assertThat(settled.type()).isEqualTo(EntryType.SETTLE);
      assertThat(settled.hold()).isEqualTo(holds.get(i));
    }
    assertThat(store.readLedger(ALICE, LedgerQuery.after(4095, 3))).extracting(LedgerEntry::sequence)
        .containsExactly(4096L, 4097L, 4098L);
    // A replay still finds the first results.
    assertThat(credits.settle(ALICE, holds.get(0), IdempotencyKey.of("s0")).settled()).isEqualTo(1);
  }
}
