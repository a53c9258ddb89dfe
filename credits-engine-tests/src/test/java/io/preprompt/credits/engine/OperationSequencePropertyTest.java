package io.preprompt.credits.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.CreditsException;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.IdempotencyConflictException;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InsufficientCreditsException;
import io.preprompt.credits.core.OveragePolicy;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.Reconciliation;
import io.preprompt.credits.testkit.CreditsScenario.ScenarioAccount;
import io.preprompt.credits.testkit.CreditsScenario;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.jspecify.annotations.Nullable;

/**
 * Random operation sequences over three accounts, checked against a small model after every step:
 * credits are conserved, nothing goes below its floor, each idempotency key takes effect once,
 * replaying the ledger rebuilds the stored state, and every call answers what the rules say it must.
 * The accounts differ in their overage policy (refuse, take what is available, allow a debt of
 * {@link #MAX_DEBT}), so holds are extended and settled above them under each.
 */
class OperationSequencePropertyTest {
  private static final int ACCOUNTS = 3;
  private static final long MAX_DEBT = 120;
  /** Each account's overage policy, by index. */
  private static final List<OveragePolicy> POLICIES = List.of(OveragePolicy.refuse(), OveragePolicy.takeAvailable(),
      OveragePolicy.allowDebt(MAX_DEBT));

  sealed interface Action permits Grant, Place, Extend, Settle, Release, Advance, Sweep, Repeat, Conflict {}

  /** Grant; {@code expiresInMinutes} null for never. */
  record Grant(int account, LotSource source, long amount, @Nullable Integer expiresInMinutes) implements Action {}

  record Place(int account, long amount, int ttlMinutes) implements Action {}

  /** Extends a hold by {@code more}. */
  record Extend(int account, int pick, long more) implements Action {}

  /** Settle; percent below 0 means the whole hold, above 100 asks for more than held. */
  record Settle(int account, int pick, int percent) implements Action {}

  record Release(int account, int pick) implements Action {}

  record Advance(int minutes) implements Action {}

  record Sweep() implements Action {}

  /** Repeats an earlier successful call with the same key and parameters. */
  record Repeat(int pick) implements Action {}

  /** Reuses an earlier successful call's key with one parameter changed. */
  record Conflict(int pick) implements Action {}

