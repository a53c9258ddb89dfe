package io.preprompt.credits.engine;

import static io.preprompt.credits.engine.Expect.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.ConcurrentUpdateException;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.StoreException;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.GateConfig;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.ledger.CommittedChange;
import io.preprompt.credits.ledger.CreditsListener;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.CommitOutcome;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.testkit.CreditsScenario.ScenarioAccount;
import io.preprompt.credits.testkit.CreditsScenario;
import io.preprompt.credits.testkit.ForwardingCreditStore;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import io.preprompt.credits.testkit.RecordingBillingGateway;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Failures and listeners")
class FailureAndListenerTest {

  @Nested
  @DisplayName("Optimistic concurrency")
  class Conflicts {
    final AtomicBoolean conflicting = new AtomicBoolean(false);
    final AtomicInteger commits = new AtomicInteger();
    final UnaryOperator<CreditStore> alwaysConflicts = store -> new ForwardingCreditStore(store) {
      @Override
      public CommitOutcome commit(AccountChange change) {
        commits.incrementAndGet();
        return conflicting.get() ? CommitOutcome.CONFLICT : super.commit(change);
      }
    };
    final CreditsScenario scenario = new CreditsScenario(
        CreditsConfig.builder().maxCommitAttempts(5).build(), alwaysConflicts, List.of(), false);
    final ScenarioAccount alice = scenario.account("alice");

    @Test
    @DisplayName("a store that always reports CONFLICT makes the call fail with CONCURRENT_UPDATE after the bounded attempts")
    void alwaysConflict_concurrentUpdate() {
      alice.grant(LotSource.SIGNUP_GRANT, 100);
      Hold hold = alice.hold(10);
      Map<String, Object> before = scenario.store().dump(alice.id());
      conflicting.set(true);
      commits.set(0);

      failure(() -> alice.grant(LotSource.PACK, 5), ConcurrentUpdateException.class, ErrorCode.CONCURRENT_UPDATE);
      assertThat(commits.get()).isEqualTo(5);
      failure(() -> alice.hold(5), ConcurrentUpdateException.class, ErrorCode.CONCURRENT_UPDATE);
      failure(() -> alice.settle(hold), ConcurrentUpdateException.class, ErrorCode.CONCURRENT_UPDATE);
      failure(() -> alice.release(hold), ConcurrentUpdateException.class, ErrorCode.CONCURRENT_UPDATE);
      failure(() -> scenario.account("bob"), ConcurrentUpdateException.class, ErrorCode.CONCURRENT_UPDATE);
      assertThat(scenario.store().dump(alice.id())).isEqualTo(before);
      assertThat(scenario.store().accountIds()).doesNotContain(AccountId.of("bob"));
    }

    @Test
    @DisplayName("after CONCURRENT_UPDATE the same key may be retried and takes effect once")
    void concurrentUpdate_retrySameKey_takesEffectOnce() {
      alice.grant(LotSource.SIGNUP_GRANT, 100);
      IdempotencyKey key = IdempotencyKey.of("retry-me");
      conflicting.set(true);
      failure(() -> scenario.service().grant(alice.id(), LotSource.PACK, CreditAmount.of(5), null, key),
          ConcurrentUpdateException.class, ErrorCode.CONCURRENT_UPDATE);
      conflicting.set(false);
      var first = scenario.service().grant(alice.id(), LotSource.PACK, CreditAmount.of(5), null, key);
      var again = scenario.service().grant(alice.id(), LotSource.PACK, CreditAmount.of(5), null, key);
      assertThat(again).isEqualTo(first);
      assertThat(alice.available()).isEqualTo(105);
    }

    @Test
    @DisplayName("a sweep that keeps conflicting gives up on that account without throwing")
    void sweep_conflicts_reportsNothing() {
      alice.grant(LotSource.SIGNUP_GRANT, 100);
      alice.hold(10, Duration.ofMinutes(1));
      scenario.advance(Duration.ofMinutes(2));
      conflicting.set(true);
      assertThat(scenario.service().sweep().holdsExpired()).isZero();
      conflicting.set(false);
      assertThat(scenario.service().sweep().holdsExpired()).isEqualTo(1);
    }
  }

