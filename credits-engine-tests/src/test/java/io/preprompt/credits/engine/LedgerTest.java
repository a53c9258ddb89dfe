package io.preprompt.credits.engine;

import static io.preprompt.credits.engine.Expect.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.UnknownAccountException;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerPage;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.ledger.Reconciliation;
import io.preprompt.credits.spi.AccountRecord;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.testkit.CreditsScenario.ScenarioAccount;
import io.preprompt.credits.testkit.CreditsScenario;
import io.preprompt.credits.testkit.ForwardingCreditStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("The ledger, history and reconciliation")
class LedgerTest {

  /** Runs a mixed workload: grants with and without expiry, holds, settles, releases, expiries. */
  static void mixedWorkload(CreditsScenario scenario, ScenarioAccount a) {
    a.grant(LotSource.SIGNUP_GRANT, 200);
    a.grantExpiring(500, Duration.ofDays(3));
    a.grant(LotSource.PACK, 1000);
    Hold h1 = a.hold(120);
    scenario.advance(Duration.ofMinutes(1));
    a.settle(h1, 100);
    Hold h2 = a.hold(50);
    a.release(h2);
    Hold h3 = a.hold(700, Duration.ofDays(6));
    a.hold(30, Duration.ofMinutes(5));
    scenario.advance(Duration.ofMinutes(10));
    a.settle(a.hold(40));
    scenario.advance(Duration.ofDays(4));
    a.release(h3);
    a.grant(LotSource.PROMOTION, 25, scenario.now().plus(Duration.ofDays(1)));
    scenario.service().sweep();
  }

  @Nested
  @DisplayName("Sequence")
  class Sequence {
    final CreditsScenario scenario = new CreditsScenario();
    final ScenarioAccount alice = scenario.account("alice");
    final ScenarioAccount bob = scenario.account("bob");

    @Test
    @DisplayName("each account numbers its entries 1..n without gaps")
    void sequence_perAccount_noGaps() {
      mixedWorkload(scenario, alice);
      bob.grant(LotSource.PACK, 5);
      bob.release(bob.hold(3));
      List<LedgerEntry> entries = alice.ledger();
      assertThat(entries).extracting(LedgerEntry::sequence)
          .containsExactlyElementsOf(LongStream.rangeClosed(1, entries.size()).boxed().toList());
      assertThat(entries).allSatisfy(e -> assertThat(e.account()).isEqualTo(alice.id()));
      assertThat(bob.ledger()).extracting(LedgerEntry::sequence).containsExactly(1L, 2L, 3L);
    }

    @Test
    @DisplayName("a lot's id is the sequence number of its GRANT entry")
    void lotId_isGrantSequence() {
      alice.grant(LotSource.PACK, 5);
      alice.hold(2);
      var receipt = alice.grant(LotSource.PACK, 5);
      assertThat(receipt.lot().value()).isEqualTo(3);
      assertThat(alice.ledger().get(2).lot()).isEqualTo(receipt.lot());
    }
  }

  @Nested
  @DisplayName("History")
  class History {
    final CreditsScenario scenario = new CreditsScenario();
    final ScenarioAccount alice = scenario.account("alice");

    @Test
    @DisplayName("pages by sequence cover the whole ledger exactly once")
    void history_pagesBySequence() {
      for (int i = 0; i < 7; i++) {
        alice.grant(LotSource.PACK, i + 1);
      }
      List<LedgerEntry> seen = new ArrayList<>();
      LedgerQuery query = LedgerQuery.firstPage(3);
      int pages = 0;
      while (query != null) {
        LedgerPage page = scenario.service().history(alice.id(), query);
        assertThat(page.entries()).hasSizeLessThanOrEqualTo(3);
        seen.addAll(page.entries());
        query = page.next().orElse(null);
        pages++;
      }
      assertThat(pages).isEqualTo(3);
      assertThat(seen).isEqualTo(alice.ledger());
      assertThat(seen).extracting(LedgerEntry::amount).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L);
    }