  @Provide
  Arbitrary<List<Action>> sequences() {
    Arbitrary<Integer> account = Arbitraries.integers().between(0, ACCOUNTS - 1);
    Arbitrary<Integer> pick = Arbitraries.integers().between(0, 1000);
    Arbitrary<Action> grant = Combinators.combine(account, Arbitraries.of(LotSource.class),
        Arbitraries.longs().between(1, 200), Arbitraries.integers().between(5, 240).injectNull(0.4))
        .as(Grant::new);
    Arbitrary<Action> place = Combinators.combine(account, Arbitraries.longs().between(1, 150),
        Arbitraries.integers().between(1, 180)).as(Place::new);
    Arbitrary<Action> extend = Combinators.combine(account, pick, Arbitraries.longs().between(1, 100))
        .as(Extend::new);
    Arbitrary<Action> settle = Combinators.combine(account, pick, Arbitraries.integers().between(-20, 110))
        .as(Settle::new);
    // Settles above the hold, often enough to reach each policy's floor.
    Arbitrary<Action> settleAbove = Combinators.combine(account, pick, Arbitraries.integers().between(101, 400))
        .as(Settle::new);
    Arbitrary<Action> release = Combinators.combine(account, pick).as(Release::new);
    Arbitrary<Action> advance = Arbitraries.integers().between(1, 90).map(Advance::new);
    Arbitrary<Action> sweep = Arbitraries.just(new Sweep());
    Arbitrary<Action> repeat = pick.map(Repeat::new);
    Arbitrary<Action> conflict = pick.map(Conflict::new);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, grant), net.jqwik.api.Tuple.of(6, place), net.jqwik.api.Tuple.of(2, extend),
        net.jqwik.api.Tuple.of(4, settle), net.jqwik.api.Tuple.of(3, settleAbove),
        net.jqwik.api.Tuple.of(3, release), net.jqwik.api.Tuple.of(3, advance), net.jqwik.api.Tuple.of(1, sweep),
        net.jqwik.api.Tuple.of(2, repeat), net.jqwik.api.Tuple.of(1, conflict))
        .list().ofMinSize(1).ofMaxSize(40);
  }

  /**
   * Longer sequences that hold, extend and settle above the hold often, so that each policy reaches
   * its floor, debts are paid back by grants, returns and lots that start, and extensions are refused.
   */
  @Provide
  Arbitrary<List<Action>> overageSequences() {
    Arbitrary<Integer> account = Arbitraries.integers().between(0, ACCOUNTS - 1);
    Arbitrary<Integer> pick = Arbitraries.integers().between(0, 1000);
    Arbitrary<Action> grant = Combinators.combine(account, Arbitraries.of(LotSource.class),
        Arbitraries.longs().between(1, 120), Arbitraries.integers().between(5, 240).injectNull(0.5))
        .as(Grant::new);
    Arbitrary<Action> place = Combinators.combine(account, Arbitraries.longs().between(1, 60),
        Arbitraries.integers().between(1, 180)).as(Place::new);
    Arbitrary<Action> extend = Combinators.combine(account, pick, Arbitraries.longs().between(1, 80))
        .as(Extend::new);
    Arbitrary<Action> settleAbove = Combinators.combine(account, pick, Arbitraries.integers().between(101, 1000))
        .as(Settle::new);
    Arbitrary<Action> settle = Combinators.combine(account, pick, Arbitraries.integers().between(-20, 100))
        .as(Settle::new);
    Arbitrary<Action> release = Combinators.combine(account, pick).as(Release::new);
    Arbitrary<Action> advance = Arbitraries.integers().between(1, 90).map(Advance::new);
    Arbitrary<Action> repeat = pick.map(Repeat::new);
    Arbitrary<Action> conflict = pick.map(Conflict::new);
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, grant), net.jqwik.api.Tuple.of(7, place), net.jqwik.api.Tuple.of(4, extend),
        net.jqwik.api.Tuple.of(6, settleAbove), net.jqwik.api.Tuple.of(1, settle), net.jqwik.api.Tuple.of(2, release),
        net.jqwik.api.Tuple.of(1, advance), net.jqwik.api.Tuple.of(1, repeat), net.jqwik.api.Tuple.of(1, conflict))
        .list().ofMinSize(20).ofMaxSize(60);
  }

  @Property(tries = 300, edgeCases = EdgeCasesMode.MIXIN)
  @Label("extensions and settles above the hold keep every invariant under each overage policy")
  void overageSequences_keepInvariants(@ForAll("overageSequences") List<Action> actions) {
    Run run = new Run();
    for (int a = 0; a < ACCOUNTS; a++) {
      // An opening balance, so that holds are placed from the first steps on.
      run.grant(new Grant(a, LotSource.PACK, 150, null));
    }
    run.execute(actions);
  }

  // Edge cases mixed in, not first: on their own they fill every try with one- and two-step sequences.
  @Property(tries = 300, edgeCases = EdgeCasesMode.MIXIN)
  @Label("random operation sequences keep every invariant after every step")
  void randomSequences_keepInvariants(@ForAll("sequences") List<Action> actions) {
    new Run().execute(actions);
  }

  /** What the model knows about one hold. */
  static final class HoldModel {
    Hold hold;
    HoldState state = HoldState.ACTIVE;

    HoldModel(Hold hold) {
      this.hold = hold;
    }
  }

  /** One successful keyed call, for replays, conflicts and the "took effect once" check. */
  record Call(int account, IdempotencyKey key, Supplier<Object> again, Object first, Supplier<Object> altered,
      String alteredField, EntryType effect, long effectAmount) {}

  /** One run of a sequence against a fresh scenario and model. */
  static final class Run {
    final CreditsScenario scenario = new CreditsScenario(CreditsConfig.builder()
        .defaultHoldTtl(Duration.ofMinutes(15)).maxHoldTtl(Duration.ofHours(3)).build());
    final CreditService service = scenario.service();
    final List<ScenarioAccount> accounts = new ArrayList<>();
    final long[] granted = new long[ACCOUNTS];
    final long[] settled = new long[ACCOUNTS];
    final List<List<HoldModel>> holds = new ArrayList<>();
    final List<Call> calls = new ArrayList<>();
    int keys;

    Run() {
      for (int i = 0; i < ACCOUNTS; i++) {
        accounts.add(scenario.account("acct-" + i));
        holds.add(new ArrayList<>());
        // No ledger entry: the key is not one of the calls whose effect is checked.
        service.setOveragePolicy(id(i), POLICIES.get(i), IdempotencyKey.of("policy-" + i));
      }
    }

    IdempotencyKey key() {
      return IdempotencyKey.of("prop-" + (++keys));
    }

    AccountId id(int account) {
      return accounts.get(account).id();
    }

    void execute(List<Action> actions) {
      for (Action action : actions) {
        step(action);
        checkInvariants(action);
      }
      checkEachKeyTookEffectOnce();
      scenario.advance(Duration.ofDays(400));
      scenario.service().sweep();
      for (int a = 0; a < ACCOUNTS; a++) {
        Reconciliation r = accounts.get(a).reconcile();
        assertThat(r.consistent()).as("after the final sweep: %s", r.differences()).isTrue();
        assertThat(r.held()).isZero();
        assertThat(r.granted()).isEqualTo(r.available() + r.settled() + r.expired() + r.debited());
      }
    }

    void step(Action action) {
      if (action instanceof Grant g) {
        grant(g);
      } else if (action instanceof Place p) {
        place(p);
      } else if (action instanceof Extend e) {
        extend(e);
      } else if (action instanceof Settle s) {
        settle(s);
      } else if (action instanceof Release r) {
        release(r);
      } else if (action instanceof Advance adv) {
        scenario.advance(Duration.ofMinutes(adv.minutes()));
      } else if (action instanceof Sweep) {
        assertThat(service.sweep().holdsExpired()).isNotNegative();
      } else if (action instanceof Repeat r) {
        repeat(r);
      } else if (action instanceof Conflict c) {
        conflict(c);
      }
    }

    void grant(Grant g) {
      Instant expiry = g.expiresInMinutes() == null ? null : scenario.now().plusSeconds(60L * g.expiresInMinutes());
      IdempotencyKey key = key();
      AccountId id = id(g.account());
      Supplier<Object> call = () -> service.grant(id, g.source(), CreditAmount.of(g.amount()), expiry, key);
      Object first = call.get();
      granted[g.account()] += g.amount();
      calls.add(new Call(g.account(), key, call, first,
          () -> service.grant(id, g.source(), CreditAmount.of(g.amount() + 1), expiry, key), "amount",
          EntryType.GRANT, g.amount()));
    }

    void place(Place p) {
      long available = accounts.get(p.account()).available();
      IdempotencyKey key = key();
      HoldRequest request = HoldRequest.of(id(p.account()), CreditAmount.of(p.amount()), key)
          .withTtl(Duration.ofMinutes(p.ttlMinutes()));
      if (p.amount() > available) {
        InsufficientCreditsException e = catchThrowableOfType(InsufficientCreditsException.class,
            () -> service.hold(request));
        assertThat(e).as("hold %d of %d available", p.amount(), available).isNotNull();
        assertThat(e.available()).isEqualTo(available);
        assertThat(e.shortfall()).isEqualTo(p.amount() - available);
        return;
      }
      Hold hold = service.hold(request);
      assertThat(hold.amount()).isEqualTo(p.amount());
      assertThat(accounts.get(p.account()).available()).isEqualTo(available - p.amount());
      assertThat(hold.allocations().stream().mapToLong(a -> a.amount()).sum()).isEqualTo(p.amount());
      holds.get(p.account()).add(new HoldModel(hold));
      calls.add(new Call(p.account(), key, () -> service.hold(request), hold,
          () -> service.hold(HoldRequest.of(request.account(), CreditAmount.of(p.amount() + 1), key)
              .withTtl(request.ttl())), "amount", EntryType.HOLD, p.amount()));
    }

    @Nullable HoldModel pick(int account, int pick) {
      List<HoldModel> list = holds.get(account);
      return list.isEmpty() ? null : list.get(pick % list.size());
    }

    /** Returns the error a settle or release must get, or null when it must succeed; updates lazy expiry. */
    @Nullable ErrorCode expectedEndError(HoldModel h) {
      if (h.state == HoldState.ACTIVE && scenario.now().isAfter(h.hold.deadline())) {
        h.state = HoldState.EXPIRED;
      }
      return switch (h.state) {
        case ACTIVE -> null;
        case SETTLED -> ErrorCode.HOLD_ALREADY_SETTLED;
        case RELEASED -> ErrorCode.HOLD_ALREADY_RELEASED;
        case EXPIRED -> ErrorCode.HOLD_EXPIRED;
      };
    }

    void settle(Settle s) {
      HoldModel h = pick(s.account(), s.pick());
      if (h == null) {
        return;
      }
      long held = h.hold.amount();
      @Nullable CreditAmount amount = s.percent() < 0 ? null : CreditAmount.of(held * s.percent() / 100);
      long asked = amount == null ? held : amount.value();
      IdempotencyKey key = key();
      AccountId id = id(s.account());
      Supplier<Object> call = () -> amount == null ? service.settleAll(id, h.hold.id(), Map.of(), key)
          : service.settle(id, h.hold.id(), amount, Map.of(), key);
      ErrorCode expected = expectedEndError(h);
      if (amount != null && amount.isZero()) {
        // Checked before the hold is even looked at: settling nothing is a release.
        expected = ErrorCode.INVALID_AMOUNT;
      } else if (expected == null && asked > held && POLICIES.get(s.account()).equals(OveragePolicy.refuse())
          && accounts.get(s.account()).balance().available() < asked - held) {
        // Refuse draws a covered difference and refuses one the balance does not cover.
        expected = ErrorCode.INSUFFICIENT_CREDITS;
      }
      if (expected != null) {
        expectFailure(s.account(), call, expected);
        return;
      }
      BalanceView before = accounts.get(s.account()).balance();
      if (asked > held) {
        settleAbove(s.account(), h, asked, key, call, before);
        return;
      }
      Settlement result = (Settlement) call.get();
      BalanceView after = accounts.get(s.account()).balance();
      assertThat(after.available() - before.available()).as("returned").isEqualTo(result.returned());
      assertThat(before.held() - after.held()).isEqualTo(held);
      assertThat(result.settled()).isEqualTo(asked);
      assertThat(result.returned() + result.expiredOnReturn()).isEqualTo(held - asked);
      settled[s.account()] += asked;
      h.state = HoldState.SETTLED;
      calls.add(new Call(s.account(), key, call, result,
          () -> amount == null ? service.settleAll(id, h.hold.id(), Map.of("changed", "yes"), key)
              : service.settle(id, h.hold.id(), amount, Map.of("changed", "yes"), key), "metadata",
          EntryType.SETTLE, asked));
    }

    /** A settle above the hold: the difference from what is available, then as debt down to the floor. */
    void settleAbove(int account, HoldModel h, long asked, IdempotencyKey key, Supplier<Object> call,
        BalanceView before) {
      long held = h.hold.amount();
      long extra = asked - held;
      long take = Math.min(extra, Math.max(0, before.available()));
      OveragePolicy policy = POLICIES.get(account);
      long owed = Math.min(extra - take, Math.max(0, before.available() - take + policy.maxDebt()));
      Settlement result = (Settlement) call.get();
      BalanceView after = accounts.get(account).balance();
      assertThat(result.requested()).isEqualTo(asked);
      assertThat(result.charged()).isEqualTo(held + take + owed);
      assertThat(result.debtIncurred()).isEqualTo(owed);
      assertThat(result.uncollected()).isEqualTo(extra - take - owed);
      assertThat(result.returned()).isZero();
      assertThat(before.held() - after.held()).isEqualTo(held);
      assertThat(before.available() - after.available()).isEqualTo(take + owed);
      assertThat(after.debt() - before.debt()).isEqualTo(owed);
      Statistics.label("settles above the hold").collect(policy.mode(),
          owed == 0 ? "no debt" : "debt", result.uncollected() == 0 ? "all collected" : "uncollected");
      settled[account] += result.charged();
      h.state = HoldState.SETTLED;
      AccountId id = id(account);
      calls.add(new Call(account, key, call, result,
          () -> service.settle(id, h.hold.id(), CreditAmount.of(asked), Map.of("changed", "yes"), key), "metadata",
          EntryType.SETTLE, held));
    }

    void extend(Extend x) {
      HoldModel h = pick(x.account(), x.pick());
      if (h == null) {
        return;
      }
      IdempotencyKey key = key();
      AccountId id = id(x.account());
      Supplier<Object> call = () -> service.extend(id, h.hold.id(), CreditAmount.of(x.more()), key);
      ErrorCode expected = expectedEndError(h);
      BalanceView before = accounts.get(x.account()).balance();
      if (expected == null && x.more() > before.available()) {
        expected = ErrorCode.INSUFFICIENT_CREDITS;
      }
      if (expected != null) {
        expectFailure(x.account(), call, expected);
        return;
      }
      Hold grown = (Hold) call.get();
      BalanceView after = accounts.get(x.account()).balance();
      assertThat(grown.amount()).isEqualTo(h.hold.amount() + x.more());
      assertThat(grown.deadline()).isEqualTo(h.hold.deadline());
      assertThat(grown.allocations().stream().mapToLong(a -> a.amount()).sum()).isEqualTo(grown.amount());
      assertThat(before.available() - after.available()).isEqualTo(x.more());
      assertThat(after.held() - before.held()).isEqualTo(x.more());
      h.hold = grown;
      calls.add(new Call(x.account(), key, call, grown,
          () -> service.extend(id, h.hold.id(), CreditAmount.of(x.more() + 1), key), "more", EntryType.HOLD,
          x.more()));
    }

    void release(Release r) {
      HoldModel h = pick(r.account(), r.pick());
      if (h == null) {
        return;
      }
      IdempotencyKey key = key();
      AccountId id = id(r.account());
      Supplier<Object> call = () -> service.release(id, h.hold.id(), "failed", key);
      ErrorCode expected = expectedEndError(h);
      if (expected != null) {
        expectFailure(r.account(), call, expected);
        return;
      }
      BalanceView before = accounts.get(r.account()).balance();
      io.preprompt.credits.balance.Release result = (io.preprompt.credits.balance.Release) call.get();
      BalanceView after = accounts.get(r.account()).balance();
      assertThat(after.available() - before.available()).as("returned").isEqualTo(result.returned());
      assertThat(before.held() - after.held()).isEqualTo(h.hold.amount());
      assertThat(result.returned() + result.expiredOnReturn()).isEqualTo(h.hold.amount());
      h.state = HoldState.RELEASED;
      calls.add(new Call(r.account(), key, call, result,
          () -> service.release(id, h.hold.id(), "cancelled", key), "reason", EntryType.RELEASE, h.hold.amount()));
    }

    void expectFailure(int account, Supplier<Object> call, ErrorCode code) {
      Map<String, Object> before = scenario.store().dump(id(account));
      CreditsException e = catchThrowableOfType(CreditsException.class, call::get);
      assertThat(e).as("expected %s", code).isNotNull();
      assertThat(e.code()).isEqualTo(code);
      assertThat(scenario.store().dump(id(account))).isEqualTo(before);
    }

    void repeat(Repeat r) {
      if (calls.isEmpty()) {
        return;
      }
      Call c = calls.get(r.pick() % calls.size());
      Map<String, Object> before = scenario.store().dump(id(c.account()));
      assertThat(c.again().get()).isEqualTo(c.first());
      assertThat(scenario.store().dump(id(c.account()))).isEqualTo(before);
    }

    void conflict(Conflict k) {
      if (calls.isEmpty()) {
        return;
      }
      Call c = calls.get(k.pick() % calls.size());
      Map<String, Object> before = scenario.store().dump(id(c.account()));
      IdempotencyConflictException e = catchThrowableOfType(IdempotencyConflictException.class, c.altered()::get);
      assertThat(e).isNotNull();
      assertThat(e.field()).isEqualTo(c.alteredField());
      assertThat(scenario.store().dump(id(c.account()))).isEqualTo(before);
    }

    void checkInvariants(Action after) {
      Instant now = scenario.now();
      for (int a = 0; a < ACCOUNTS; a++) {
        ScenarioAccount account = accounts.get(a);
        Reconciliation r = account.reconcile();
        assertThat(r.differences()).as("after %s", after).isEmpty();
        assertThat(r.granted()).isEqualTo(granted[a]);
        assertThat(r.settled()).isEqualTo(settled[a]);
        assertThat(r.granted()).isEqualTo(r.available() + r.held() + r.settled() + r.expired() + r.debited());

        BalanceView b = account.balance();
        // The floor: zero unless the account's policy allows debt; and debt is owed only while
        // nothing is spendable (what reaches a lot pays it first).
        assertThat(b.available()).isGreaterThanOrEqualTo(POLICIES.get(a).floor());
        assertThat(b.debt()).isBetween(0L, POLICIES.get(a).maxDebt());
        assertThat(b.debt() == 0 || b.available() == -b.debt()).as("debt %d beside spendable credits", b.debt())
            .isTrue();
        assertThat(r.debt()).isEqualTo(account.reconcile().debt());
        assertThat(b.held()).isNotNegative();
        assertThat(b.lots()).allSatisfy(lot -> {
          assertThat(lot.remaining()).isNotNegative();
          assertThat(lot.reserved()).isNotNegative();
          assertThat(lot.remaining() + lot.reserved()).isLessThanOrEqualTo(lot.granted());
          if (lot.expiresAt() != null && !now.isBefore(lot.expiresAt())) {
            assertThat(lot.remaining()).as("expired lot %s", lot.id()).isZero();
          }
        });
        assertThat(b.lots().stream().mapToLong(Lot::remaining).sum()).isEqualTo(b.available() + b.debt());
        assertThat(b.lots().stream().mapToLong(Lot::reserved).sum()).isEqualTo(b.held());
        // Lazy expiry only moves held credits back or expires credits: never creates any.
        assertThat(b.available() + b.held()).isLessThanOrEqualTo(r.available() + r.held());
        long liveHeld = 0;
        int live = 0;
        for (HoldModel h : holds.get(a)) {
          if (h.state == HoldState.ACTIVE && !now.isAfter(h.hold.deadline())) {
            liveHeld += h.hold.amount();
            live++;
          }
        }
        assertThat(b.held()).as("held after %s", after).isEqualTo(liveHeld);
        assertThat(b.activeHolds()).isEqualTo(live);
      }
    }

    void checkEachKeyTookEffectOnce() {
      for (int a = 0; a < ACCOUNTS; a++) {
        int account = a;
        Map<IdempotencyKey, List<LedgerEntry>> byKey = accounts.get(a).ledger().stream()
            .filter(e -> e.key() != null)
            .collect(Collectors.groupingBy(e -> Objects.requireNonNull(e.key())));
        List<Call> mine = calls.stream().filter(c -> c.account() == account).toList();
        assertThat(byKey.keySet()).containsExactlyInAnyOrderElementsOf(mine.stream().map(Call::key).toList());
        for (Call c : mine) {
          List<LedgerEntry> entries = byKey.get(c.key());
          long sum = entries.stream().filter(e -> e.type() == c.effect()).mapToLong(LedgerEntry::amount).sum();
          assertThat(sum).as("effect of key %s", c.key()).isEqualTo(c.effectAmount());
          if (c.effect() == EntryType.GRANT) {
            // One grant entry; what it paid of a debt follows as DEBT_REPAID under the same key.
            assertThat(entries).filteredOn(e -> e.type() != EntryType.DEBT_REPAID).hasSize(1);
          }
        }
      }
    }
  }
}