  @Nested
  @DisplayName("Store failures")
  class StoreFailures {
    final AtomicBoolean failing = new AtomicBoolean(false);
    final UnaryOperator<CreditStore> breaking = store -> new ForwardingCreditStore(store) {
      @Override
      public Optional<AccountSnapshot> load(AccountId account, HoldSelection holds) {
        if (failing.get()) {
          throw new IllegalStateException("connection reset");
        }
        return super.load(account, holds);
      }

      @Override
      public CommitOutcome commit(AccountChange change) {
        if (failing.get()) {
          throw new IllegalStateException("disk full");
        }
        return super.commit(change);
      }
    };
    /** Every call reads first, so a failing read is met before a failing commit. */
    final CreditsScenario scenario = new CreditsScenario(CreditsConfig.defaults(), breaking, List.of(), false);
    final ScenarioAccount alice = scenario.account("alice");

    @Test
    @DisplayName("a RuntimeException from the store surfaces as StoreException with the cause, and nothing changes")
    void storeThrows_storeException() {
      alice.grant(LotSource.SIGNUP_GRANT, 100);
      Map<String, Object> before = scenario.store().dump(alice.id());
      failing.set(true);
      StoreException e = failure(() -> alice.hold(10), StoreException.class, ErrorCode.STORE_FAILURE);
      assertThat(e.getCause()).isInstanceOf(IllegalStateException.class).hasMessage("connection reset");
      assertThat(e.sqlState()).isEmpty();
      failure(() -> alice.balance(), StoreException.class, ErrorCode.STORE_FAILURE);
      failure(() -> alice.reconcile(), StoreException.class, ErrorCode.STORE_FAILURE);
      failing.set(false);
      assertThat(scenario.store().dump(alice.id())).isEqualTo(before);
    }

    @Test
    @DisplayName("a commit that throws leaves no partial state and the call can be retried with its key")
    void commitThrows_retryWorks() {
      alice.grant(LotSource.SIGNUP_GRANT, 100);
      Map<String, Object> before = scenario.store().dump(alice.id());
      IdempotencyKey key = IdempotencyKey.of("hold-1");
      var request = io.preprompt.credits.balance.HoldRequest.of(alice.id(), CreditAmount.of(10), key);
      failing.set(true);
      failure(() -> scenario.service().hold(request), StoreException.class, ErrorCode.STORE_FAILURE);
      failing.set(false);
      assertThat(scenario.store().dump(alice.id())).isEqualTo(before);
      Hold hold = scenario.service().hold(request);
      assertThat(scenario.service().hold(request)).isEqualTo(hold);
      assertThat(alice.held()).isEqualTo(10);
    }

    @Test
    @DisplayName("StoreException carries the SQL state and the outcome in its message")
    void storeException_sqlState() {
      StoreException e = new StoreException("insert failed", "40001", StoreException.Outcome.NOT_APPLIED, null);
      assertThat(e.sqlState()).contains("40001");
      assertThat(e.outcome()).isEqualTo(StoreException.Outcome.NOT_APPLIED);
      assertThat(e.getMessage()).contains("SQL state 40001").contains("not applied").doesNotContain("STORE_FAILURE");
      assertThat(e.toString()).contains("STORE_FAILURE: ");
      StoreException lost = new StoreException("commit failed", null, StoreException.Outcome.UNKNOWN, null);
      assertThat(lost.getMessage()).doesNotContain("SQL state").contains("resend with the same idempotency key");
    }