    @Test
    @DisplayName("forEachEntry walks every page of a query, including a time range, in sequence order")
    void forEachEntry_walksEveryPage() {
      alice.grant(LotSource.PACK, 100);
      scenario.advance(Duration.ofHours(1));
      Instant from = scenario.now();
      for (int i = 0; i < 5; i++) {
        alice.grant(LotSource.PACK, i + 1);
      }
      scenario.advance(Duration.ofHours(1));
      alice.grant(LotSource.PACK, 200);
      List<LedgerEntry> walked = new ArrayList<>();
      scenario.service().forEachEntry(alice.id(), LedgerQuery.between(from, scenario.now(), 2), walked::add);
      assertThat(walked).extracting(LedgerEntry::amount).containsExactly(1L, 2L, 3L, 4L, 5L);
      assertThat(walked).extracting(LedgerEntry::sequence).isSorted().doesNotHaveDuplicates();
    }

    @Test
    @DisplayName("entries after a sequence number feed other processes")
    void history_afterSequence() {
      for (int i = 0; i < 5; i++) {
        alice.grant(LotSource.PACK, 1);
      }
      LedgerPage page = scenario.service().history(alice.id(), LedgerQuery.after(3, 100));
      assertThat(page.entries()).extracting(LedgerEntry::sequence).containsExactly(4L, 5L);
      assertThat(page.next()).isEmpty();
      assertThat(scenario.service().history(alice.id(), LedgerQuery.after(5, 100)).entries()).isEmpty();
    }

    @Test
    @DisplayName("a time range selects [from, to) and pages within it")
    void history_byTimeRange() {
      Instant t0 = scenario.now();
      alice.grant(LotSource.PACK, 1);
      scenario.advance(Duration.ofHours(1));
      Instant t1 = scenario.now();
      alice.grant(LotSource.PACK, 2);
      alice.grant(LotSource.PACK, 3);
      alice.grant(LotSource.PACK, 4);
      scenario.advance(Duration.ofHours(1));
      Instant t2 = scenario.now();
      alice.grant(LotSource.PACK, 5);

      LedgerPage first = scenario.service().history(alice.id(), LedgerQuery.between(t1, t2, 2));
      assertThat(first.entries()).extracting(LedgerEntry::amount).containsExactly(2L, 3L);
      LedgerPage second = scenario.service().history(alice.id(), first.next().orElseThrow());
      assertThat(second.entries()).extracting(LedgerEntry::amount).containsExactly(4L);
      assertThat(second.next()).isEmpty();
      assertThat(scenario.service().history(alice.id(), LedgerQuery.between(t0, t1, 10)).entries())
          .extracting(LedgerEntry::amount).containsExactly(1L);
      assertThat(scenario.service().history(alice.id(), LedgerQuery.between(t2, t2.plusSeconds(1), 10)).entries())
          .extracting(LedgerEntry::amount).containsExactly(5L);
    }

