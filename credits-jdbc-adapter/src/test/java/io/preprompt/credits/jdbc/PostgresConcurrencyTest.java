package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InsufficientCreditsException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.ledger.Reconciliation;
import io.preprompt.credits.testkit.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many writers on few accounts through {@link CreditService} on a real PostgreSQL server: 16 threads,
 * each with its own connection, doing grants, holds, settles and releases on 4 shared accounts.
 */
@DisplayName("JdbcCreditStore on PostgreSQL under 16 concurrent writers")
class PostgresConcurrencyTest {
  private static final int THREADS = 16;
  private static final int OPS_PER_THREAD = 150;
  private static final int ACCOUNTS = 4;
  private static final long INITIAL = 2_000;
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  /** One successful keyed call and how to make it again. */
  private record Call(AccountId account, String key, EntryType effect, long amount, Object result,
      Supplier<Object> again) {}

  @Test
  @Timeout(120)
  @DisplayName("no balance goes negative, credits are conserved, and every idempotency key takes effect once")
  void manyWritersFewAccounts() throws Exception {
    Databases.Target target = Databases.POSTGRESQL.fresh();
    String url = PostgresServer.get().url();
    // Used by one thread, this pool of one keeps reusing that thread's own connection.
    manyWritersFewAccounts(target, THREADS, OPS_PER_THREAD,
        thread -> JdbcCreditStore.create(TestDataSource.pooled(url), target.config()));
  }

  /**
   * Runs the writers of {@link #manyWritersFewAccounts()} on the target's accounts and checks what
   * they left; other tests run it through other connections.
   *
   * @param target where the accounts live (set up through its own data source)
   * @param writers how many writers run at once
   * @param opsPerThread how many calls each writer makes
   * @param storeOfThread the store each writer calls through, by writer number
   * @return how many calls the writers made
   */
  static long manyWritersFewAccounts(Databases.Target target, int writers, int opsPerThread,
      IntFunction<JdbcCreditStore> storeOfThread) throws Exception {
    MutableClock clock = new MutableClock(T0);
    CreditsConfig config = CreditsConfig.builder().maxCommitAttempts(1000).build();
    CreditService setup = CreditService.builder().store(target.store()).clock(clock).config(config).build();
    List<AccountId> accounts = new ArrayList<>();
    for (int a = 0; a < ACCOUNTS; a++) {
      AccountId id = AccountId.of("acct-" + a);
      accounts.add(id);
      setup.openAccount(id, IdempotencyKey.of("open"));
      setup.grant(id, LotSource.SIGNUP_GRANT, CreditAmount.of(INITIAL), null, IdempotencyKey.of("initial"));
    }

    List<Call> calls = Collections.synchronizedList(new ArrayList<>());
    Map<AccountId, AtomicLong> granted = new ConcurrentHashMap<>();
    accounts.forEach(a -> granted.put(a, new AtomicLong(INITIAL)));
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    AtomicLong refused = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < writers; t++) {
      int thread = t;
      CreditService credits = CreditService.builder().store(storeOfThread.apply(thread))
          .clock(clock).config(config).build();
      threads.add(new Thread(() -> {
        Random random = new Random(1000 + thread);
        List<Hold> mine = new ArrayList<>();
        try {
          start.await();
          for (int i = 0; i < opsPerThread; i++) {
            String key = "t" + thread + "-" + i;
            IdempotencyKey k = IdempotencyKey.of(key);
            double r = random.nextDouble();
            if (r < 0.15) {
              AccountId a = accounts.get(random.nextInt(ACCOUNTS));
              long amount = 1 + random.nextInt(50);
              Object receipt = credits.grant(a, LotSource.PACK, CreditAmount.of(amount), null, k);
              granted.get(a).addAndGet(amount);
              calls.add(new Call(a, key, EntryType.GRANT, amount, receipt,
                  () -> credits.grant(a, LotSource.PACK, CreditAmount.of(amount), null, k)));
            } else if (r < 0.55 || mine.isEmpty()) {
              AccountId a = accounts.get(random.nextInt(ACCOUNTS));
              long amount = 1 + random.nextInt(60);
              HoldRequest request = HoldRequest.of(a, CreditAmount.of(amount), k).withMetadata("thread", "" + thread);
              try {
                Hold hold = credits.hold(request);
                mine.add(hold);
                calls.add(new Call(a, key, EntryType.HOLD, amount, hold, () -> credits.hold(request)));
              } catch (InsufficientCreditsException e) {
                refused.incrementAndGet();
              }
            } else {
              Hold hold = mine.remove(random.nextInt(mine.size()));
              if (random.nextBoolean()) {
                long amount = 1 + random.nextInt((int) hold.amount());
                Object s = credits.settle(hold.account(), hold.id(), CreditAmount.of(amount), k);
                calls.add(new Call(hold.account(), key, EntryType.SETTLE, hold.amount(), s,
                    () -> credits.settle(hold.account(), hold.id(), CreditAmount.of(amount), k)));
              } else {
                Object rel = credits.release(hold.account(), hold.id(), "cancelled", k);
                calls.add(new Call(hold.account(), key, EntryType.RELEASE, hold.amount(), rel,
                    () -> credits.release(hold.account(), hold.id(), "cancelled", k)));
              }
            }
          }
        } catch (Throwable e) {
          failures.add(e);
        }
      }, "writer-" + t));
    }
    threads.forEach(Thread::start);
    start.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertThat(failures).as("unexpected failures").isEmpty();

