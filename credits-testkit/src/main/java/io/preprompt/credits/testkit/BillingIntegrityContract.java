package io.preprompt.credits.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.ConcurrentUpdateException;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.CreditsException;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.plans.AutoTopUp;
import io.preprompt.credits.plans.BillingEvent;
import io.preprompt.credits.plans.BillingOutcome;
import io.preprompt.credits.plans.PackOrder;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.plans.PlansConfig;
import io.preprompt.credits.plans.Tier;
import io.preprompt.credits.plans.TierCatalog;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.BillingGateway;
import io.preprompt.credits.spi.CommitOutcome;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.testkit.RecordingBillingGateway.PackCharge;
import io.preprompt.credits.testkit.RecordingBillingGateway.SubscriptionCharge;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The billing layer's integrity over a store: no double charge, no refill without its charge, no
 * payment credited to the wrong account or outside an order, no library key a caller can take. It
 * runs the plan service on the store under test, so a store that loses a write, merges two
 * accounts or replays the wrong record fails it; every store we ship runs it, and an integrator's
 * store should too:
 *
 * <pre>{@code
 * class MyStoreBillingIntegrityTest extends BillingIntegrityContract {
 *   @Override
 *   protected CreditStore createStore() {
 *     return new MyCreditStore(freshDatabase());
 *   }
 * }
 * }</pre>
 *
 * <p>Several tests run two "app instances" (two credit and plan services, each with its own
 * caches) over the one store, as two JVMs sharing a database do.
 */
public abstract class BillingIntegrityContract {
  /** Cycle 0 starts here; every instant of the suite is derived from it. */
  static final Instant ANCHOR = Instant.parse("2026-01-31T10:00:00Z");

  private @Nullable CreditStore store;
  private MutableClock clock = new MutableClock(ANCHOR);
  private RecordingBillingGateway gateway = new RecordingBillingGateway();
  private int keys;

  /** For subclasses. */
  protected BillingIntegrityContract() {}

  /**
   * Creates the store under test: a new, empty store each time. Called before every test.
   *
   * @return the store
   */
  protected abstract CreditStore createStore();

  /**
   * Disposes of a store after its test. Does nothing by default.
   *
   * @param used the store {@link #createStore} returned
   * @throws Exception when disposal fails, which fails the test
   */
  protected void disposeStore(CreditStore used) throws Exception {}

  /** Creates the test's store, clock and gateway. */
  @BeforeEach
  protected final void createWorld() {
    store = createStore();
    clock = new MutableClock(ANCHOR);
    gateway = new RecordingBillingGateway();
    keys = 0;
  }

  /**
   * Hands the test's store to {@link #disposeStore}.
   *
   * @throws Exception when disposal fails
   */
  @AfterEach
  protected final void disposeWorld() throws Exception {
    CreditStore s = store;
    store = null;
    if (s != null) {
      disposeStore(s);
    }
  }

  private CreditStore store() {
    CreditStore s = store;
    if (s == null) {
      throw new IllegalStateException("no store outside a test");
    }
    return s;
  }

  /** One app instance: its own services (and caches) over the shared store, clock and gateway. */
  private final class Instance {
    final CreditService credits;
    final PlanService plans;

    Instance(CreditStore over, TierCatalog tiers, PlansConfig config) {
      Credits all = Credits.builder().store(over).clock(clock).tiers(tiers).plans(config).billing(gateway).build();
      credits = all.credits();
      plans = all.plans();
    }
  }

  private Instance instance() {
    return new Instance(store(), TierCatalog.defaults(), PlansConfig.defaults());
  }

  private IdempotencyKey key() {
    return IdempotencyKey.of("k-" + (++keys));
  }

  private AccountId open(Instance app, String name) {
    AccountId account = AccountId.of(name);
    app.credits.openAccount(account, key());
    return account;
  }

  /** Opens an account subscribed to Studio (its first cycle charged, not yet refilled). */
  private AccountId subscriber(Instance app, String name) {
    AccountId account = open(app, name);
    app.plans.subscribe(account, "studio", key());
    return account;
  }

  private static Instant cycleStart(long cycle) {
    return ANCHOR.atZone(ZoneOffset.UTC).plusMonths(cycle).toInstant();
  }

