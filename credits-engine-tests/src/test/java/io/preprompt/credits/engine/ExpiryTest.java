package io.preprompt.credits.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.GrantReceipt;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Release;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.SweepReport;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.Reconciliation;
import io.preprompt.credits.testkit.CreditsScenario.ScenarioAccount;
import io.preprompt.credits.testkit.CreditsScenario;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Expiry of holds and lots")
class ExpiryTest {
  final CreditsScenario scenario = new CreditsScenario();
  final ScenarioAccount alice = scenario.account("alice");

  List<LedgerEntry> entriesAfter(long sequence) {
    return alice.ledger().stream().filter(e -> e.sequence() > sequence).toList();
  }

  @Nested
  @DisplayName("Holds past their deadline")
  class Holds {
    @Test
    @DisplayName("are returned lazily: the balance shows the credits back without a sweep")
    void balance_afterDeadline_showsCreditsBack() {
      alice.grant(LotSource.SIGNUP_GRANT, 100);
      Hold hold = alice.hold(40, Duration.ofMinutes(5));
      scenario.advance(Duration.ofMinutes(5).plusSeconds(1));

      BalanceView b = alice.balance();
      assertThat(b.available()).isEqualTo(100);
      assertThat(b.held()).isZero();
      assertThat(b.activeHolds()).isZero();
      assertThat(alice.find(hold)).get().satisfies(h -> {
        assertThat(h.state()).isEqualTo(HoldState.EXPIRED);
        assertThat(h.settled()).isZero();
      });
      assertThat(alice.hold(100).amount()).isEqualTo(100);
    }

    @Test
    @DisplayName("the next write on the account stores the expiry as HOLD_EXPIRED entries without a key")
    void write_afterDeadline_storesExpiry() {
      alice.grant(LotSource.SIGNUP_GRANT, 100);
      Hold hold = alice.hold(40, Duration.ofMinutes(5));
      long seq = alice.ledger().size();
      scenario.advance(Duration.ofMinutes(6));
      alice.grant(LotSource.PROMOTION, 1);

      assertThat(entriesAfter(seq)).extracting(LedgerEntry::type, LedgerEntry::amount, LedgerEntry::hold)
          .containsExactly(tuple(EntryType.HOLD_EXPIRED, 40L, hold.id()), tuple(EntryType.GRANT, 1L, null));
      assertThat(entriesAfter(seq).get(0).key()).isNull();
      assertThat(scenario.store().findHold(alice.id(), hold.id())).get().extracting(Hold::state)
          .isEqualTo(HoldState.EXPIRED);
    }

    @Test
    @DisplayName("sweep() releases overdue holds and reports them")
    void sweep_releasesOverdueHolds() {
      alice.grant(LotSource.SIGNUP_GRANT, 100);
      ScenarioAccount bob = scenario.account("bob");
      bob.grant(LotSource.SIGNUP_GRANT, 100);
      Hold a1 = alice.hold(10, Duration.ofMinutes(5));
      alice.hold(10, Duration.ofMinutes(5));
      bob.hold(10, Duration.ofMinutes(5));
      Hold live = bob.hold(10, Duration.ofHours(1));

      scenario.advance(Duration.ofMinutes(10));
      SweepReport report = scenario.service().sweep();

      assertThat(report).isEqualTo(new SweepReport(3, 0, 2));
      assertThat(scenario.store().findHold(alice.id(), a1.id())).get().extracting(Hold::state)
          .isEqualTo(HoldState.EXPIRED);
      assertThat(scenario.store().findHold(bob.id(), live.id())).get().extracting(Hold::state)
          .isEqualTo(HoldState.ACTIVE);
      assertThat(scenario.store().findHoldsPastDeadline(scenario.now(), 100)).isEmpty();
      assertThat(scenario.service().sweep()).isEqualTo(new SweepReport(0, 0, 0));
      assertThat(alice.reconcile().consistent()).isTrue();
      assertThat(bob.reconcile().consistent()).isTrue();
    }

    @Test
    @DisplayName("sweep() leaves holds that are exactly at their deadline")
    void sweep_atDeadline_leavesHold() {
      alice.grant(LotSource.SIGNUP_GRANT, 100);
      Hold hold = alice.hold(10, Duration.ofMinutes(5));
      scenario.clock().set(hold.deadline());
      assertThat(scenario.service().sweep()).isEqualTo(new SweepReport(0, 0, 0));
      assertThat(alice.held()).isEqualTo(10);
    }
  }

  @Nested
  @DisplayName("Lots past their expiry")
  class Lots {
    @Test
    @DisplayName("lose what remains at the expiry instant, lazily")
    void balance_atExpiry_lotExpired() {
      alice.grant(LotSource.PACK, 50);
      GrantReceipt allowance = alice.grantExpiring(100, Duration.ofDays(30));
      scenario.clock().set(allowance.expiresAt().minusNanos(1));
      assertThat(alice.available()).isEqualTo(150);
      scenario.clock().set(allowance.expiresAt());
      assertThat(alice.available()).isEqualTo(50);
      assertThat(alice.balance().allowanceCredits()).isZero();
    }