    // Replaying keys (every fifth call) returns the first result and writes nothing.
    Map<AccountId, Long> ledgerSizes = new HashMap<>();
    for (AccountId a : accounts) {
      ledgerSizes.put(a, (long) ledger(setup, a).size());
    }
    for (int i = 0; i < calls.size(); i += 5) {
      Call call = calls.get(i);
      assertThat(call.again().get()).as("replay of %s", call.key()).isEqualTo(call.result());
    }

    for (AccountId a : accounts) {
      List<LedgerEntry> entries = ledger(setup, a);
      assertThat((long) entries.size()).as("replays wrote nothing on %s", a).isEqualTo(ledgerSizes.get(a));
      BalanceView view = setup.balance(a);
      Reconciliation rec = setup.reconcile(a);
      assertThat(rec.consistent()).as("reconciliation of %s: %s", a, rec.differences()).isTrue();
      assertThat(view.available()).isNotNegative();
      assertThat(view.held()).isNotNegative();
      assertThat(view.lots()).allSatisfy(lot -> {
        assertThat(lot.remaining()).isNotNegative();
        assertThat(lot.reserved()).isNotNegative();
      });
      assertThat(rec.available()).isEqualTo(view.available());
      assertThat(rec.held()).isEqualTo(view.held());
      assertThat(rec.granted()).isEqualTo(granted.get(a).get());
      assertThat(rec.granted()).as("credits conserved on %s", a)
          .isEqualTo(rec.available() + rec.held() + rec.settled() + rec.expired() + rec.debited());

      // Each key took effect once: its entries are one contiguous run and move exactly its amount.
      Map<String, List<LedgerEntry>> byKey = new HashMap<>();
      for (LedgerEntry e : entries) {
        if (e.key() != null) {
          byKey.computeIfAbsent(e.key().value(), x -> new ArrayList<>()).add(e);
        }
      }
      for (Call call : calls) {
        if (!call.account().equals(a)) {
          continue;
        }
        List<LedgerEntry> effect = byKey.get(call.key());
        assertThat(effect).as("ledger entries of key %s", call.key()).isNotNull();
        long first = effect.get(0).sequence();
        for (int i = 0; i < effect.size(); i++) {
          assertThat(effect.get(i).sequence()).isEqualTo(first + i);
        }
        long moved = effect.stream().filter(e -> e.type() == call.effect()
            || (call.effect() == EntryType.SETTLE && e.type() == EntryType.RELEASE)).mapToLong(LedgerEntry::amount).sum();
        assertThat(moved).as("credits moved by key %s", call.key()).isEqualTo(call.amount());
      }
    }
    assertThat(calls.size() + refused.get()).isEqualTo((long) writers * opsPerThread);
    return calls.size() + refused.get();
  }

  private static List<LedgerEntry> ledger(CreditService credits, AccountId account) {
    List<LedgerEntry> all = new ArrayList<>();
    credits.forEachEntry(account, LedgerQuery.firstPage(LedgerQuery.MAX_LIMIT), all::add);
    return all;
  }
}