    @Test
    @DisplayName("StoreException takes only the store failure codes")
    void storeException_codes() {
      assertThat(new StoreException(ErrorCode.SCHEMA_NOT_INSTALLED, "no tables", "42P01",
          StoreException.Outcome.NOT_APPLIED, null).code()).isEqualTo(ErrorCode.SCHEMA_NOT_INSTALLED);
      assertThatThrownBy(() -> new StoreException(ErrorCode.INVALID_AMOUNT, "x", null,
          StoreException.Outcome.NOT_APPLIED, null)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Nested
  @DisplayName("What a store failure says about the change")
  class StoreFailureOutcomes {
    final AtomicBoolean readFails = new AtomicBoolean();
    final AtomicBoolean commitFails = new AtomicBoolean();
    final AtomicBoolean commitThenFail = new AtomicBoolean();
    final AtomicReference<RuntimeException> commitThrows = new AtomicReference<>();
    final UnaryOperator<CreditStore> faulty = store -> new ForwardingCreditStore(store) {
      @Override
      public Optional<AccountSnapshot> load(AccountId account, HoldSelection holds) {
        if (readFails.get()) {
          throw new IllegalStateException("connection reset");
        }
        return super.load(account, holds);
      }

      @Override
      public CommitOutcome commit(AccountChange change) {
        RuntimeException thrown = commitThrows.get();
        if (thrown != null) {
          throw thrown;
        }
        if (commitFails.get()) {
          throw new IllegalStateException("disk full");
        }
        CommitOutcome outcome = super.commit(change);
        if (commitThenFail.get()) {
          throw new IllegalStateException("the answer was lost after the commit");
        }
        return outcome;
      }
    };
    final CreditsScenario scenario = new CreditsScenario(CreditsConfig.defaults(), faulty, List.of(), false);
    final ScenarioAccount alice = scenario.account("alice");

    @Test
    @DisplayName("a read that throws is NOT_APPLIED, with no SQL state, and nothing changed")
    void readThrows_notApplied() {
      alice.grant(LotSource.SIGNUP_GRANT, 100);
      Map<String, Object> before = scenario.store().dump(alice.id());
      readFails.set(true);
      StoreException e = failure(() -> alice.hold(10), StoreException.class, ErrorCode.STORE_FAILURE);
      assertThat(e.outcome()).isEqualTo(StoreException.Outcome.NOT_APPLIED);
      assertThat(e.sqlState()).isEmpty();
      assertThat(failure(() -> alice.balance(), StoreException.class, ErrorCode.STORE_FAILURE).outcome())
          .isEqualTo(StoreException.Outcome.NOT_APPLIED);
      readFails.set(false);
      assertThat(scenario.store().dump(alice.id())).isEqualTo(before);
    }

    @Test
    @DisplayName("the plan service's own store reads (renewals due, a cycle's usage) that throw are NOT_APPLIED too")
    void planReadsThrow_notApplied() {
      AtomicBoolean fail = new AtomicBoolean();
      CreditStore store = new ForwardingCreditStore(new InMemoryCreditStore()) {
        @Override
        public List<AccountId> findAccountsWithPlanDue(Instant now, int limit) {
          if (fail.get()) {
            throw new IllegalStateException("connection reset");
          }
          return super.findAccountsWithPlanDue(now, limit);
        }

        @Override
        public List<LedgerEntry> readLedger(AccountId account,
            LedgerQuery query) {
          if (fail.get()) {
            throw new IllegalStateException("connection reset");
          }
          return super.readLedger(account, query);
        }
      };
      Credits credits = Credits.builder().store(store)
          .clock(new MutableClock(Instant.parse("2026-01-15T10:00:00Z")))
          .billing(new RecordingBillingGateway()).build();
      AccountId maya = AccountId.of("maya");
      credits.credits().openAccount(maya, IdempotencyKey.of("open"));
      fail.set(true);
      assertThat(failure(() -> credits.plans().renewDue(), StoreException.class, ErrorCode.STORE_FAILURE).outcome())
          .isEqualTo(StoreException.Outcome.NOT_APPLIED);
      assertThat(failure(() -> credits.plans().overview(maya), StoreException.class, ErrorCode.STORE_FAILURE)
          .outcome()).isEqualTo(StoreException.Outcome.NOT_APPLIED);
      fail.set(false);
      assertThat(credits.plans().overview(maya).balance().available()).isZero();
    }

    @Test
    @DisplayName("a commit that throws anything but a StoreException is UNKNOWN: it may have committed, and the same key converges")
    void commitThrows_unknown() {
      alice.grant(LotSource.SIGNUP_GRANT, 100);
      HoldRequest request = HoldRequest.of(alice.id(), CreditAmount.of(10), IdempotencyKey.of("h"));
      commitThenFail.set(true);
      StoreException e = failure(() -> scenario.service().hold(request), StoreException.class, ErrorCode.STORE_FAILURE);
      assertThat(e.outcome()).isEqualTo(StoreException.Outcome.UNKNOWN);
      assertThat(e.sqlState()).isEmpty();
      assertThat(e.getCause()).hasMessage("the answer was lost after the commit");
      commitThenFail.set(false);
      Hold resent = scenario.service().hold(request);
      assertThat(scenario.service().hold(request)).isEqualTo(resent);
      assertThat(alice.held()).isEqualTo(10);
      assertThat(alice.ledger()).filteredOn(entry -> entry.type() == EntryType.HOLD).hasSize(1);
    }

    @Test
    @DisplayName("a StoreException from the store reaches the caller as it is: its outcome, SQL state and code")
    void storeException_passesUnchanged() {
      alice.grant(LotSource.SIGNUP_GRANT, 100);
      Map<String, Object> before = scenario.store().dump(alice.id());
      for (StoreException thrown : List.of(
          new StoreException("pool timed out", "08001", StoreException.Outcome.NOT_APPLIED, null),
          new StoreException("commit lost", "08006", StoreException.Outcome.UNKNOWN, null),
          new StoreException(ErrorCode.SCHEMA_NOT_INSTALLED, "no tables", "42P01", StoreException.Outcome.NOT_APPLIED,
              null))) {
        commitThrows.set(thrown);
        assertThat(catchThrowable(() -> alice.hold(10))).isSameAs(thrown);
        assertThat(catchThrowable(
            () -> scenario.service().grant(alice.id(), LotSource.PACK, CreditAmount.of(5), null, IdempotencyKey.of("g"))))
            .isSameAs(thrown);
      }
      commitThrows.set(null);
      assertThat(scenario.store().dump(alice.id())).isEqualTo(before);
    }
  }

  @Nested
  @DisplayName("Listeners")
  class Listeners {
    final List<CommittedChange> seen = new CopyOnWriteArrayList<>();
    final CreditsListener recording = seen::add;
    final CreditsListener throwing = change -> {
      throw new IllegalStateException("listener bug");
    };
    final CreditsScenario scenario = new CreditsScenario(CreditsConfig.defaults(), UnaryOperator.identity(),
        List.of(throwing, recording));
    final ScenarioAccount alice = scenario.account("alice");

    @Test
    @DisplayName("get the new balance and the entries after each commit, even after a throwing listener")
    void listeners_getNewBalance() {
      seen.clear();
      alice.grant(LotSource.SIGNUP_GRANT, 100);
      Hold hold = alice.hold(30);
      alice.settle(hold, 20);

      assertThat(seen).hasSize(3);
      assertThat(seen).allSatisfy(c -> assertThat(c.account()).isEqualTo(alice.id()));
      assertThat(seen.get(0).balance().available()).isEqualTo(100);
      assertThat(seen.get(1).balance().available()).isEqualTo(70);
      assertThat(seen.get(1).balance().held()).isEqualTo(30);
      assertThat(seen.get(1).entries()).extracting(LedgerEntry::type).containsExactly(EntryType.HOLD);
      assertThat(seen.get(2).balance().available()).isEqualTo(80);
      assertThat(seen.get(2).balance().held()).isZero();
      assertThat(seen.get(2).balance().version()).isEqualTo(
          scenario.store().load(alice.id(), HoldSelection.allActive()).orElseThrow().account().version());
    }

    @Test
    @DisplayName("a throwing listener does not undo the change")
    void throwingListener_changeStays() {
      alice.grant(LotSource.SIGNUP_GRANT, 100);
      assertThat(alice.available()).isEqualTo(100);
      assertThat(alice.ledger()).hasSize(1);
      assertThat(alice.reconcile().consistent()).isTrue();
    }

    @Test
    @DisplayName("are not told about failed calls or replays")
    void listeners_silentOnFailureAndReplay() {
      IdempotencyKey key = IdempotencyKey.of("g1");
      scenario.service().grant(alice.id(), LotSource.PACK, CreditAmount.of(5), null, key);
      seen.clear();
      scenario.service().grant(alice.id(), LotSource.PACK, CreditAmount.of(5), null, key);
      failure(() -> alice.hold(6), io.preprompt.credits.core.InsufficientCreditsException.class,
          ErrorCode.INSUFFICIENT_CREDITS);
      assertThat(seen).isEmpty();
    }
  }

  @Nested
  @DisplayName("Listeners of a store writing inside its host's transaction")
  class InHostTransaction {
    final AccountId maya = AccountId.of("maya");
    final List<String> told = new CopyOnWriteArrayList<>();
    final List<Runnable> waiting = new CopyOnWriteArrayList<>();
    final AtomicBoolean cannotFollow = new AtomicBoolean();
    /** The in-memory store as a store in its host's transaction reports: written, durable when the test says. */
    final CreditStore inHost = new ForwardingCreditStore(new InMemoryCreditStore()) {
      @Override
      public CommitOutcome commit(AccountChange change) {
        CommitOutcome outcome = super.commit(change);
        return outcome == CommitOutcome.COMMITTED ? CommitOutcome.WRITTEN_IN_HOST_TRANSACTION : outcome;
      }

      @Override
      public void whenDurable(Runnable action) {
        if (cannotFollow.get()) {
          throw new IllegalStateException("cannot tell when the host commits");
        }
        waiting.add(action);
      }
    };
    final Credits library = Credits.builder().store(inHost).clock(MutableClock.at("2026-05-04T12:00:00Z"))
        .listener(change -> told.add(change.entries().get(0).type() + " " + change.balance().available()))
        .lowBalanceListener((account, available, typical, threshold) -> told.add("low " + available))
        .gate(GateConfig.defaults().withLowBalanceThreshold(50))
        .build();

    InHostTransaction() {
      library.credits().openAccount(maya, IdempotencyKey.of("open"));
      hostCommits();
      told.clear();
    }

    void hostCommits() {
      List<Runnable> durable = List.copyOf(waiting);
      waiting.clear();
      durable.forEach(Runnable::run);
    }

    /** A grant of 50 and a generation of 8 that leaves 42, under the threshold. */
    void grantAndGenerate() {
      library.credits().grant(maya, LotSource.PROMOTION, CreditAmount.of(50), null, IdempotencyKey.of("grant"));
      Authorization.Authorized ok = (Authorization.Authorized) library.gate().authorize(maya,
          GenerationRequest.image("standard", "720p"), IdempotencyKey.of("gen"));
      library.gate().succeeded(maya, ok.hold().id(), CreditAmount.of(ok.total()), IdempotencyKey.of("done"));
    }

    @Test
    @DisplayName("hear of changes and low balances only once the store says they are durable, in order, once")
    void toldWhenDurable() {
      grantAndGenerate();
      assertThat(told).isEmpty();
      hostCommits();
      assertThat(told).containsExactly("GRANT 50", "HOLD 42", "low 42", "SETTLE 42");
      hostCommits();
      assertThat(told).hasSize(4);
    }

    @Test
    @DisplayName("hear nothing when the host rolls back")
    void silentOnRollback() {
      grantAndGenerate();
      waiting.clear();
      hostCommits();
      assertThat(told).isEmpty();
    }

    @Test
    @DisplayName("are not told when the store cannot follow its host's transaction, and the call still succeeds")
    void storeCannotFollow_callSucceedsNobodyTold() {
      cannotFollow.set(true);
      grantAndGenerate();
      assertThat(told).isEmpty();
      assertThat(waiting).isEmpty();
      assertThat(library.credits().balance(maya).available()).isEqualTo(42);
    }
  }
}
