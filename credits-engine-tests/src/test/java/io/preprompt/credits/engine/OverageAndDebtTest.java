package io.preprompt.credits.engine;

import static io.preprompt.credits.engine.Expect.failsWithoutChange;
import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.Allocation;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.HoldStateException;
import io.preprompt.credits.core.IdempotencyConflictException;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InsufficientCreditsException;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.OveragePolicy;
import io.preprompt.credits.core.UnknownHoldException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.Reconciliation;
import io.preprompt.credits.plans.Entitlements;
import io.preprompt.credits.plans.Tier;
import io.preprompt.credits.plans.TierCatalog;
import io.preprompt.credits.testkit.CreditsScenario;
import io.preprompt.credits.testkit.CreditsScenario.ScenarioAccount;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Extending holds, settling above them, and debt")
class OverageAndDebtTest {
  final CreditsScenario scenario = new CreditsScenario();
  final CreditService service = scenario.service();
  final ScenarioAccount alice = scenario.account("alice");
  final ScenarioAccount bob = scenario.account("bob");

  Hold extend(Hold hold, long more, String key) {
    return service.extend(alice.id(), hold.id(), CreditAmount.of(more), IdempotencyKey.of(key));
  }

  Settlement settle(Hold hold, long amount, String key) {
    return service.settle(alice.id(), hold.id(), CreditAmount.of(amount), IdempotencyKey.of(key));
  }

  void policy(OveragePolicy policy) {
    service.setOveragePolicy(alice.id(), policy, scenario.nextKey());
  }

  static long sum(List<LedgerEntry> entries, EntryType type) {
    return entries.stream().filter(e -> e.type() == type).mapToLong(LedgerEntry::amount).sum();
  }

  /** The {@link LedgerEntry#UNCOLLECTED} values on a hold's entries, one per entry that has one. */
  List<String> uncollectedRecorded(HoldId hold) {
    return alice.ledger().stream()
        .filter(e -> hold.equals(e.hold()) && e.metadata().containsKey(LedgerEntry.UNCOLLECTED))
        .map(e -> e.metadata().get(LedgerEntry.UNCOLLECTED))
        .toList();
  }

  void assertConsistent(ScenarioAccount account) {
    Reconciliation r = account.reconcile();
    assertThat(r.differences()).isEmpty();
    BalanceView b = account.balance();
    assertThat(r.available()).isEqualTo(b.available());
    assertThat(r.debt()).isEqualTo(b.debt());
    assertThat(r.granted()).isEqualTo(r.available() + r.held() + r.settled() + r.expired() + r.debited());
  }

  @Nested
  @DisplayName("Extending a running hold")
  class Extending {
    @Test
    @DisplayName("grows the hold from the available balance in drawdown order, merging allocations per lot")
    void extend_growsHold() {
      alice.grantExpiring(30, Duration.ofDays(2));
      alice.grant(LotSource.PACK, 100);
      Hold hold = alice.hold(20);
      assertThat(hold.allocations()).hasSize(1);

      Hold grown = extend(hold, 25, "ext-1");

      assertThat(grown.id()).isEqualTo(hold.id());
      assertThat(grown.amount()).isEqualTo(45);
      assertThat(grown.state()).isEqualTo(HoldState.ACTIVE);
      assertThat(grown.deadline()).isEqualTo(hold.deadline());
      // The expiring lot first (10 left of it), then the pack.
      assertThat(grown.allocations()).extracting(Allocation::amount).containsExactly(30L, 15L);
      assertThat(alice.find(hold)).contains(grown);
      BalanceView b = alice.balance();
      assertThat(b.available()).isEqualTo(85);
      assertThat(b.held()).isEqualTo(45);
      List<LedgerEntry> extension = alice.ledger().subList(alice.ledger().size() - 2, alice.ledger().size());
      assertThat(extension).extracting(LedgerEntry::type).containsOnly(EntryType.HOLD);
      assertThat(extension).extracting(LedgerEntry::hold).containsOnly(hold.id());
      assertThat(extension).allSatisfy(e -> assertThat(e.metadata()).containsEntry("extendedBy", "25"));

      Settlement s = alice.settle(grown);
      assertThat(s.settled()).isEqualTo(45);
      assertThat(alice.available()).isEqualTo(85);
      assertConsistent(alice);
    }