    @Test
    @DisplayName("sweep() expires lots and reports them, writing LOT_EXPIRED entries")
    void sweep_expiresLots() {
      alice.grantExpiring(100, Duration.ofDays(1));
      alice.grant(LotSource.PROMOTION, 5, scenario.now().plus(Duration.ofDays(1)));
      alice.grant(LotSource.PACK, 10);
      long seq = alice.ledger().size();
      scenario.advance(Duration.ofDays(1));

      assertThat(scenario.service().sweep()).isEqualTo(new SweepReport(0, 2, 1));
      assertThat(entriesAfter(seq)).extracting(LedgerEntry::type).containsOnly(EntryType.LOT_EXPIRED);
      assertThat(entriesAfter(seq)).extracting(LedgerEntry::amount).containsExactlyInAnyOrder(100L, 5L);
      Reconciliation r = alice.reconcile();
      assertThat(r.consistent()).isTrue();
      assertThat(r.expired()).isEqualTo(105);
      assertThat(r.available()).isEqualTo(10);
      assertThat(scenario.store().findAccountsWithExpiredLots(scenario.now(), 10)).isEmpty();
      assertThat(scenario.service().sweep()).isEqualTo(new SweepReport(0, 0, 0));
    }

    @Test
    @DisplayName("never take credits a live hold reserved: the hold can still settle them")
    void lotExpiry_liveHold_canStillSettle() {
      GrantReceipt allowance = alice.grantExpiring(100, Duration.ofDays(1));
      Hold hold = alice.hold(60, Duration.ofDays(2));
      scenario.advance(Duration.ofDays(1));
      scenario.service().sweep();

      BalanceView b = alice.balance();
      assertThat(b.available()).isZero();
      assertThat(b.held()).isEqualTo(60);
      assertThat(b.lots()).singleElement().satisfies(lot -> {
        assertThat(lot.id()).isEqualTo(allowance.lot());
        assertThat(lot.remaining()).isZero();
        assertThat(lot.reserved()).isEqualTo(60);
      });
      Settlement s = alice.settle(hold);
      assertThat(s.settled()).isEqualTo(60);
      assertThat(s.expiredOnReturn()).isZero();
      Reconciliation r = alice.reconcile();
      assertThat(r.consistent()).isTrue();
      assertThat(r.settled()).isEqualTo(60);
      assertThat(r.expired()).isEqualTo(40);
    }

    @Test
    @DisplayName("what a release returns to an expired lot expires with it: RELEASE then LOT_EXPIRED")
    void release_toExpiredLot_expiresOnReturn() {
      GrantReceipt allowance = alice.grantExpiring(100, Duration.ofDays(1));
      GrantReceipt pack = alice.grant(LotSource.PACK, 20);
      Hold hold = alice.hold(110, Duration.ofDays(2));
      scenario.advance(Duration.ofDays(1).plusHours(1));
      long seq = alice.ledger().size();

      Release r = alice.release(hold);

      assertThat(r.returned()).isEqualTo(10);
      assertThat(r.expiredOnReturn()).isEqualTo(100);
      assertThat(entriesAfter(seq))
          .extracting(LedgerEntry::type, LedgerEntry::lot, LedgerEntry::amount, LedgerEntry::hold)
          .containsExactly(
              tuple(EntryType.RELEASE, allowance.lot(), 100L, hold.id()),
              tuple(EntryType.LOT_EXPIRED, allowance.lot(), 100L, hold.id()),
              tuple(EntryType.RELEASE, pack.lot(), 10L, hold.id()));
      assertThat(alice.available()).isEqualTo(20);
      assertThat(alice.reconcile().expired()).isEqualTo(100);
      assertThat(alice.reconcile().consistent()).isTrue();
    }

    @Test
    @DisplayName("the unsettled rest of a partial settle also expires when its lot has expired")
    void partialSettle_toExpiredLot_restExpires() {
      alice.grantExpiring(100, Duration.ofDays(1));
      Hold hold = alice.hold(100, Duration.ofDays(2));
      scenario.advance(Duration.ofDays(1));
      Settlement s = alice.settle(hold, 30);
      assertThat(s.settled()).isEqualTo(30);
      assertThat(s.returned()).isZero();
      assertThat(s.expiredOnReturn()).isEqualTo(70);
      assertThat(alice.available()).isZero();
      assertThat(alice.reconcile().consistent()).isTrue();
    }

    @Test
    @DisplayName("a hold that expires after its lot did returns nothing usable: HOLD_EXPIRED then LOT_EXPIRED")
    void holdExpiry_toExpiredLot_expiresOnReturn() {
      alice.grantExpiring(100, Duration.ofMinutes(10));
      alice.hold(40, Duration.ofMinutes(20));
      long seq = alice.ledger().size();
      scenario.advance(Duration.ofMinutes(30));

      SweepReport report = scenario.service().sweep();

      assertThat(report).isEqualTo(new SweepReport(1, 1, 1));
      assertThat(entriesAfter(seq)).extracting(LedgerEntry::type, LedgerEntry::amount).containsExactly(
          tuple(EntryType.HOLD_EXPIRED, 40L),
          tuple(EntryType.LOT_EXPIRED, 40L),
          tuple(EntryType.LOT_EXPIRED, 60L));
      assertThat(alice.available()).isZero();
      assertThat(alice.reconcile().expired()).isEqualTo(100);
      assertThat(alice.reconcile().consistent()).isTrue();
    }
  }
}
