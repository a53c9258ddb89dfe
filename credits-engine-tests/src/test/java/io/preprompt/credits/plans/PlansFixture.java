package io.preprompt.credits.plans;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.ConcurrentUpdateException;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.ledger.Reconciliation;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import io.preprompt.credits.testkit.RecordingBillingGateway;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** A credit service and plan service over the in-memory store, a mutable clock and a recording gateway. */
final class PlansFixture {
  final InMemoryCreditStore store = new InMemoryCreditStore();
  final MutableClock clock;
  final RecordingBillingGateway gateway = new RecordingBillingGateway();
  final CreditService credits;
  final PlanService plans;
  private final AtomicLong keys = new AtomicLong();

  PlansFixture(Instant start) {
    this(start, PlansConfig.defaults());
  }

  PlansFixture(Instant start, PlansConfig config) {
    this.clock = new MutableClock(start);
    Credits all = Credits.builder().store(store).clock(clock).plans(config).billing(gateway).build();
    this.credits = all.credits();
    this.plans = all.plans();
  }

  /**
   * Retries a call the engine gave up on after too many conflicts (ConcurrentUpdateException
   * documents that nothing changed), for the race tests.
   */
  static <T> T retrying(Supplier<T> call) {
    while (true) {
      try {
        return call.get();
      } catch (ConcurrentUpdateException e) {
        Thread.onSpinWait();
      }
    }
  }

  /** Returns a fresh idempotency key. */
  IdempotencyKey key() {
    return IdempotencyKey.of("k-" + keys.incrementAndGet());
  }

  /** Opens an account. */
  AccountId open(String id) {
    AccountId account = AccountId.of(id);
    credits.openAccount(account, key());
    return account;
  }

  /** Subscribes and confirms cycle 0 as the billing system would. */
  void subscribePaid(AccountId account, String tier) {
    plans.subscribe(account, tier, key());
    assertThat(plans.handle(new BillingEvent.CyclePaid("evt-" + key().value(), account, 0)).effect())
        .isEqualTo(BillingOutcome.Effect.APPLIED);
  }

  /**
   * Confirms a cycle as paid, as a billing system does when the cycle starts: the clock moves to the
   * cycle's start first when it is not there yet (a payment for a cycle that has not started is refused).
   */
  BillingOutcome payCycle(AccountId account, long cycle) {
    Instant start = cycleStart(account, cycle);
    if (clock.instant().isBefore(start)) {
      clock.set(start);
    }
    return plans.handle(new BillingEvent.CyclePaid("evt-" + key().value(), account, cycle));
  }

  /** When a cycle of the account's latest subscription starts (from the first cycle's charge request). */
  Instant cycleStart(AccountId account, long cycle) {
    Instant anchor = null;
    for (RecordingBillingGateway.SubscriptionCharge c : gateway.subscriptionCharges()) {
      if (c.account().equals(account) && c.cycle() == 0) {
        anchor = c.cycleStart();
      }
    }
    if (anchor == null) {
      throw new IllegalStateException("account " + account + " never subscribed");
    }
    return anchor.atZone(java.time.ZoneOffset.UTC).plusMonths(cycle).toInstant();
  }

  /** Orders a pack and confirms its payment, returning the payment reference. */
  String buyAndPayPack(AccountId account, String packId) {
    PackOrder order = plans.buyPack(account, packId, key());
    assertThat(plans.handle(BillingEvent.PackPaid.of("evt-" + key().value(), order)).effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
    return order.paymentReference();
  }

  /** Holds then settles {@code amount} credits, as a completed generation would. */
  void spend(AccountId account, long amount) {
    Hold hold = credits.hold(HoldRequest.of(account, CreditAmount.of(amount), key()));
    credits.settle(account, hold.id(), key());
  }

  /** Places a hold. */
  HoldId hold(AccountId account, long amount) {
    return credits.hold(HoldRequest.of(account, CreditAmount.of(amount), key())).id();
  }

  BalanceView balance(AccountId account) {
    return credits.balance(account);
  }

  long available(AccountId account) {
    return credits.balance(account).available();
  }

  /** Asserts conservation: the ledger replays to the stored state, and every granted credit is accounted for. */
  Reconciliation assertConserved(AccountId account) {
    Reconciliation r = credits.reconcile(account);
    assertThat(r.differences()).as("reconciliation differences").isEmpty();
    assertThat(r.consistent()).isTrue();
    assertThat(r.granted()).as("granted = available + held + settled + expired + debited")
        .isEqualTo(r.available() + r.held() + r.settled() + r.expired() + r.debited());
    assertThat(r.available()).isNotNegative();
    assertThat(r.held()).isNotNegative();
    BalanceView b = credits.balance(account);
    assertThat(b.available()).isNotNegative();
    assertThat(b.held()).isNotNegative();
    b.lots().forEach(lot -> {
      assertThat(lot.remaining()).isNotNegative();
      assertThat(lot.reserved()).isNotNegative();
    });
    return r;
  }

  /** Returns the whole ledger of an account. */
  List<LedgerEntry> ledger(AccountId account) {
    List<LedgerEntry> all = new ArrayList<>();
    credits.forEachEntry(account, LedgerQuery.firstPage(1000), all::add);
    return all;
  }

  /** Returns the cycle numbers of the allowance grants (refills, not rollover re-grants) in ledger order. */
  List<Long> refilledCycles(AccountId account) {
    List<Long> cycles = new ArrayList<>();
    for (LedgerEntry e : ledger(account)) {
      if (e.type() == EntryType.GRANT && e.source() == LotSource.MONTHLY_ALLOWANCE
          && !e.metadata().containsKey("rollover")) {
        cycles.add(Long.parseLong(e.metadata().get("cycle")));
      }
    }
    return cycles;
  }
}