    @Test
    @DisplayName("is exactly-once: the same key returns the first hold, another amount under it is a conflict")
    void extend_idempotent() {
      alice.grant(LotSource.PACK, 100);
      Hold hold = alice.hold(20);
      Hold grown = extend(hold, 5, "ext-1");
      assertThat(extend(hold, 5, "ext-1")).isEqualTo(grown);
      assertThat(alice.available()).isEqualTo(75);
      failsWithoutChange(scenario, alice, () -> extend(hold, 6, "ext-1"), IdempotencyConflictException.class,
          ErrorCode.IDEMPOTENCY_CONFLICT);
      assertThat(extend(hold, 5, "ext-2").amount()).isEqualTo(30);
    }

    @Test
    @DisplayName("is refused with the shortfall when the balance cannot cover it, and nothing changes")
    void extend_insufficient() {
      alice.grant(LotSource.PACK, 50);
      Hold hold = alice.hold(40);
      InsufficientCreditsException e = failsWithoutChange(scenario, alice, () -> extend(hold, 25, "ext-1"),
          InsufficientCreditsException.class, ErrorCode.INSUFFICIENT_CREDITS);
      assertThat(e.available()).isEqualTo(10);
      assertThat(e.requested()).isEqualTo(25);
      assertThat(e.shortfall()).isEqualTo(15);
      assertThat(alice.find(hold)).contains(hold);
    }

    @Test
    @DisplayName("of a hold that ended names its state; of an unknown or another account's hold is HOLD_NOT_FOUND")
    void extend_endedOrUnknown() {
      alice.grant(LotSource.PACK, 100);
      bob.grant(LotSource.PACK, 100);
      Hold settled = alice.hold(10);
      alice.settle(settled);
      Hold released = alice.hold(10);
      alice.release(released);
      Hold expired = alice.hold(10, Duration.ofMinutes(1));
      scenario.advance(Duration.ofMinutes(2));
      Hold bobs = bob.hold(10);

      assertThat(failsWithoutChange(scenario, alice, () -> extend(settled, 1, "x1"), HoldStateException.class,
          ErrorCode.HOLD_ALREADY_SETTLED).state()).isEqualTo(HoldState.SETTLED);
      assertThat(failsWithoutChange(scenario, alice, () -> extend(released, 1, "x2"), HoldStateException.class,
          ErrorCode.HOLD_ALREADY_RELEASED).state()).isEqualTo(HoldState.RELEASED);
      failsWithoutChange(scenario, alice, () -> extend(expired, 1, "x3"), HoldStateException.class,
          ErrorCode.HOLD_EXPIRED);
      failsWithoutChange(scenario, alice, () -> extend(bobs, 1, "x4"), UnknownHoldException.class,
          ErrorCode.HOLD_NOT_FOUND);
      failsWithoutChange(scenario, alice, () -> service.extend(alice.id(), HoldId.random(), CreditAmount.of(1),
          IdempotencyKey.of("x5")), UnknownHoldException.class, ErrorCode.HOLD_NOT_FOUND);
      assertThat(bob.find(bobs)).contains(bobs);
    }

