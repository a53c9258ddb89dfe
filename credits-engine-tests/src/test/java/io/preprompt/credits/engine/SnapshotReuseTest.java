package io.preprompt.credits.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.CreditsException;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.IdempotencyConflictException;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.StoreException;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.CommitOutcome;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.spi.IdempotencyRecord;
import io.preprompt.credits.testkit.ForwardingCreditStore;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Core runs keyed calls on the account as its own last commit left it when the store allows it
 * ({@code reuseCommittedAccounts}): no read on the happy path, and a stale copy (another instance
 * wrote meanwhile) costs a refused commit and a read, never a wrong write or a wrong refusal.
 */
@DisplayName("Reusing committed snapshots")
class SnapshotReuseTest {
  static final AccountId ALICE = AccountId.of("alice");

  /** The in-memory store (which lets core reuse snapshots), counting reads and commits. */
  static class ReusingStore extends ForwardingCreditStore {
    final AtomicInteger reads = new AtomicInteger();
    final AtomicInteger refused = new AtomicInteger();
    final AtomicBoolean loseNextAnswer = new AtomicBoolean();

    ReusingStore(InMemoryCreditStore delegate) {
      super(delegate);
    }

    @Override
    public Optional<AccountSnapshot> load(AccountId account, HoldSelection holds) {
      reads.incrementAndGet();
      return super.load(account, holds);
    }

    @Override
    public Optional<IdempotencyRecord> findIdempotencyRecord(AccountId account, IdempotencyKey key) {
      reads.incrementAndGet();
      return super.findIdempotencyRecord(account, key);
    }

    @Override
    public CommitOutcome commit(AccountChange change) {
      CommitOutcome outcome = super.commit(change);
      if (outcome == CommitOutcome.CONFLICT) {
        refused.incrementAndGet();
      }
      if (outcome == CommitOutcome.COMMITTED && loseNextAnswer.compareAndSet(true, false)) {
        throw new IllegalStateException("connection lost after the commit");
      }
      return outcome;
    }
  }

  final InMemoryCreditStore shared = new InMemoryCreditStore();
  final MutableClock clock = MutableClock.at("2026-05-04T12:00:00Z");
  final ReusingStore storeA = new ReusingStore(shared);
  final ReusingStore storeB = new ReusingStore(shared);
  /** Two app instances over one database. */
  final CreditService a = service(storeA);
  final CreditService b = service(storeB);

  CreditService service(ReusingStore store) {
    return CreditService.builder().store(store).clock(clock)
        .config(CreditsConfig.builder().maxCommitAttempts(1000).build()).build();
  }

  void open(long credits) {
    a.openAccount(ALICE, IdempotencyKey.of("open"));
    a.grant(ALICE, LotSource.PACK, CreditAmount.of(credits), null, IdempotencyKey.of("pack"));
  }

  static IdempotencyKey key(String k) {
    return IdempotencyKey.of(k);
  }

  @Test
  @DisplayName("successive calls of one instance commit without reading the account")
  void noReadsOnTheHappyPath() {
    open(1_000);
    storeA.reads.set(0);
    for (int i = 0; i < 50; i++) {
      Hold hold = a.hold(HoldRequest.of(ALICE, CreditAmount.of(5), key("h" + i)));
      a.settle(ALICE, hold.id(), key("s" + i));
    }
    assertThat(storeA.reads).hasValue(0);
    assertThat(storeA.refused).hasValue(0);
    assertThat(a.balance(ALICE).available()).isEqualTo(750);
    assertThat(a.reconcile(ALICE).consistent()).isTrue();
  }

  @Test
  @DisplayName("turned off, every call reads the account")
  void offReadsEveryTime() {
    CreditService plain = CreditService.builder().store(storeA).clock(clock).reuseCommittedAccounts(false).build();
    plain.openAccount(ALICE, key("open"));
    plain.grant(ALICE, LotSource.PACK, CreditAmount.of(100), null, key("pack"));
    storeA.reads.set(0);
    for (int i = 0; i < 10; i++) {
      plain.hold(HoldRequest.of(ALICE, CreditAmount.of(1), key("h" + i)));
    }
    // Each keyed call asks for its key's record, then loads the account: two reads each.
    assertThat(storeA.reads).hasValue(20);
  }

  @Test
  @DisplayName("a commit made inside a host's transaction is never reused: the host may still roll it back")
  void hostTransactionCommitsAreNotReused() {
    ReusingStore inHost = new ReusingStore(shared) {
      @Override
      public CommitOutcome commit(AccountChange change) {
        CommitOutcome outcome = super.commit(change);
        return outcome == CommitOutcome.COMMITTED ? CommitOutcome.WRITTEN_IN_HOST_TRANSACTION : outcome;
      }
    };
    CreditService host = service(inHost);
    host.openAccount(ALICE, key("open"));
    host.grant(ALICE, LotSource.PACK, CreditAmount.of(100), null, key("pack"));
    inHost.reads.set(0);
    for (int i = 0; i < 5; i++) {
      Hold hold = host.hold(HoldRequest.of(ALICE, CreditAmount.of(1), key("h" + i)));
      host.settle(ALICE, hold.id(), key("s" + i));
    }
    assertThat(inHost.reads).hasValue(20);
    assertThat(host.balance(ALICE).available()).isEqualTo(95);
  }