  private List<SubscriptionCharge> charges(AccountId account) {
    List<SubscriptionCharge> out = new ArrayList<>();
    for (SubscriptionCharge c : gateway.subscriptionCharges()) {
      if (c.account().equals(account)) {
        out.add(c);
      }
    }
    return out;
  }

  private static List<Long> cycles(List<SubscriptionCharge> charges) {
    return charges.stream().map(SubscriptionCharge::cycle).toList();
  }

  private List<LedgerEntry> ledger(CreditService credits, AccountId account) {
    return credits.history(account, LedgerQuery.after(0, 10_000)).entries();
  }

  /** The refills of an account: cycle to what triggered it ({@code payment} or {@code renewal}), in order. */
  private Map<Long, List<String>> refills(CreditService credits, AccountId account) {
    Map<Long, List<String>> out = new TreeMap<>();
    for (LedgerEntry e : ledger(credits, account)) {
      if (e.type() == EntryType.GRANT && e.source() == LotSource.MONTHLY_ALLOWANCE
          && !e.metadata().containsKey("rollover")) {
        out.computeIfAbsent(Long.parseLong(e.metadata().get("cycle")), k -> new ArrayList<>()).add(e.metadata().get("by"));
      }
    }
    return out;
  }

  private static <T> T retrying(Supplier<T> call) {
    while (true) {
      try {
        return call.get();
      } catch (ConcurrentUpdateException e) {
        Thread.onSpinWait();
      }
    }
  }

  private static <E extends CreditsException> E refused(Class<E> type, ErrorCode code, Runnable call) {
    Throwable thrown = catchThrowable(call::run);
    assertThat(thrown).as("refused with %s", code).isInstanceOf(type);
    E e = type.cast(thrown);
    assertThat(e.code()).isEqualTo(code);
    return e;
  }

  private long version(AccountId account) {
    return store().load(account, HoldSelection.allActive()).orElseThrow().account().version();
  }

  // ---------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("1. One charge per account and cycle, whatever the number of instances and webhooks")
  class OneChargePerCycle {

    @Test
    @DisplayName("two instances renewing at the same six boundaries ask the gateway for each cycle once")
    void twoInstancesAtSixBoundaries() throws Exception {
      Instance a = instance();
      Instance b = instance();
      AccountId account = subscriber(a, "renewed-twice");
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        for (long cycle = 0; cycle <= 6; cycle++) {
          clock.set(cycleStart(cycle));
          CyclicBarrier together = new CyclicBarrier(2);
          List<Future<Integer>> runs = new ArrayList<>();
          for (Instance app : List.of(a, b)) {
            runs.add(pool.submit(() -> {
              together.await();
              return app.plans.renewDue();
            }));
          }
          int refilled = 0;
          for (Future<Integer> run : runs) {
            refilled += run.get(60, TimeUnit.SECONDS);
          }
          assertThat(refilled).as("accounts refilled at boundary %d by both instances", cycle).isEqualTo(1);
        }
      } finally {
        pool.shutdownNow();
      }
      List<SubscriptionCharge> charges = charges(account);
      assertThat(cycles(charges)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L);
      assertThat(charges.stream().map(SubscriptionCharge::reference)).doesNotHaveDuplicates();
      assertThat(refills(a.credits, account)).hasSize(7).allSatisfy((cycle, by) -> assertThat(by).hasSize(1));
    }