    @Test
    @DisplayName("by zero, by nothing or past a long is refused before anything changes")
    void extend_badAmounts() {
      alice.grant(LotSource.PACK, 100);
      Hold hold = alice.hold(10);
      failsWithoutChange(scenario, alice, () -> extend(hold, 0, "x1"), InvalidRequestException.class,
          ErrorCode.INVALID_AMOUNT);
      failsWithoutChange(scenario, alice, () -> service.extend(alice.id(), hold.id(), null, IdempotencyKey.of("x2")),
          InvalidRequestException.class, ErrorCode.INVALID_AMOUNT);
      failsWithoutChange(scenario, alice, () -> extend(hold, Long.MAX_VALUE, "x3"), InvalidRequestException.class,
          ErrorCode.AMOUNT_OVERFLOW);
      failsWithoutChange(scenario, alice, () -> service.extend(alice.id(), hold.id(), CreditAmount.of(1),
          Duration.ofDays(400), IdempotencyKey.of("x4")), InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("with a ttl moves the deadline later, so the hold outlives its first deadline")
    void extend_movesDeadline() {
      alice.grant(LotSource.PACK, 100);
      Hold hold = alice.hold(10, Duration.ofMinutes(5));
      scenario.advance(Duration.ofMinutes(4));
      Hold grown = service.extend(alice.id(), hold.id(), CreditAmount.of(5), Duration.ofMinutes(10),
          IdempotencyKey.of("ext-1"));
      assertThat(grown.deadline()).isEqualTo(scenario.now().plus(Duration.ofMinutes(10)));
      scenario.advance(Duration.ofMinutes(5));
      assertThat(alice.find(hold)).get().extracting(Hold::state).isEqualTo(HoldState.ACTIVE);
      assertThat(alice.settle(grown).settled()).isEqualTo(15);
      assertConsistent(alice);
    }
  }

  @Nested
  @DisplayName("Settling above the hold")
  class Overage {
    @Test
    @DisplayName("refuse, the default, draws a covered difference and refuses the rest, changing nothing")
    void refuse_isDefault() {
      alice.grant(LotSource.PACK, 100);
      Hold hold = alice.hold(30);
      assertThat(service.overagePolicy(alice.id())).isEqualTo(OveragePolicy.refuse());
      InsufficientCreditsException e = failsWithoutChange(scenario, alice, () -> settle(hold, 101, "s-1"),
          InsufficientCreditsException.class, ErrorCode.INSUFFICIENT_CREDITS);
      assertThat(e.available()).isEqualTo(70);
      assertThat(e.requested()).isEqualTo(71);
      assertThat(e.shortfall()).isEqualTo(1);
      Settlement covered = settle(hold, 100, "s-2");
      assertThat(covered.charged()).isEqualTo(100);
      assertThat(covered.uncollected()).isZero();
      assertThat(covered.debtIncurred()).isZero();
      assertThat(alice.available()).isZero();
      assertThat(sum(alice.ledger(), EntryType.OVERAGE)).isEqualTo(70);
    }

    @Test
    @DisplayName("take-available charges the difference from the balance, and leaves uncollected what is not there")
    void takeAvailable() {
      policy(OveragePolicy.takeAvailable());
      alice.grant(LotSource.PACK, 100);
      Hold hold = alice.hold(30);
      Settlement within = settle(hold, 50, "s-1");
      assertThat(within.requested()).isEqualTo(50);
      assertThat(within.charged()).isEqualTo(50);
      assertThat(within.uncollected()).isZero();
      assertThat(within.debtIncurred()).isZero();
      assertThat(alice.available()).isEqualTo(50);
      assertThat(sum(alice.ledger(), EntryType.OVERAGE)).isEqualTo(20);
      assertThat(settle(hold, 50, "s-1")).as("replayed").isEqualTo(within);

      Hold second = alice.hold(40);
      Settlement short_ = settle(second, 100, "s-2");
      assertThat(short_.charged()).isEqualTo(50);
      assertThat(short_.uncollected()).isEqualTo(50);
      assertThat(alice.balance().available()).isZero();
      assertThat(alice.balance().debt()).isZero();
      assertConsistent(alice);
    }

    @Test
    @DisplayName("allow-debt goes below zero down to the floor, leaves the rest uncollected, and the next grants pay the debt first")
    void allowDebt_thenRepaid() {
      policy(OveragePolicy.allowDebt(100));
      alice.grant(LotSource.PACK, 60);
      Hold hold = alice.hold(50);
      Settlement s = settle(hold, 200, "s-1");
      assertThat(s.charged()).isEqualTo(160);
      assertThat(s.debtIncurred()).isEqualTo(100);
      assertThat(s.uncollected()).isEqualTo(40);
      BalanceView owing = alice.balance();
      assertThat(owing.available()).isEqualTo(-100);
      assertThat(owing.debt()).isEqualTo(100);
      assertThat(sum(alice.ledger(), EntryType.DEBT_INCURRED)).isEqualTo(100);
      assertConsistent(alice);

      // In debt, nothing can be held.
      failsWithoutChange(scenario, alice, () -> alice.hold(1), InsufficientCreditsException.class,
          ErrorCode.INSUFFICIENT_CREDITS);

      alice.grant(LotSource.PROMOTION, 30);
      assertThat(alice.balance().available()).isEqualTo(-70);
      assertThat(alice.balance().debt()).isEqualTo(70);
      alice.grant(LotSource.PACK, 100);
      assertThat(alice.balance().available()).isEqualTo(30);
      assertThat(alice.balance().debt()).isZero();
      assertThat(sum(alice.ledger(), EntryType.DEBT_REPAID)).isEqualTo(100);
      assertConsistent(alice);
    }

    @Test
    @DisplayName("a second overage while in debt goes only as far as the floor")
    void allowDebt_floorHoldsAcrossSettles() {
      policy(OveragePolicy.allowDebt(50));
      alice.grant(LotSource.PACK, 40);
      Hold a = alice.hold(20);
      Hold b = alice.hold(20);
      Settlement first = settle(a, 60, "s-1");
      assertThat(first.debtIncurred()).isEqualTo(40);
      Settlement second = settle(b, 60, "s-2");
      assertThat(second.debtIncurred()).isEqualTo(10);
      assertThat(second.uncollected()).isEqualTo(30);
      assertThat(alice.balance().available()).isEqualTo(-50);
      assertConsistent(alice);
      assertThat(uncollectedRecorded(a.id())).as("first settle: charged all").isEmpty();
      assertThat(uncollectedRecorded(b.id())).as("second settle: every entry says 30").containsOnly("30");
    }

    @Test
    @DisplayName("a settle's entries record what it left uncollected, as its settlement reports it")
    void uncollectedIsRecordedOnTheEntries() {
      policy(OveragePolicy.takeAvailable());
      alice.grant(LotSource.PROMOTION, 10);
      alice.grant(LotSource.PACK, 20);
      Hold twoLots = alice.hold(25);
      Settlement s = settle(twoLots, 100, "s-1");
      assertThat(s.uncollected()).isEqualTo(70);  // 75 above the hold, 5 available
      assertThat(uncollectedRecorded(twoLots.id())).as("each lot's settle entry and the overage entry")
          .hasSize(3).containsOnly("70");

      alice.grant(LotSource.PACK, 100);
      Hold covered = alice.hold(10);
      assertThat(settle(covered, 30, "s-2").uncollected()).isZero();
      assertThat(uncollectedRecorded(covered.id())).isEmpty();
      assertConsistent(alice);
    }

    @Test
    @DisplayName("a future-start grant pays the debt when it starts, and a release pays it with what returns")
    void debt_paidByStartsAndReturns() {
      policy(OveragePolicy.allowDebt(100));
      alice.grant(LotSource.PACK, 60);
      Hold open = alice.hold(10);
      Hold hold = alice.hold(50);
      settle(hold, 110, "s-1");
      assertThat(alice.balance().debt()).isEqualTo(60);
      service.grantStarting(alice.id(), LotSource.PROMOTION, CreditAmount.of(20), scenario.now().plusSeconds(60),
          null, Map.of(), IdempotencyKey.of("promo"));
      assertThat(alice.balance().debt()).isEqualTo(60);
      scenario.advance(Duration.ofSeconds(61));
      assertThat(alice.balance().debt()).as("paid lazily at the start").isEqualTo(40);
      alice.release(open);
      assertThat(alice.balance().debt()).isEqualTo(30);
      assertThat(alice.balance().available()).isEqualTo(-30);
      assertConsistent(alice);
    }

    @Test
    @DisplayName("the gate's extension answers with the shortfall and the offer, as an authorization does")
    void gate_extend_offers() {
      Credits credits = Credits.builder().store(new InMemoryCreditStore())
          .clock(new MutableClock(CreditsScenario.DEFAULT_START)).build();
      AccountId carol = AccountId.of("carol");
      credits.credits().openAccount(carol, IdempotencyKey.of("open"));
      credits.credits().grant(carol, LotSource.PACK, CreditAmount.of(50), null, Map.of(), IdempotencyKey.of("g"));
      Hold hold = credits.credits().hold(io.preprompt.credits.balance.HoldRequest.of(carol, CreditAmount.of(40),
          IdempotencyKey.of("h")));

      io.preprompt.credits.gate.Authorization ok = credits.gate().extend(carol, hold.id(), CreditAmount.of(5),
          IdempotencyKey.of("e1"));
      assertThat(ok).isInstanceOfSatisfying(io.preprompt.credits.gate.Authorization.Authorized.class,
          a -> assertThat(a.hold().amount()).isEqualTo(45));
      io.preprompt.credits.gate.Authorization refused = credits.gate().extend(carol, hold.id(), CreditAmount.of(25),
          IdempotencyKey.of("e2"));
      assertThat(refused).isInstanceOfSatisfying(io.preprompt.credits.gate.Authorization.InsufficientCredits.class,
          i -> {
            assertThat(i.available()).isEqualTo(5);
            assertThat(i.estimate()).isEqualTo(25);
            assertThat(i.shortfall()).isEqualTo(20);
            assertThat(i.offer().tiers()).isNotEmpty();
          });
      assertThat(credits.credits().findHold(carol, hold.id())).get().extracting(Hold::amount).isEqualTo(45L);
    }
  }

  @Nested
  @DisplayName("The overage policy")
  class Policy {
    @Test
    @DisplayName("resolves the account's own, else its tier's, else the configured default")
    void resolution() {
      Entitlements basic = Entitlements.builder().resolutions("720p").maxClipSeconds(5).maxVariants(1)
          .models("standard").build();
      TierCatalog tiers = TierCatalog.builder()
          .tier(Tier.free("free", "Free", basic).withOverage(OveragePolicy.allowDebt(25)))
          .tier(Tier.paid("studio", "Studio", 1_000, basic)).build();
      Credits credits = Credits.builder().store(new InMemoryCreditStore())
          .clock(new MutableClock(CreditsScenario.DEFAULT_START)).tiers(tiers)
          .config(CreditsConfig.builder().overagePolicy(OveragePolicy.takeAvailable()).build()).build();
      AccountId carol = AccountId.of("carol");
      credits.credits().openAccount(carol, IdempotencyKey.of("open"));
      assertThat(credits.credits().overagePolicy(carol)).as("the free tier's").isEqualTo(OveragePolicy.allowDebt(25));
      credits.credits().grant(carol, LotSource.PACK, CreditAmount.of(10), null, Map.of(), IdempotencyKey.of("g"));
      Hold hold = credits.credits().hold(io.preprompt.credits.balance.HoldRequest.of(carol, CreditAmount.of(10),
          IdempotencyKey.of("h")));
      Settlement s = credits.credits().settle(carol, hold.id(), CreditAmount.of(50), IdempotencyKey.of("s"));
      assertThat(s.debtIncurred()).isEqualTo(25);
      assertThat(credits.credits().balance(carol).available()).isEqualTo(-25);

      credits.credits().setOveragePolicy(carol, OveragePolicy.refuse(), IdempotencyKey.of("p"));
      assertThat(credits.credits().overagePolicy(carol)).as("its own").isEqualTo(OveragePolicy.refuse());
      assertThat(credits.credits().balance(carol).debt()).as("debt owed stays owed").isEqualTo(25);

      Credits plain = Credits.builder().store(new InMemoryCreditStore())
          .clock(new MutableClock(CreditsScenario.DEFAULT_START))
          .config(CreditsConfig.builder().overagePolicy(OveragePolicy.takeAvailable()).build()).build();
      plain.credits().openAccount(carol, IdempotencyKey.of("open"));
      assertThat(plain.credits().overagePolicy(carol)).as("the configured default").isEqualTo(OveragePolicy.takeAvailable());
    }

    @Test
    @DisplayName("is set exactly once per key: the same policy replays, another one is a conflict and changes nothing")
    void set_idempotent() {
      alice.grant(LotSource.PACK, 10);
      IdempotencyKey key = IdempotencyKey.of("policy-1");
      assertThat(service.setOveragePolicy(alice.id(), OveragePolicy.allowDebt(10), key))
          .isEqualTo(OveragePolicy.allowDebt(10));
      assertThat(service.setOveragePolicy(alice.id(), OveragePolicy.allowDebt(10), key))
          .isEqualTo(OveragePolicy.allowDebt(10));
      failsWithoutChange(scenario, alice, () -> service.setOveragePolicy(alice.id(), OveragePolicy.allowDebt(11), key),
          IdempotencyConflictException.class, ErrorCode.IDEMPOTENCY_CONFLICT);
      failsWithoutChange(scenario, alice, () -> service.setOveragePolicy(alice.id(), null, IdempotencyKey.of("p2")),
          InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT);
      assertThat(service.overagePolicy(alice.id())).isEqualTo(OveragePolicy.allowDebt(10));
    }

    @Test
    @DisplayName("refuses a negative or huge debt bound, a bound without debt, and an unreadable text form")
    void policy_badInput() {
      assertThat(Expect.failure(() -> OveragePolicy.allowDebt(-1), InvalidRequestException.class,
          ErrorCode.INVALID_ARGUMENT)).isNotNull();
      assertThat(Expect.failure(() -> OveragePolicy.allowDebt(OveragePolicy.MAX_DEBT + 1),
          InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT)).isNotNull();
      assertThat(Expect.failure(() -> new OveragePolicy(OveragePolicy.Mode.TAKE_AVAILABLE, 5),
          InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT)).isNotNull();
      assertThat(Expect.failure(() -> new OveragePolicy(null, 0), InvalidRequestException.class,
          ErrorCode.INVALID_ARGUMENT)).isNotNull();
      assertThat(Expect.failure(() -> OveragePolicy.parse("allowDebt(x)"), InvalidRequestException.class,
          ErrorCode.INVALID_ARGUMENT)).isNotNull();
      for (OveragePolicy p : List.of(OveragePolicy.refuse(), OveragePolicy.takeAvailable(),
          OveragePolicy.allowDebt(0), OveragePolicy.allowDebt(OveragePolicy.MAX_DEBT))) {
        assertThat(OveragePolicy.parse(p.toString())).isEqualTo(p);
      }
      assertThat(OveragePolicy.allowDebt(7).floor()).isEqualTo(-7);
    }
  }
}