    @Test
    @DisplayName("history of an unknown account fails with ACCOUNT_NOT_FOUND; a null query with INVALID_ARGUMENT")
    void history_badInput() {
      failure(() -> scenario.service().history(AccountId.of("ghost"), LedgerQuery.firstPage(10)),
          UnknownAccountException.class, ErrorCode.ACCOUNT_NOT_FOUND);
      failure(() -> scenario.service().history(alice.id(), null),
          InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT);
      assertThat(scenario.service().history(alice.id(), LedgerQuery.firstPage(10)).entries()).isEmpty();
    }
  }

  @Nested
  @DisplayName("Reconciliation")
  class Reconcile {
    @Test
    @DisplayName("is consistent after a mixed workload and conserves credits")
    void reconcile_afterMixedWorkload_consistent() {
      CreditsScenario scenario = new CreditsScenario();
      ScenarioAccount alice = scenario.account("alice");
      mixedWorkload(scenario, alice);
      Reconciliation r = alice.reconcile();
      assertThat(r.differences()).isEmpty();
      assertThat(r.consistent()).isTrue();
      assertThat(r.entriesReplayed()).isEqualTo(alice.ledger().size());
      assertThat(r.granted()).isEqualTo(1725);
      assertThat(r.granted()).isEqualTo(r.available() + r.held() + r.settled() + r.expired() + r.debited());
      assertThat(r.settled()).isEqualTo(140);
      assertThat(r.available()).isEqualTo(alice.available());
      assertThat(r.held()).isEqualTo(alice.held());
      assertThat(failure(() -> scenario.service().reconcile(AccountId.of("ghost")),
          UnknownAccountException.class, ErrorCode.ACCOUNT_NOT_FOUND)).isNotNull();
    }

    @Test
    @DisplayName("reports a difference when a stored lot was tampered with")
    void reconcile_tamperedLot_reportsDifference() {
      AtomicReference<Boolean> tamper = new AtomicReference<>(false);
      UnaryOperator<CreditStore> corrupting = tamperingLoads(tamper, real -> new AccountSnapshot(real.account(),
          real.lots().stream().map(l -> new Lot(l.id(), l.source(), l.granted(), l.remaining() + 1, l.reserved(),
              l.grantedAt(), l.expiresAt())).toList(), real.holds(), real.earliestHoldDeadline()));
      CreditsScenario scenario = new CreditsScenario(CreditsConfig.defaults(), corrupting, List.of());
      ScenarioAccount alice = scenario.account("alice");
      mixedWorkload(scenario, alice);
      assertThat(alice.reconcile().consistent()).isTrue();

      tamper.set(true);
      Reconciliation r = alice.reconcile();
      assertThat(r.consistent()).isFalse();
      assertThat(r.differences()).anySatisfy(d -> assertThat(d).contains("lot").contains("ledger says"));
    }

    @Test
    @DisplayName("reports a difference when the account's totals were tampered with")
    void reconcile_tamperedTotals_reportsDifference() {
      AtomicReference<Boolean> tamper = new AtomicReference<>(false);
      UnaryOperator<CreditStore> corrupting = tamperingLoads(tamper, real -> {
        AccountRecord a = real.account();
        AccountRecord forged = new AccountRecord(a.id(), a.version(), a.lastSequence(), a.granted() + 1000,
            a.settled(), a.expired(), a.debited(), a.activeHolds(), a.createdAt(), a.plan(), a.planDueAt());
        return new AccountSnapshot(forged, real.lots(), real.holds(), real.earliestHoldDeadline());
      });
      CreditsScenario scenario = new CreditsScenario(CreditsConfig.defaults(), corrupting, List.of());
      ScenarioAccount alice = scenario.account("alice");
      mixedWorkload(scenario, alice);
      tamper.set(true);
      assertThat(alice.reconcile().differences()).anySatisfy(d -> assertThat(d).startsWith("granted"));
    }

    @Test
    @DisplayName("reports a gap when a ledger entry went missing")
    void reconcile_missingEntry_reportsGap() {
      AtomicReference<Boolean> tamper = new AtomicReference<>(false);
      UnaryOperator<CreditStore> dropping = store -> new ForwardingCreditStore(store) {
        @Override
        public List<LedgerEntry> readLedger(AccountId account, LedgerQuery query) {
          List<LedgerEntry> real = super.readLedger(account, query);
          return tamper.get() ? real.stream().filter(e -> e.sequence() != 2).toList() : real;
        }
      };
      CreditsScenario scenario = new CreditsScenario(CreditsConfig.defaults(), dropping, List.of());
      ScenarioAccount alice = scenario.account("alice");
      mixedWorkload(scenario, alice);
      tamper.set(true);
      Reconciliation r = alice.reconcile();
      assertThat(r.consistent()).isFalse();
      assertThat(r.differences()).anySatisfy(d -> assertThat(d).contains("sequence jumps from 1 to 3"));
    }
  }

  /** A store decorator whose loads, once {@code tamper} is set, hand out {@code forge} of what is stored. */
  static UnaryOperator<CreditStore> tamperingLoads(AtomicReference<Boolean> tamper,
      UnaryOperator<AccountSnapshot> forge) {
    return store -> new ForwardingCreditStore(store) {
      @Override
      public Optional<AccountSnapshot> load(AccountId account, HoldSelection holds) {
        Optional<AccountSnapshot> real = super.load(account, holds);
        return tamper.get() ? real.map(forge) : real;
      }
    };
  }
}