    @Test
    @DisplayName("a renewal that loses its commit to the webhook for the same cycle charges nothing")
    void renewalLosingToWebhook_chargesNothing() {
      AtomicBoolean interfere = new AtomicBoolean();
      Instance webhooks = instance();
      AtomicReference<AccountId> target = new AtomicReference<>();
      // The renewing instance's first commit is overtaken by the billing system's CyclePaid for the
      // same cycle, handled by the other instance: the renewal conflicts and retries.
      CreditStore racing = new ForwardingCreditStore(store()) {
        @Override
        public CommitOutcome commit(AccountChange change) {
          if (interfere.compareAndSet(true, false)) {
            BillingOutcome paid = webhooks.plans.handle(new BillingEvent.CyclePaid("evt-cycle-1", target.get(), 1));
            assertThat(paid.effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
          }
          return super.commit(change);
        }
      };
      Instance renewer = new Instance(racing, TierCatalog.defaults(), PlansConfig.defaults());
      AccountId account = open(webhooks, "raced");
      target.set(account);
      webhooks.plans.subscribe(account, "studio", key());
      webhooks.plans.handle(new BillingEvent.CyclePaid("evt-cycle-0", account, 0));

      clock.set(cycleStart(1));
      interfere.set(true);
      assertThat(renewer.plans.renewDue()).as("refilled by the renewal").isZero();

      assertThat(interfere).isFalse();
      assertThat(cycles(charges(account))).as("cycle 1 was collected by the billing system").containsExactly(0L);
      assertThat(refills(webhooks.credits, account)).containsEntry(1L, List.of("payment"));
    }

    @Test
    @DisplayName("webhooks and two renewing instances racing at each boundary: each cycle refilled once, a paid one never charged")
    void webhooksRacingRenewals() throws Exception {
      Instance a = instance();
      Instance b = instance();
      Instance hooks = instance();
      AccountId account = open(a, "contended");
      a.plans.subscribe(account, "studio_pro", key());
      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        for (long cycle = 1; cycle <= 6; cycle++) {
          long c = cycle;
          clock.set(cycleStart(cycle).plusSeconds(1));
          CyclicBarrier together = new CyclicBarrier(3);
          List<Future<?>> runs = new ArrayList<>();
          runs.add(pool.submit(() -> {
            together.await();
            return retrying(() -> hooks.plans.handle(new BillingEvent.CyclePaid("evt-" + c, account, c)));
          }));
          for (Instance app : List.of(a, b)) {
            runs.add(pool.submit(() -> {
              together.await();
              return app.plans.renewDue();
            }));
          }
          for (Future<?> run : runs) {
            run.get(60, TimeUnit.SECONDS);
          }
        }
      } finally {
        pool.shutdownNow();
      }
      Map<Long, List<String>> refills = refills(a.credits, account);
      List<Long> charged = cycles(charges(account));
      assertThat(charged).doesNotHaveDuplicates();
      for (long cycle = 1; cycle <= 6; cycle++) {
        assertThat(refills.get(cycle)).as("refills of cycle %d", cycle).hasSize(1);
        // A cycle the billing system refilled is never charged; one the clock refilled is charged unless
        // the billing system's word for it came before the request was sent.
        if (refills.get(cycle).get(0).equals("payment")) {
          assertThat(charged).as("cycle %d, paid by the billing system", cycle).doesNotContain(cycle);
        }
      }
    }
  }

  @Nested
  @DisplayName("2. A refill and its charge never disagree; a failed charge is asked again later")
  class DurableCharges {

    @Test
    @DisplayName("a gateway that throws: the batch goes on, the refill keeps its charge request, asked again after a back-off")
    void throwingGateway_retriedLater() {
      Instance app = instance();
      AccountId first = open(app, "first");
      AccountId second = open(app, "second");
      app.plans.subscribe(first, "studio", key());
      app.plans.subscribe(second, "studio", key());
      clock.set(cycleStart(1));
      gateway.refuseNext(1);

      assertThat(app.plans.renewDue()).as("both refilled, although a charge request failed").isEqualTo(2);

      assertThat(gateway.refused()).hasSize(1);
      SubscriptionCharge refused = (SubscriptionCharge) gateway.refused().get(0);
      AccountId unlucky = refused.account();
      AccountId lucky = unlucky.equals(first) ? second : first;
      assertThat(cycles(charges(lucky))).containsExactly(0L, 1L);
      assertThat(cycles(charges(unlucky))).containsExactly(0L);
      assertThat(refills(app.credits, unlucky)).containsKey(1L);

      assertThat(app.plans.renewDue()).isZero();
      assertThat(cycles(charges(unlucky))).as("not asked again before the back-off").containsExactly(0L);

      clock.advance(Duration.ofMinutes(1));
      app.plans.renewDue();
      List<SubscriptionCharge> after = charges(unlucky);
      assertThat(cycles(after)).containsExactly(0L, 1L);
      assertThat(after.get(1).reference()).as("asked again under the same reference").isEqualTo(refused.reference());

      clock.advance(Duration.ofHours(2));
      app.plans.renewDue();
      assertThat(cycles(charges(unlucky))).as("accepted once, never asked again").containsExactly(0L, 1L);
    }

    @Test
    @DisplayName("a subscription whose first charge request fails is still charged, by the next renewal run")
    void subscribeWithGatewayDown() {
      Instance app = instance();
      AccountId account = open(app, "early");
      gateway.refuseNext(1);

      app.plans.subscribe(account, "studio", key());
      assertThat(charges(account)).isEmpty();

      clock.advance(Duration.ofMinutes(1));
      app.plans.renewDue();
      assertThat(cycles(charges(account))).containsExactly(0L);
      assertThat(refills(app.credits, account)).containsOnlyKeys(0L);
    }

    @Test
    @DisplayName("an instance that took a charge request and vanished: another asks again after the claim timeout, same reference")
    void claimTimeout() {
      Instance app = instance();
      AccountId account = open(app, "orphaned");
      AtomicBoolean crash = new AtomicBoolean(true);
      // The first instance's gateway call never returns an answer it can record: it dies after asking.
      RecordingBillingGateway asked = new RecordingBillingGateway();
      BillingGateway dying = new BillingGateway() {
        @Override
        public void chargeSubscription(AccountId a, String tier, long cycle, Instant start, Instant end, String ref) {
          asked.chargeSubscription(a, tier, cycle, start, end, ref);
          if (crash.getAndSet(false)) {
            throw new Error("the instance died");
          }
        }

        @Override
        public void chargePack(AccountId a, String pack, long price, String currency, String ref) {}

        @Override
        public void changePlan(AccountId a, String from, String to, Instant at, String ref) {}

        @Override
        public void cancelSubscription(AccountId a, Instant at, String ref) {}
      };
      PlanService doomed = Credits.builder().store(store()).clock(clock).billing(dying).build().plans();
      try {
        doomed.subscribe(account, "studio", key());
      } catch (Error expected) {
        // the process is gone: its claim stays in the store
      }
      assertThat(asked.subscriptionCharges()).hasSize(1);
      String reference = asked.subscriptionCharges().get(0).reference();

      app.plans.renewDue();
      assertThat(charges(account)).as("claimed by the dead instance: not asked again yet").isEmpty();
      clock.advance(PlanService.CHARGE_CLAIM_TIMEOUT);
      app.plans.renewDue();
      assertThat(charges(account)).singleElement().extracting(SubscriptionCharge::reference).isEqualTo(reference);
    }
  }

  @Nested
  @DisplayName("3. An account that cannot be renewed never holds up the others")
  class RetiredTiers {

    @Test
    @DisplayName("subscribers of a retired tier are set aside; everyone else is refilled in the same runs")
    void retiredTier_doesNotStallOthers() {
      Instance before = instance();
      List<AccountId> retired = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        AccountId account = open(before, "retired-" + i);
        before.plans.subscribe(account, "studio_plus", key());
        retired.add(account);
      }
      clock.advance(Duration.ofHours(1)); // the others subscribed later: their cycles start after
      List<AccountId> current = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        AccountId account = open(before, "current-" + i);
        before.plans.subscribe(account, "studio", key());
        current.add(account);
      }
      TierCatalog.Builder withoutPlus = TierCatalog.builder();
      for (Tier t : TierCatalog.defaults().tiers()) {
        if (!t.id().equals("studio_plus")) {
          withoutPlus.tier(t);
        }
      }
      Instance after = new Instance(store(), withoutPlus.build(), PlansConfig.defaults().withRenewalBatchSize(2));
      clock.set(cycleStart(1).plus(Duration.ofHours(2)));
      Map<AccountId, Long> balances = new java.util.HashMap<>();
      for (AccountId account : retired) {
        balances.put(account, after.credits.balance(account).available());
      }

      int refilled = 0;
      for (int run = 0; run < 4; run++) {
        refilled += after.plans.renewDue();
      }

      assertThat(refilled).isEqualTo(3);
      for (AccountId account : current) {
        assertThat(refills(after.credits, account)).as("refills of %s", account).containsKey(1L);
      }
      for (AccountId account : retired) {
        assertThat(after.credits.balance(account).available()).isEqualTo(balances.get(account));
        assertThat(refills(after.credits, account)).doesNotContainKey(1L);
      }
      long retiredVersion = version(retired.get(0));
      after.plans.renewDue();
      assertThat(version(retired.get(0))).as("set aside: not tried again at once").isEqualTo(retiredVersion);
    }
  }

  @Nested
  @DisplayName("4. Every reference the library sends is unique across accounts")
  class References {

    @Test
    @DisplayName("two users with the same keys get different references for packs, charges, plan changes and cancellations")
    void sameKeys_differentReferences() {
      Instance app = instance();
      AccountId alice = open(app, "alice");
      AccountId bob = open(app, "bob");
      for (AccountId user : List.of(alice, bob)) {
        app.plans.subscribe(user, "studio", IdempotencyKey.of("order-1"));
        app.plans.handle(new BillingEvent.CyclePaid("evt-0-" + user.value(), user, 0));
        app.plans.buyPack(user, "pack_500", IdempotencyKey.of("order-2"));
        app.plans.changePlan(user, "studio_pro", IdempotencyKey.of("order-3"));
        app.plans.cancel(user, IdempotencyKey.of("order-4"));
      }
      List<String> references = gateway.requests().stream().map(RecordingBillingGateway.Request::reference).toList();
      assertThat(references).hasSize(8).doesNotHaveDuplicates();
      for (RecordingBillingGateway.Request r : gateway.requests()) {
        assertThat(r.reference()).as("names its account").contains(":" + r.account().value() + ":");
      }
    }

    @Test
    @DisplayName("a replayed order returns the same reference and asks under it again")
    void replay_sameReference() {
      Instance app = instance();
      AccountId alice = subscriber(app, "alice");
      IdempotencyKey order = key();
      PackOrder first = app.plans.buyPack(alice, "pack_500", order);
      PackOrder again = instance().plans.buyPack(alice, "pack_500", order);
      assertThat(again.paymentReference()).isEqualTo(first.paymentReference());
      assertThat(gateway.packCharges()).extracting(RecordingBillingGateway.PackCharge::reference)
          .containsExactly(first.paymentReference(), first.paymentReference());
    }
  }

  @Nested
  @DisplayName("5. A payment is matched to the named account's own order")
  class Payments {

    @Test
    @DisplayName("another account's reference, a made-up one, a bigger pack, another amount or currency, a free account: refused, nothing granted")
    void spoofedPayments_refused() {
      Instance app = instance();
      AccountId alice = open(app, "alice");
      AccountId bob = open(app, "bob");
      AccountId freeloader = open(app, "freeloader");
      for (AccountId user : List.of(alice, bob)) {
        app.plans.subscribe(user, "studio", key());
      }
      PackOrder alices = app.plans.buyPack(alice, "pack_500", key());
      long bobVersion = version(bob);
      long aliceVersion = version(alice);
      long freeVersion = version(freeloader);

      List<BillingEvent.PackPaid> spoofs = List.of(
          new BillingEvent.PackPaid("evt-1", bob, "pack_500", alices.paymentReference(), 500, "USD"),
          new BillingEvent.PackPaid("evt-2", alice, "pack_500", "made-up-reference", 500, "USD"),
          new BillingEvent.PackPaid("evt-3", alice, "pack_5000", alices.paymentReference(), 3_500, "USD"),
          new BillingEvent.PackPaid("evt-4", alice, "pack_500", alices.paymentReference(), 1, "USD"),
          new BillingEvent.PackPaid("evt-5", alice, "pack_500", alices.paymentReference(), 500, "EUR"),
          new BillingEvent.PackPaid("evt-6", freeloader, "pack_500", "pack:freeloader:1", 500, "USD"));
      for (BillingEvent.PackPaid spoof : spoofs) {
        refused(io.preprompt.credits.core.InvalidRequestException.class, ErrorCode.PAYMENT_MISMATCH,
            () -> app.plans.handle(spoof));
      }
      assertThat(version(bob)).isEqualTo(bobVersion);
      assertThat(version(alice)).isEqualTo(aliceVersion);
      assertThat(version(freeloader)).isEqualTo(freeVersion);
      for (AccountId user : List.of(alice, bob, freeloader)) {
        assertThat(app.credits.balance(user).packCredits()).isZero();
      }

      BillingOutcome paid = app.plans.handle(BillingEvent.PackPaid.of("evt-7", alices));
      assertThat(paid.effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
      assertThat(app.plans.handle(BillingEvent.PackPaid.of("evt-8", alices)).effect())
          .isEqualTo(BillingOutcome.Effect.DUPLICATE);
      assertThat(app.credits.balance(alice).packCredits()).isEqualTo(500);
    }

    @Test
    @DisplayName("a payment read from a lagging copy of the account is decided on the account as it is now")
    void laggingRead_paymentStillGranted() {
      Instance app = instance();
      AccountId alice = subscriber(app, "alice");
      AccountSnapshot beforeOrder = store().load(alice, HoldSelection.allActive()).orElseThrow();
      PackOrder order = app.plans.buyPack(alice, "pack_500", key());
      AtomicBoolean lagOnce = new AtomicBoolean(true);
      CreditStore lagging = new ForwardingCreditStore(store()) {
        @Override
        public Optional<AccountSnapshot> load(AccountId account, HoldSelection holds) {
          return lagOnce.getAndSet(false) ? Optional.of(beforeOrder) : super.load(account, holds);
        }
      };
      Instance replica = new Instance(lagging, TierCatalog.defaults(), PlansConfig.defaults());

      assertThat(replica.plans.handle(BillingEvent.PackPaid.of("evt-1", order)).effect())
          .isEqualTo(BillingOutcome.Effect.APPLIED);
      assertThat(lagOnce).as("the lagging copy was read").isFalse();
      assertThat(app.credits.balance(alice).packCredits()).isEqualTo(500);
    }

    @Test
    @DisplayName("an order placed while subscribed is honoured when its payment arrives after a cancellation")
    void paidAfterCancellation_honoured() {
      Instance app = instance();
      AccountId alice = subscriber(app, "alice");
      PackOrder order = app.plans.buyPack(alice, "pack_500", key());
      app.plans.cancel(alice, key());
      assertThat(app.plans.mayBuyPacks(alice)).isFalse();
      assertThat(app.plans.handle(BillingEvent.PackPaid.of("evt-1", order)).effect())
          .isEqualTo(BillingOutcome.Effect.APPLIED);
    }

    @Test
    @DisplayName("an order lapses after its lifetime: its late payment grants nothing")
    void lapsedOrder_refused() {
      Instance app = instance();
      AccountId alice = subscriber(app, "alice");
      PackOrder order = app.plans.buyPack(alice, "pack_500", key());
      clock.advance(PlanService.PACK_ORDER_LIFETIME.plusMinutes(1));
      app.plans.buyPack(alice, "pack_500", key()); // a new order sweeps the lapsed one away
      refused(io.preprompt.credits.core.InvalidRequestException.class, ErrorCode.PAYMENT_MISMATCH,
          () -> app.plans.handle(BillingEvent.PackPaid.of("evt-1", order)));
    }

    @Test
    @DisplayName("a grant outside an order is explicit, keyed and audited")
    void grantWithoutPayment_audited() {
      Instance app = instance();
      AccountId alice = open(app, "alice");
      IdempotencyKey key = key();
      assertThat(app.plans.grantPackWithoutPayment(alice, "pack_500", "support ticket 4711", key)).isEqualTo(500);
      assertThat(app.plans.grantPackWithoutPayment(alice, "pack_500", "support ticket 4711", key)).isEqualTo(500);
      assertThat(app.credits.balance(alice).packCredits()).isEqualTo(500);
      LedgerEntry grant = ledger(app.credits, alice).stream().filter(e -> e.source() == LotSource.PACK)
          .findFirst().orElseThrow();
      assertThat(grant.metadata()).containsEntry("reason", "support ticket 4711").containsEntry("withoutPayment", "true");
      assertThat(grant.key()).isEqualTo(key);
      refused(io.preprompt.credits.core.InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT,
          () -> app.plans.grantPackWithoutPayment(alice, "pack_500", " ", key()));
    }
  }

  @Nested
  @DisplayName("6. A payment for a cycle that has not started is never applied early")
  class FutureCycles {

    @Test
    @DisplayName("refused with CYCLE_NOT_STARTED, nothing changed; the same event applies once its cycle has started")
    void futureCycle_refusedThenApplied() {
      Instance app = instance();
      AccountId account = subscriber(app, "prepaid");
      app.plans.handle(new BillingEvent.CyclePaid("evt-0", account, 0));
      long before = version(account);
      var overview = app.plans.overview(account);

      BillingEvent.CyclePaid third = new BillingEvent.CyclePaid("evt-3", account, 3);
      refused(io.preprompt.credits.core.StateException.class, ErrorCode.CYCLE_NOT_STARTED, () -> app.plans.handle(third));
      assertThat(version(account)).isEqualTo(before);
      assertThat(app.plans.overview(account).cycleEnd()).isEqualTo(overview.cycleEnd()).isEqualTo(cycleStart(1));

      clock.set(cycleStart(1));
      assertThat(app.plans.renewDue()).isEqualTo(1);
      clock.set(cycleStart(3));
      assertThat(app.plans.handle(third).effect()).isEqualTo(BillingOutcome.Effect.APPLIED);
      assertThat(app.plans.overview(account).cycleEnd()).isEqualTo(cycleStart(4));
    }
  }

  @Nested
  @DisplayName("7. The library's own keys live where caller keys cannot go")
  class KeyNamespace {

    @Test
    @DisplayName("caller keys that look like the old library keys no longer block billing events")
    void callerKeysFirst_billingStillApplies() {
      Instance app = instance();
      AccountId alice = subscriber(app, "alice");
      app.credits.grant(alice, LotSource.PROMOTION, CreditAmount.of(5), null, IdempotencyKey.of("billing.evt-0"));
      PackOrder order = app.plans.buyPack(alice, "pack_500", key());
      app.credits.grant(alice, LotSource.PROMOTION, CreditAmount.of(5), null,
          IdempotencyKey.of("pack-paid." + order.paymentReference()));

      assertThat(app.plans.handle(new BillingEvent.CyclePaid("evt-0", alice, 0)).effect())
          .isEqualTo(BillingOutcome.Effect.APPLIED);
      assertThat(app.plans.handle(BillingEvent.PackPaid.of("evt-1", order)).effect())
          .isEqualTo(BillingOutcome.Effect.APPLIED);
    }

    @Test
    @DisplayName("a caller key in the library's namespace is refused by every service, and changes nothing")
    void reservedKeys_refused() {
      Instance app = instance();
      AccountId alice = subscriber(app, "alice");
      app.plans.handle(new BillingEvent.CyclePaid("evt-0", alice, 0));
      long before = version(alice);
      IdempotencyKey stolen = IdempotencyKey.reserved("evt", "evt-1");
      assertThat(stolen.isReserved()).isTrue();
      List<Runnable> calls = List.of(
          () -> app.credits.grant(alice, LotSource.PROMOTION, CreditAmount.of(5), null, stolen),
          () -> app.credits.hold(HoldRequest.of(alice, CreditAmount.of(5), stolen)),
          () -> app.plans.buyPack(alice, "pack_500", stolen),
          () -> app.plans.changePlan(alice, "studio_pro", stolen),
          () -> app.plans.cancel(alice, stolen),
          () -> app.plans.verifyEmail(alice, stolen),
          () -> app.credits.openAccount(AccountId.of("carol"), stolen));
      for (Runnable call : calls) {
        refused(io.preprompt.credits.core.InvalidRequestException.class, ErrorCode.INVALID_IDEMPOTENCY_KEY, call);
      }
      assertThat(version(alice)).isEqualTo(before);
      assertThat(store().load(AccountId.of("carol"), HoldSelection.allActive())).isEmpty();
      assertThat(app.plans.handle(new BillingEvent.PaymentFailed("evt-1", alice, 1)).effect())
          .as("the event that key belongs to is still free").isEqualTo(BillingOutcome.Effect.APPLIED);
    }
  }

  @Nested
  @DisplayName("8. An automatic top-up buys once per fall below its threshold")
  class AutomaticTopUp {

    /** An account on Studio with its 1,000 credits and a top-up below {@code threshold}. */
    private AccountId toppedUp(Instance app, String name, long threshold) {
      AccountId account = subscriber(app, name);
      app.plans.handle(new BillingEvent.CyclePaid("evt-" + name + "-0", account, 0));
      app.plans.enableAutoTopUp(account, new AutoTopUp(threshold, "pack_500", 100_000), key());
      return account;
    }

    private List<PackCharge> packCharges(AccountId account) {
      return gateway.packCharges().stream().filter(c -> c.account().equals(account)).toList();
    }

    @Test
    @DisplayName("16 threads on two instances spending at once cross the threshold together: the gateway is asked once")
    void sixteenThreadsBuyOnce() throws Exception {
      Instance a = instance();
      Instance b = instance();
      AccountId account = toppedUp(a, "spent-by-sixteen", 900);
      int threads = 16;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CyclicBarrier together = new CyclicBarrier(threads);
      List<Future<?>> runs = new ArrayList<>();
      try {
        for (int t = 0; t < threads; t++) {
          Instance app = t % 2 == 0 ? a : b;
          String prefix = "spend-" + t + "-";
          runs.add(pool.submit(() -> {
            together.await();
            for (int i = 0; i < 3; i++) {
              IdempotencyKey holdKey = IdempotencyKey.of(prefix + i);
              IdempotencyKey settleKey = IdempotencyKey.of(prefix + i + "-settle");
              io.preprompt.credits.balance.Hold hold = retrying(() -> app.credits.hold(
                  HoldRequest.of(account, CreditAmount.of(10), holdKey)));
              retrying(() -> app.credits.settle(account, hold.id(), settleKey));
            }
            return null;
          }));
        }
        for (Future<?> run : runs) {
          run.get(60, TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(a.credits.balance(account).available()).isEqualTo(1_000 - threads * 3 * 10);
      assertThat(packCharges(account)).as("one crossing, one purchase").hasSize(1);
      assertThat(a.plans.overview(account).topUp().spentThisMonthMinor()).isEqualTo(500);
      assertThat(a.credits.reconcile(account).consistent()).isTrue();
    }

    @Test
    @DisplayName("the payment's webhook retried on two instances at once grants the pack once and re-arms the top-up")
    void retriedWebhooksGrantOnce() throws Exception {
      Instance a = instance();
      Instance b = instance();
      AccountId account = toppedUp(a, "paid-twice", 200);
      a.credits.hold(HoldRequest.of(account, CreditAmount.of(900), key()));
      PackCharge charge = packCharges(account).get(0);
      ExecutorService pool = Executors.newFixedThreadPool(4);
      CyclicBarrier together = new CyclicBarrier(4);
      List<Future<BillingOutcome>> runs = new ArrayList<>();
      try {
        for (int t = 0; t < 4; t++) {
          Instance app = t % 2 == 0 ? a : b;
          String event = "evt-pack-" + (t / 2);
          runs.add(pool.submit(() -> {
            together.await();
            return retrying(() -> app.plans.handle(new BillingEvent.PackPaid(event, account, charge.packId(),
                charge.reference(), charge.priceMinor(), charge.currency())));
          }));
        }
        List<BillingOutcome.Effect> effects = new ArrayList<>();
        for (Future<BillingOutcome> run : runs) {
          effects.add(run.get(60, TimeUnit.SECONDS).effect());
        }
        assertThat(effects).containsOnlyOnce(BillingOutcome.Effect.APPLIED);
      } finally {
        pool.shutdownNow();
      }
      assertThat(a.credits.balance(account).available()).isEqualTo(100 + 500);
      assertThat(a.plans.overview(account).topUp().armed()).isTrue();
      a.credits.hold(HoldRequest.of(account, CreditAmount.of(450), key()));
      assertThat(packCharges(account)).as("re-armed: the next crossing buys again").hasSize(2);
    }
  }
}