  @Test
  @DisplayName("a copy that may miss an overdue hold is not used: the hold expires on the next call, read afresh")
  void overdueHoldForcesARead() {
    open(100);
    Hold shortLived = a.hold(HoldRequest.of(ALICE, CreditAmount.of(30), key("short")).withTtl(Duration.ofMinutes(1)));
    a.hold(HoldRequest.of(ALICE, CreditAmount.of(5), key("long")).withTtl(Duration.ofHours(1)));
    storeA.reads.set(0);
    a.hold(HoldRequest.of(ALICE, CreditAmount.of(5), key("before")));
    assertThat(storeA.reads).as("nothing overdue yet: no read").hasValue(0);
    clock.advance(Duration.ofMinutes(2));
    a.hold(HoldRequest.of(ALICE, CreditAmount.of(5), key("after")));
    assertThat(storeA.reads).as("the short hold is overdue: the call reads").hasPositiveValue();
    assertThat(a.findHold(ALICE, shortLived.id()).orElseThrow().state()).isEqualTo(HoldState.EXPIRED);
    assertThat(a.balance(ALICE).held()).isEqualTo(15);
    assertThat(a.reconcile(ALICE).consistent()).isTrue();
  }

  @Test
  @DisplayName("an account's copy keeps its newest holds; settling an older one reads it")
  void keepsTheNewestHolds() {
    open(1_000);
    List<Hold> holds = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      holds.add(a.hold(HoldRequest.of(ALICE, CreditAmount.of(1), key("h" + i))));
    }
    storeA.reads.set(0);
    a.settle(ALICE, holds.get(39).id(), key("s39"));
    assertThat(storeA.reads).as("the newest hold is kept").hasValue(0);
    a.settle(ALICE, holds.get(0).id(), key("s0"));
    assertThat(storeA.reads).as("the oldest is not: the call reads it").hasPositiveValue();
    assertThat(a.balance(ALICE).held()).isEqualTo(38);
    assertThat(a.reconcile(ALICE).consistent()).isTrue();
  }

  @Test
  @DisplayName("credits another instance granted are seen: a stale copy never refuses a hold they cover")
  void staleCopyDoesNotRefuse() {
    open(10);
    Hold first = a.hold(HoldRequest.of(ALICE, CreditAmount.of(10), key("h1")));
    a.settle(ALICE, first.id(), key("s1"));
    // A's copy now shows 0 available; B grants 100.
    b.grant(ALICE, LotSource.PACK, CreditAmount.of(100), null, key("pack-2"));
    Hold second = a.hold(HoldRequest.of(ALICE, CreditAmount.of(60), key("h2")));
    assertThat(second.amount()).isEqualTo(60);
    assertThat(b.balance(ALICE).available()).isEqualTo(40);
    assertThat(a.reconcile(ALICE).consistent()).isTrue();
  }

  @Test
  @DisplayName("a hold another instance placed can be settled on an instance whose copy predates it")
  void holdFromOtherInstance() {
    open(100);
    a.hold(HoldRequest.of(ALICE, CreditAmount.of(1), key("warm")));
    Hold placedByB = b.hold(HoldRequest.of(ALICE, CreditAmount.of(30), key("hb")));
    Settlement s = a.settle(ALICE, placedByB.id(), CreditAmount.of(20), key("sa"));
    assertThat(s.settled()).isEqualTo(20);
    assertThat(a.findHold(ALICE, placedByB.id()).orElseThrow().state()).isEqualTo(HoldState.SETTLED);
    assertThat(a.balance(ALICE).available()).isEqualTo(100 - 1 - 20);
  }

  @Test
  @DisplayName("a hold another instance ended is refused with its state, not settled twice")
  void holdEndedElsewhere() {
    open(100);
    Hold hold = a.hold(HoldRequest.of(ALICE, CreditAmount.of(30), key("h")));
    b.release(ALICE, hold.id(), "cancelled", key("rb"));
    // A's copy still shows the hold active.
    assertThatThrownBy(() -> a.settle(ALICE, hold.id(), key("sa"))).isInstanceOfSatisfying(CreditsException.class,
        e -> assertThat(e.code().name()).isEqualTo("HOLD_ALREADY_RELEASED"));
    assertThat(a.balance(ALICE).available()).isEqualTo(100);
    assertThat(a.reconcile(ALICE).consistent()).isTrue();
  }

  @Test
  @DisplayName("a key resent on either instance replays the first result; other parameters conflict")
  void replaysThroughRefusedCommits() {
    open(100);
    Hold hold = a.hold(HoldRequest.of(ALICE, CreditAmount.of(30), key("h")));
    Hold again = a.hold(HoldRequest.of(ALICE, CreditAmount.of(30), key("h")));
    Hold elsewhere = b.hold(HoldRequest.of(ALICE, CreditAmount.of(30), key("h")));
    assertThat(again).isEqualTo(hold);
    assertThat(elsewhere).isEqualTo(hold);
    assertThatThrownBy(() -> a.hold(HoldRequest.of(ALICE, CreditAmount.of(31), key("h"))))
        .isInstanceOf(IdempotencyConflictException.class);
    assertThat(a.balance(ALICE).held()).isEqualTo(30);
    assertThat(entriesWithKey("h")).isEqualTo(1);
  }

  @Test
  @DisplayName("when a commit's answer is lost the kept copy is dropped, and the resend replays once")
  void lostAnswer() {
    open(100);
    a.hold(HoldRequest.of(ALICE, CreditAmount.of(1), key("warm")));
    storeA.loseNextAnswer.set(true);
    assertThatThrownBy(() -> a.hold(HoldRequest.of(ALICE, CreditAmount.of(30), key("h"))))
        .isInstanceOfSatisfying(StoreException.class,
            e -> assertThat(e.outcome()).isEqualTo(StoreException.Outcome.UNKNOWN));
    Hold resent = a.hold(HoldRequest.of(ALICE, CreditAmount.of(30), key("h")));
    assertThat(resent.amount()).isEqualTo(30);
    Hold next = a.hold(HoldRequest.of(ALICE, CreditAmount.of(5), key("h-next")));
    assertThat(next.amount()).isEqualTo(5);
    assertThat(entriesWithKey("h")).isEqualTo(1);
    assertThat(a.balance(ALICE).held()).isEqualTo(36);
    assertThat(a.reconcile(ALICE).consistent()).isTrue();
  }

  long entriesWithKey(String k) {
    long[] n = {0};
    a.forEachEntry(ALICE, LedgerQuery.firstPage(100), e -> {
      if (e.key() != null && e.key().value().equals(k)) {
        n[0]++;
      }
    });
    return n[0];
  }

  @Test
  @Timeout(60)
  @DisplayName("4 threads on 2 instances over 2 accounts: every effect once, balances conserved")
  void concurrentInstances() throws Exception {
    AccountId[] accounts = {AccountId.of("x"), AccountId.of("y")};
    long granted = 1_000_000;
    for (AccountId account : accounts) {
      a.openAccount(account, key("open"));
      a.grant(account, LotSource.PACK, CreditAmount.of(granted), null, key("pack"));
    }
    CreditService[] instances = {a, b};
    Map<AccountId, AtomicLong> settled = new ConcurrentHashMap<>();
    for (AccountId account : accounts) {
      settled.put(account, new AtomicLong());
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int thread = t;
      done.add(pool.submit(() -> {
        Random random = new Random(thread);
        Map<AccountId, List<HoldId>> open = new HashMap<>();
        for (int i = 0; i < 1_500; i++) {
          CreditService service = instances[random.nextInt(2)];
          AccountId account = accounts[random.nextInt(2)];
          List<HoldId> mine = open.computeIfAbsent(account, x -> new ArrayList<>());
          String k = "t" + thread + "-" + i;
          if (mine.isEmpty() || random.nextInt(3) == 0) {
            Hold hold = service.hold(HoldRequest.of(account, CreditAmount.of(1 + random.nextInt(9)), key(k)));
            // Resent on the other instance: the same hold, not a second one.
            assertThat(instances[random.nextInt(2)].hold(HoldRequest.of(account, CreditAmount.of(hold.amount()),
                key(k)))).isEqualTo(hold);
            mine.add(hold.id());
          } else {
            HoldId hold = mine.remove(random.nextInt(mine.size()));
            if (random.nextBoolean()) {
              Settlement s = service.settle(account, hold, key(k));
              settled.get(account).addAndGet(s.settled());
            } else {
              service.release(account, hold, "done", key(k));
            }
          }
        }
        return null;
      }));
    }
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    for (AccountId account : accounts) {
      var view = b.balance(account);
      assertThat(view.available() + view.held() + settled.get(account).get()).isEqualTo(granted);
      assertThat(a.reconcile(account).consistent()).isTrue();
      Map<String, Integer> perKey = new HashMap<>();
      a.forEachEntry(account, LedgerQuery.firstPage(500), (LedgerEntry e) -> {
        if (e.key() != null) {
          perKey.merge(e.key().value(), 1, Integer::sum);
        }
      });
      assertThat(perKey.values()).allMatch(n -> n == 1);
    }
    assertThat(storeA.refused.get() + storeB.refused.get()).as("stale copies were refused").isPositive();
  }
}
