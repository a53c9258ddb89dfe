package io.preprompt.credits.testkit.sim;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.Allocation;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.ExpiryChange;
import io.preprompt.credits.balance.GrantReceipt;
import io.preprompt.credits.balance.GrantVoid;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Release;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.CreditsException;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.IdempotencyConflictException;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.OveragePolicy;
import io.preprompt.credits.core.StoreException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.ledger.Reconciliation;
import io.preprompt.credits.plans.AutoTopUp;
import io.preprompt.credits.plans.BillingEvent;
import io.preprompt.credits.plans.BillingOutcome;
import io.preprompt.credits.plans.Pack;
import io.preprompt.credits.plans.PackCatalog;
import io.preprompt.credits.plans.PackOrder;
import io.preprompt.credits.plans.PlanChange;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.plans.PlansConfig;
import io.preprompt.credits.plans.SignupResult;
import io.preprompt.credits.plans.TierCatalog;
import io.preprompt.credits.plans.TopUpStatus;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.AccountRecord;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.CommitOutcome;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.spi.PlanRecord;
import io.preprompt.credits.testkit.ForwardingCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import io.preprompt.credits.testkit.RecordingBillingGateway;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One execution of a history against a fresh store: the world (store, clock, services, gateway), the
 * reference model of what was acknowledged, and the invariant checks. Operations may run on many
 * threads; the model is guarded per account and checks run while the clients are quiet.
 */
final class Run {

  /** An invariant did not hold. */
  static final class Violation extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Violation(String message) {
      super(message);
    }
  }

  private static final List<String> PAID_TIERS = List.of("studio", "studio_pro", "studio_plus");
  private static final Set<ErrorCode> RETRYABLE = EnumSet.of(ErrorCode.CONCURRENT_UPDATE);
  /** The debt bound of the allow-debt policy {@link Op.SetOverage} sets; no other policy allows debt. */
  static final long MAX_DEBT = 600;
  /** The policies {@link Op.SetOverage} chooses from, by index. */
  private static final List<OveragePolicy> POLICIES = List.of(OveragePolicy.refuse(), OveragePolicy.takeAvailable(),
      OveragePolicy.allowDebt(MAX_DEBT));
  private static final int LEDGER_PAGE = 1_000;

  private enum Status { NEW, ACKED, REJECTED, UNKNOWN }

  /** What the model knows of one idempotency key. */
  private static final class KeyState {
    final String key;
    final String description;
    Status status = Status.NEW;
    @Nullable String firstSummary;
    /** Exact credits per entry type the key's entries must move, or null when the model cannot know. */
    @Nullable Map<EntryType, Long> expected;
    @Nullable FaultKind lastFault;
    int inFlight;

    KeyState(String key, String description) {
      this.key = key;
      this.description = description;
    }
  }

  /** A hold the model knows was placed. */
  private static final class ModelHold {
    final HoldId id;
    final long placed;
    /**
     * The amount as the acknowledged calls know it: placed, then grown by acknowledged extensions (on
     * threads one may be acknowledged after a call that ended the hold, so it is a lower bound until then).
     */
    long amount;
    final Instant deadline;
    final String placedBy;
    HoldState state = HoldState.ACTIVE;
    long settled;
    /** Settled above its amount (an overage): the whole hold was spent, whatever it had grown to. */
    boolean settledAbove;
    @Nullable String endedBy;
    final Set<HoldState> claims = EnumSet.noneOf(HoldState.class);

    ModelHold(HoldId id, long amount, Instant deadline, String placedBy) {
      this.id = id;
      this.placed = amount;
      this.amount = amount;
      this.deadline = deadline;
      this.placedBy = placedBy;
    }
  }

  /** A lot the model knows from an acknowledged grant receipt. */
  private static final class ModelLot {
    final LotId id;
    final long amount;
    /** When its credits start to count: the receipt's grantedAt. */
    final Instant startsAt;
    final String grantedBy;
    @Nullable String voidedBy;

    ModelLot(LotId id, long amount, Instant startsAt, String grantedBy) {
      this.id = id;
      this.amount = amount;
      this.startsAt = startsAt;
      this.grantedBy = grantedBy;
    }

    @Override
    public String toString() {
      return "lot " + id + " (" + amount + " from " + startsAt + ", granted by " + grantedBy
          + (voidedBy == null ? "" : ", voided by " + voidedBy) + ")";
    }
  }

  /** The model of one account; guarded by its own monitor. */
  private static final class AccountModel {
    final int index;
    final AccountId id;
    final List<ModelHold> holds = new ArrayList<>();
    final Map<HoldId, ModelHold> holdsById = new HashMap<>();
    final Map<String, KeyState> keys = new LinkedHashMap<>();
    final List<Call> calls = new ArrayList<>();
    final List<ModelLot> lots = new ArrayList<>();
    final Map<LotId, ModelLot> lotsById = new HashMap<>();
    long settled;
    /** Credits removed by acknowledged voids. */
    long debited;
    int subscriptions;
    @Nullable String signupGrantedBy;
    /** The setting each top-up call's key asks for: a setting to enable, empty to disable. */
    final Map<String, Optional<AutoTopUp>> topUpCalls = new HashMap<>();
    /** The top-up setting in force after the last commit the checks read. */
    @Nullable AutoTopUp topUpSetting;
    /** The top-up orders seen committed, by payment reference, in commit order. */
    final Map<String, TopUpOrder> topUps = new LinkedHashMap<>();
    /** The references of the top-up orders not yet paid, as of the last commit the checks read. */
    final Set<String> topUpsPending = new java.util.LinkedHashSet<>();
    /** The prices of the top-ups ordered, per calendar month (its start). */
    final Map<Instant, Long> topUpsOrderedByMonth = new HashMap<>();
    /** The last skip at the cap the checks read. */
    @Nullable Instant topUpSkippedAt;

    AccountModel(int index, AccountId id) {
      this.index = index;
      this.id = id;
    }

    /** Notes the lot of an acknowledged grant receipt. */
    void granted(GrantReceipt r, String key) {
      if (lotsById.containsKey(r.lot())) {
        throw new Violation("grant " + key + " acknowledged lot " + r.lot() + " of " + id + ", which "
            + lotsById.get(r.lot()) + " already got");
      }
      ModelLot lot = new ModelLot(r.lot(), r.amount(), r.grantedAt(), key);
      lots.add(lot);
      lotsById.put(lot.id, lot);
    }

    KeyState keyState(String key, String description) {
      return keys.computeIfAbsent(key, k -> new KeyState(k, description));
    }
  }

  /**
   * An automatic top-up order as its commit recorded it, with the calendar month it counts in and
   * the cap of the setting in force at that commit.
   */
  private static final class TopUpOrder {
    final PlanRecord.Order order;
    final Instant month;
    final long capMinor;
    boolean paid;

    TopUpOrder(PlanRecord.Order order, Instant month, long capMinor) {
      this.order = order;
      this.month = month;
      this.capMinor = capMinor;
    }
  }

  /** A change the store committed, as the top-up checks read it. */
  private record Committed(long version, @Nullable String key, @Nullable PlanRecord plan) {}

  /**
   * Sees every change the store commits, under the injected faults (so a commit whose answer was
   * lost is seen too): the top-up checks read from it when each order was made and which setting
   * was in force, since a paid order leaves the account's plan.
   */
  private static final class CommitLog extends ForwardingCreditStore {
    private final Map<AccountId, List<Committed>> byAccount = new ConcurrentHashMap<>();

    CommitLog(CreditStore delegate) {
      super(delegate);
    }

    @Override
    public CommitOutcome commit(AccountChange change) {
      CommitOutcome outcome = delegate().commit(change);
      if (outcome == CommitOutcome.COMMITTED) {
        AccountRecord a = change.account();
        List<Committed> list = byAccount.computeIfAbsent(a.id(), k -> new ArrayList<>());
        synchronized (list) {
          list.add(new Committed(a.version(), change.idempotency() == null ? null
              : change.idempotency().key().value(), a.plan()));
        }
      }
      return outcome;
    }

    /** Takes the account's commits seen since the last call, in version order. */
    List<Committed> drain(AccountId account) {
      List<Committed> list = byAccount.computeIfAbsent(account, k -> new ArrayList<>());
      List<Committed> out;
      synchronized (list) {
        out = new ArrayList<>(list);
        list.clear();
      }
      out.sort(java.util.Comparator.comparingLong(Committed::version));
      return out;
    }
  }

  /** One keyed call that can be sent again with the same key, or with the same key and other parameters. */
  private abstract class Call {
    final AccountModel account;
    final IdempotencyKey key;
    final KeyState state;
    final String description;

    Call(AccountModel account, String key, String description) {
      this.account = account;
      this.key = IdempotencyKey.of(key);
      this.description = description + " key=" + key;
      synchronized (account) {
        this.state = account.keyState(key, this.description);
      }
    }

    /**
     * Whether the call is in its account's list, from which retries pick. A call joins it when first
     * attempted, not in this constructor: published from here, another thread could pick it before a
     * subclass's constructor had set its own fields.
     */
    boolean listed;

    abstract Object invoke();

    /** The same key with other parameters; by default a grant, which conflicts on the operation. */
    Object conflicting() {
      return credits.grant(account.id, LotSource.PROMOTION, CreditAmount.of(1), null, key);
    }

    Set<ErrorCode> allowedRejections() {
      return RETRYABLE;
    }

    /**
     * Whether the call, after its change commits (or replays), may write again on its own: a
     * subscription sends the charge request it recorded and notes the answer (that change also
     * applies the account's due expiries). Its replay is then checked by its key's ledger entries
     * alone (one commit, as acknowledged), not by the account's version.
     */
    boolean writesAfterCommit() {
      return false;
    }

    /** Updates the model with the first acknowledged result; called under the account's monitor. */
    abstract void acknowledged(Object result);

    @Nullable String summary(Object result) {
      return null;
    }

    /** Checks a rejection against the model; called under the account's monitor. */
    void rejected(CreditsException e) {}

    @Override
    public String toString() {
      return description;
    }
  }

  private final CreditStore raw;
  private final CommitLog log;
  private final FaultInjectingStore store;
  private final MutableClock clock;
  private final RecordingBillingGateway gateway = new RecordingBillingGateway();
  private final SimGateway simGateway;
  private final BillingVariant variant;
  private final CreditsConfig config;
  private final CreditService credits;
  /** The app instances: each its own credit and plan service (and caches) over the one store. */
  private volatile Instance[] instances;
  private volatile boolean retired;
  private final CreditService audit;
  /** A pack sold only to Studio Pro, beside the default ones: a top-up may name it and be refused. */
  private static final Pack PRO_ONLY_PACK = Pack.of("pack_pro_2500", 2_500, Pack.Price.of(1_800, "USD"))
      .onlyFor(List.of("studio_pro"));
  private final PackCatalog packs = PackCatalog.of(concat(PackCatalog.defaults().packs(), PRO_ONLY_PACK));
  private final AccountModel[] models;
  private final Map<AccountId, AccountModel> byId = new HashMap<>();
  private final boolean threaded;
  private final List<Call> pending = new ArrayList<>();

  private final ConcurrentHashMap<String, LongAdder> opsByKind = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<ErrorCode, LongAdder> rejections = new ConcurrentHashMap<>();
  private final AtomicLong operations = new AtomicLong();
  private final AtomicLong acknowledged = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong unknown = new AtomicLong();
  private final AtomicLong resolved = new AtomicLong();
  private final AtomicLong replays = new AtomicLong();
  private final AtomicLong conflicts = new AtomicLong();
  private final AtomicLong checkpoints = new AtomicLong();
  private final AtomicLong checks = new AtomicLong();
  private final AtomicLong topUpsBought = new AtomicLong();
  private final AtomicLong topUpsSkipped = new AtomicLong();
  /** Whether the simulated services reuse their committed accounts. */
  private final boolean reuse;

  /** Renewals take one account a run, so one account that cannot be renewed would stall every other. */
  private static final PlansConfig PLANS = PlansConfig.defaults().withRenewalBatchSize(1);
  private static final String RETIRED_TIER = "studio_plus";

  /** One app instance. */
  private final class Instance {
    final CreditService credits;
    final PlanService plans;

    Instance(TierCatalog tiers) {
      Credits all = Credits.builder().store(store).clock(clock).config(config).reuseCommittedAccounts(reuse)
          .tiers(tiers).packs(packs).plans(PLANS).billing(variant.gateway(simGateway)).build();
      credits = all.credits();
      plans = all.plans();
    }

    BillingOutcome handle(BillingEvent event) {
      return variant.handle(plans, credits, event);
    }
  }

  Run(CreditStore raw, FaultPlan faults, int accounts, Instant start, CreditsConfig config, boolean threaded,
      BillingVariant variant, boolean reuseCommittedAccounts) {
    this.raw = raw;
    this.reuse = reuseCommittedAccounts;
    this.log = new CommitLog(raw);
    this.store = new FaultInjectingStore(log, faults.slowCommit());
    this.clock = new MutableClock(start);
    this.threaded = threaded;
    this.config = config;
    this.variant = variant;
    this.simGateway = new SimGateway(gateway, clock);
    // With the plans, so every change (a hold, a settle, an expiry) passes the automatic top-up's rule.
    this.credits = Credits.builder().store(store).clock(clock).config(config).reuseCommittedAccounts(reuse)
        .tiers(TierCatalog.defaults()).packs(packs).plans(PLANS).billing(variant.gateway(simGateway)).build().credits();
    this.instances = new Instance[] {new Instance(TierCatalog.defaults()), new Instance(TierCatalog.defaults())};
    this.audit = CreditService.builder().store(raw).clock(clock).config(config).build();
    this.models = new AccountModel[accounts];
    for (int i = 0; i < accounts; i++) {
      AccountId id = AccountId.of("sim-" + i);
      models[i] = new AccountModel(i, id);
      byId.put(id, models[i]);
      credits.openAccount(id, IdempotencyKey.of("open-" + i));
    }
  }

  // ------------------------------------------------------------------------------------------ report

  SimulationReport report(long seed, int clients, Duration elapsed) {
    Map<String, Long> kinds = new TreeMap<>();
    opsByKind.forEach((k, v) -> kinds.put(k, v.sum()));
    Map<FaultKind, Long> faults = new EnumMap<>(store.injected());
    simGateway.injected().forEach((k, v) -> faults.merge(k, v, Long::sum));
    Map<ErrorCode, Long> refused = new EnumMap<>(ErrorCode.class);
    rejections.forEach((k, v) -> refused.put(k, v.sum()));
    return new SimulationReport(seed, threaded, clients, models.length, operations.get(), kinds, acknowledged.get(),
        rejected.get(), refused, unknown.get(), resolved.get(), replays.get(), conflicts.get(), faults, checkpoints.get(),
        checks.get(), topUpsBought.get(), topUpsSkipped.get(), elapsed);
  }

  // ------------------------------------------------------------------------------------------ operations

  void execute(Op op) {
    operations.incrementAndGet();
    opsByKind.computeIfAbsent(op.getClass().getSimpleName(), k -> new LongAdder()).increment();
    if (op instanceof Op.Grant g) {
      attempt(grant(models[g.account()], "k" + g.id(), g.amount(), g.expiresInMinutes()), g.fault());
    } else if (op instanceof Op.GrantStarting g) {
      attempt(grantStarting(models[g.account()], "k" + g.id(), g.amount(), g.startsInSeconds(), g.expiresInMinutes()),
          g.fault());
    } else if (op instanceof Op.VoidGrant v) {
      ModelLot target = v.pick() % 16 == 0 ? null : pickLot(models[v.account()], v.pick());
      if (target != null || v.pick() % 16 == 0) {
        attempt(voidGrant(models[v.account()], "k" + v.id(), target, target == null ? unknownLot(v.id()) : target.id),
            v.fault());
      }
    } else if (op instanceof Op.ChangeExpiry c) {
      ModelLot target = c.pick() % 16 == 0 ? null : pickLot(models[c.account()], c.pick());
      if (target != null || c.pick() % 16 == 0) {
        attempt(changeExpiry(models[c.account()], "k" + c.id(), target, target == null ? unknownLot(c.id()) : target.id,
            c.minutes()), c.fault());
      }
    } else if (op instanceof Op.Hold h) {
      attempt(hold(models[h.account()], "k" + h.id(), h.amount(), h.ttlMinutes()), h.fault());
    } else if (op instanceof Op.Extend x) {
      ModelHold target = pickHold(models[x.account()], x.pick());
      if (target != null) {
        attempt(extend(models[x.account()], "k" + x.id(), target, x.more()), x.fault());
      }
    } else if (op instanceof Op.SetOverage o) {
      attempt(setOverage(models[o.account()], "k" + o.id(), POLICIES.get(o.policy())), o.fault());
    } else if (op instanceof Op.Settle s) {
      ModelHold target = pickHold(models[s.account()], s.pick());
      if (target != null) {
        attempt(settle(models[s.account()], "k" + s.id(), target, s.percent()), s.fault());
      }
    } else if (op instanceof Op.Release r) {
      ModelHold target = pickHold(models[r.account()], r.pick());
      if (target != null) {
        attempt(release(models[r.account()], "k" + r.id(), target), r.fault());
      }
    } else if (op instanceof Op.Retry r) {
      Call call = pickCall(models[r.account()], r.pick(), false);
      if (call != null) {
        attempt(call, r.fault());
      }
    } else if (op instanceof Op.ConflictingRetry c) {
      Call call = pickCall(models[c.account()], c.pick(), true);
      if (call != null) {
        conflicting(call);
      }
    } else if (op instanceof Op.VerifyEmail v) {
      attempt(verifyEmail(models[v.account()], "k" + v.id()), v.fault());
    } else if (op instanceof Op.Subscribe s) {
      attempt(subscribe(models[s.account()], "k" + s.id(), PAID_TIERS.get(s.tier())), s.fault());
    } else if (op instanceof Op.ChangePlan c) {
      attempt(changePlan(models[c.account()], "k" + c.id(), PAID_TIERS.get(c.tier())), c.fault());
    } else if (op instanceof Op.Cancel c) {
      attempt(cancel(models[c.account()], "k" + c.id()), c.fault());
    } else if (op instanceof Op.BuyPack b) {
      attempt(buyPack(models[b.account()], "k" + b.id(), packs.packs().get(b.pack()).id()), b.fault());
    } else if (op instanceof Op.EnableTopUp e) {
      attempt(enableTopUp(models[e.account()], "k" + e.id(), e), e.fault());
    } else if (op instanceof Op.DisableTopUp d) {
      attempt(disableTopUp(models[d.account()], "k" + d.id()), d.fault());
    } else if (op instanceof Op.DeliverTopUp d) {
      deliverTopUp(d);
    } else if (op instanceof Op.Deliver d) {
      deliver(d);
    } else if (op instanceof Op.TimeJump t) {
      clock.advance(Duration.ofSeconds(t.seconds()));
    } else if (op instanceof Op.Sweep s) {
      unkeyed(s.fault(), credits::sweep);
    } else if (op instanceof Op.RenewDue r) {
      unkeyed(r.fault(), plans(r.id())::renewDue);
    } else if (op instanceof Op.CollectCycle c) {
      collectCycle(c);
    } else if (op instanceof Op.SpoofPayment p) {
      spoof(p);
    } else if (op instanceof Op.RetireTier) {
      retire();
    } else {
      throw new IllegalArgumentException("unknown operation " + op);
    }
  }

  private void unkeyed(@Nullable FaultKind fault, Supplier<?> call) {
    if (fault != null) {
      store.arm(fault);
    }
    Instant began = clock.instant();
    simGateway.arm(fault);
    try {
      call.get();
    } catch (StoreException e) {
      // The sweep and renewals skip accounts that fail; a store failure in their queries is retried next time.
    } finally {
      excuse(store.disarm(), began, simGateway.disarm());
    }
  }

  /**
   * Notes the charges an operation got accepted that may be asked again without a fault of the
   * library: a store fault fired in that operation (its record of the answer may be lost), or the
   * operation outlasted a charge claim on the simulation's clock (another instance may take it).
   */
  private final Set<Long> excused = ConcurrentHashMap.newKeySet();

  private void excuse(@Nullable FaultKind fired, Instant began, List<SimGateway.Charge> accepted) {
    boolean storeFault = fired != null && fired != FaultKind.GATEWAY_REFUSES && fired != FaultKind.GATEWAY_SLOW;
    boolean overran = !clock.instant().isBefore(began.plus(PlanService.CHARGE_CLAIM_TIMEOUT));
    if (storeFault || overran) {
      for (SimGateway.Charge c : accepted) {
        excused.add(c.serial());
      }
    }
  }

  private Instance instance(int id) {
    Instance[] now = instances;
    return now[Math.floorMod(id, now.length)];
  }

  private PlanService plans(int id) {
    return instance(id).plans;
  }

  /** Takes the top tier out of the catalog for every instance built from now on. */
  private void retire() {
    synchronized (this) {
      if (retired) {
        return;
      }
      TierCatalog.Builder without = TierCatalog.builder();
      TierCatalog.defaults().tiers().stream().filter(t -> !t.id().equals(RETIRED_TIER)).forEach(without::tier);
      TierCatalog catalog = without.build();
      instances = new Instance[] {new Instance(catalog), new Instance(catalog)};
      retired = true;
    }
  }

  /** Codes a plan call may get once a tier was retired: its subscribers' tier is unknown to the catalog. */
  private Set<ErrorCode> withRetired(ErrorCode... codes) {
    Set<ErrorCode> out = EnumSet.of(ErrorCode.CONCURRENT_UPDATE, codes);
    if (retired) {
      out.add(ErrorCode.UNKNOWN_TIER);
    }
    return out;
  }

  private @Nullable ModelHold pickHold(AccountModel m, int pick) {
    synchronized (m) {
      int n = m.holds.size();
      if (n == 0) {
        return null;
      }
      // Mostly one of the newest holds (the generation just finished), sometimes any hold ever placed.
      return pick % 10 < 8 ? m.holds.get(n - 1 - (pick / 10) % Math.min(n, 6)) : m.holds.get(pick % n);
    }
  }

  private @Nullable Call pickCall(AccountModel m, int pick, boolean acknowledgedOnly) {
    synchronized (m) {
      List<Call> candidates = m.calls;
      if (acknowledgedOnly) {
        candidates = new ArrayList<>();
        for (Call c : m.calls) {
          if (c.state.status == Status.ACKED) {
            candidates.add(c);
          }
        }
      }
      return candidates.isEmpty() ? null : candidates.get(pick % candidates.size());
    }
  }

  /** Sends a call once with a fault armed, and books its outcome in the model. */
  private void attempt(Call call, @Nullable FaultKind fault) {
    synchronized (call.account) {
      if (!call.listed) {
        call.listed = true;
        call.account.calls.add(call);
      }
      // On threads, the same key is never in flight twice: the model could not order the outcomes.
      if (threaded && call.state.inFlight > 0) {
        return;
      }
      call.state.inFlight++;
    }
    try {
      attemptNow(call, fault);
    } finally {
      synchronized (call.account) {
        call.state.inFlight--;
      }
    }
  }

  private void attemptNow(Call call, @Nullable FaultKind fault) {
    Instant began = clock.instant();
    simGateway.arm(fault);
    try {
      attemptArmed(call, fault);
    } finally {
      excuse(firedHere.get(), began, simGateway.disarm());
      firedHere.remove();
    }
  }

  /** The store fault that fired in the current thread's last attempt, if any. */
  private final ThreadLocal<@Nullable FaultKind> firedHere = new ThreadLocal<>();

  private @Nullable FaultKind disarmStore() {
    FaultKind fired = store.disarm();
    if (fired != null) {
      firedHere.set(fired);
    }
    return fired;
  }

  private void attemptArmed(Call call, @Nullable FaultKind fault) {
    if (fault != null) {
      store.arm(fault);
    }
    Object result;
    try {
      result = call.invoke();
    } catch (StoreException | SimGateway.Refused e) {
      FaultKind fired = disarmStore();
      if (e instanceof SimGateway.Refused) {
        fired = FaultKind.GATEWAY_REFUSES;
      } else {
        checkOutcome(call, (StoreException) e, fired);
      }
      synchronized (call.account) {
        call.state.lastFault = fired;
        if (call.state.status != Status.ACKED && call.state.status != Status.UNKNOWN) {
          call.state.status = Status.UNKNOWN;
          unknown.incrementAndGet();
        }
      }
      synchronized (pending) {
        pending.add(call);
      }
      return;
    } catch (IdempotencyConflictException e) {
      disarmStore();
      throw new Violation("a call sent again with the same key and the same parameters was refused as a conflict: "
          + call + ": " + e.getMessage());
    } catch (CreditsException e) {
      disarmStore();
      rejected.incrementAndGet();
      rejections.computeIfAbsent(e.code(), k -> new LongAdder()).increment();
      synchronized (call.account) {
        if (!call.allowedRejections().contains(e.code())) {
          throw new Violation("unexpected " + e.code() + " for " + call + ": " + e.getMessage());
        }
        if (call.state.status == Status.ACKED) {
          throw new Violation("an acknowledged call sent again with the same key was refused instead of replayed: "
              + call + ": " + e.code() + " " + e.getMessage());
        }
        if (call.state.status == Status.UNKNOWN) {
          resolved.incrementAndGet();
        }
        call.state.status = Status.REJECTED;
        call.rejected(e);
      }
      return;
    } catch (RuntimeException e) {
      disarmStore();
      Violation v = new Violation("unexpected exception from " + call + ": " + e);
      v.initCause(e);
      throw v;
    }
    disarmStore();
    acknowledged.incrementAndGet();
    synchronized (call.account) {
      String summary = call.summary(result);
      if (call.state.status == Status.ACKED) {
        if (call.state.firstSummary != null && !call.state.firstSummary.equals(summary)) {
          throw new Violation("a retry with the same key returned a different result: " + call + ": first "
              + call.state.firstSummary + ", now " + summary);
        }
        replays.incrementAndGet();
        return;
      }
      if (call.state.status == Status.UNKNOWN) {
        resolved.incrementAndGet();
      }
      call.state.status = Status.ACKED;
      call.state.firstSummary = summary;
      call.acknowledged(result);
    }
  }

  /**
   * Checks that a store failure reached the caller saying what the injected fault did: a commit
   * written before its answer was lost must say the outcome is unknown (else the caller could give
   * up on a change that was made), one that never reached the store that nothing was applied.
   */
  private void checkOutcome(Call call, StoreException e, @Nullable FaultKind fired) {
    if (fired == FaultKind.FAIL_AFTER_COMMIT) {
      check(e.outcome() == StoreException.Outcome.UNKNOWN, () -> "a commit that was written and lost its answer was"
          + " reported " + e.outcome() + ": " + call + ": " + e.getMessage());
    } else if (fired == FaultKind.FAIL_BEFORE_COMMIT) {
      check(e.outcome() == StoreException.Outcome.NOT_APPLIED, () -> "a commit that never reached the store was"
          + " reported " + e.outcome() + ": " + call + ": " + e.getMessage());
    }
  }

  private void conflicting(Call call) {
    try {
      call.conflicting();
    } catch (IdempotencyConflictException e) {
      check(e.code() == ErrorCode.IDEMPOTENCY_CONFLICT, () -> "conflict carries code " + e.code());
      conflicts.incrementAndGet();
      return;
    } catch (CreditsException e) {
      throw new Violation("the key of an acknowledged call, sent with other parameters, gave " + e.code()
          + " instead of IDEMPOTENCY_CONFLICT: " + call + ": " + e.getMessage());
    }
    throw new Violation("the key of an acknowledged call, sent with other parameters, took effect: " + call);
  }

  // ------------------------------------------------------------------------------------------ calls

  private static Map<EntryType, Long> moves(Object... typeAndAmount) {
    Map<EntryType, Long> out = new EnumMap<>(EntryType.class);
    for (int i = 0; i < typeAndAmount.length; i += 2) {
      long amount = (Long) typeAndAmount[i + 1];
      if (amount != 0) {
        out.merge((EntryType) typeAndAmount[i], amount, Long::sum);
      }
    }
    return out;
  }

  private Call grant(AccountModel m, String key, long amount, long expiresInMinutes) {
    Instant expiresAt = expiresInMinutes == 0 ? null : clock.instant().plus(Duration.ofMinutes(expiresInMinutes));
    return new Call(m, key, "grant " + amount + " to " + m.id + (expiresAt == null ? "" : " expiring " + expiresAt)) {
      @Override
      Object invoke() {
        return credits.grant(m.id, LotSource.PROMOTION, CreditAmount.of(amount), expiresAt, key);
      }

      @Override
      Object conflicting() {
        return credits.grant(m.id, LotSource.PROMOTION, CreditAmount.of(amount + 1), expiresAt, key);
      }

      @Override
      Set<ErrorCode> allowedRejections() {
        return grantRejections(expiresAt);
      }

      @Override
      void acknowledged(Object result) {
        GrantReceipt r = (GrantReceipt) result;
        if (r.amount() != amount) {
          throw new Violation("grant acknowledged " + r.amount() + " instead of " + amount + ": " + this);
        }
        m.granted(r, key.value());
        state.expected = moves(EntryType.GRANT, amount);
      }

      @Override
      String summary(Object result) {
        GrantReceipt r = (GrantReceipt) result;
        return r.lot() + "/" + r.amount();
      }
    };
  }

  /** A grant retried late may find its absolute expiry already past. */
  private static Set<ErrorCode> grantRejections(@Nullable Instant expiresAt) {
    return expiresAt == null ? RETRYABLE : EnumSet.of(ErrorCode.INVALID_ARGUMENT, ErrorCode.CONCURRENT_UPDATE);
  }

  private Call grantStarting(AccountModel m, String key, long amount, long startsInSeconds, long expiresInMinutes) {
    Instant startsAt = clock.instant().plusSeconds(startsInSeconds);
    Instant expiresAt = expiresInMinutes == 0 ? null : startsAt.plus(Duration.ofMinutes(expiresInMinutes));
    return new Call(m, key, "grant " + amount + " to " + m.id + " starting " + startsAt
        + (expiresAt == null ? "" : " expiring " + expiresAt)) {
      @Override
      Object invoke() {
        return credits.grantStarting(m.id, LotSource.PROMOTION, CreditAmount.of(amount), startsAt, expiresAt,
            Map.of(), key);
      }

      @Override
      Object conflicting() {
        return credits.grantStarting(m.id, LotSource.PROMOTION, CreditAmount.of(amount), startsAt.plusSeconds(1),
            expiresAt, Map.of(), key);
      }

      @Override
      Set<ErrorCode> allowedRejections() {
        return grantRejections(expiresAt);
      }

      @Override
      void acknowledged(Object result) {
        GrantReceipt r = (GrantReceipt) result;
        // A start already passed when the grant commits (a late retry) means at once, so not before the start.
        if (r.amount() != amount || r.grantedAt().isBefore(startsAt.truncatedTo(ChronoUnit.MICROS))
            || !Objects.equals(r.expiresAt(), expiresAt == null ? null : expiresAt.truncatedTo(ChronoUnit.MICROS))) {
          throw new Violation("grant acknowledged as " + r + ": " + this);
        }
        m.granted(r, key.value());
        state.expected = moves(EntryType.GRANT, amount);
      }

      @Override
      String summary(Object result) {
        GrantReceipt r = (GrantReceipt) result;
        return r.lot() + "/" + r.amount() + "/" + r.grantedAt();
      }
    };
  }

  /** A lot the account never had: past any sequence a simulated ledger reaches. */
  private static LotId unknownLot(int opId) {
    return new LotId(1_000_000_000L + opId);
  }

  private @Nullable ModelLot pickLot(AccountModel m, int pick) {
    synchronized (m) {
      int n = m.lots.size();
      if (n == 0) {
        return null;
      }
      // Mostly one of the newest lots (a grant just found to be a mistake), sometimes any lot.
      return pick % 10 < 7 ? m.lots.get(n - 1 - (pick / 10) % Math.min(n, 4)) : m.lots.get(pick % n);
    }
  }

  /**
   * Voids {@code target}, or an unknown lot when it is null. Two voids of one lot under different
   * keys: the second must be refused, so the model checks no lot is voided twice.
   */
  private Call voidGrant(AccountModel m, String key, @Nullable ModelLot target, LotId lot) {
    return new Call(m, key, "void " + (target == null ? "unknown lot " + lot : target.toString()) + " of " + m.id) {
      @Override
      Object invoke() {
        return credits.voidGrant(m.id, lot, "chargeback", key);
      }

      @Override
      Object conflicting() {
        return credits.voidGrant(m.id, lot, "granted by mistake", key);
      }

      @Override
      Set<ErrorCode> allowedRejections() {
        return target == null ? EnumSet.of(ErrorCode.LOT_NOT_FOUND, ErrorCode.CONCURRENT_UPDATE)
            : EnumSet.of(ErrorCode.LOT_ENDED, ErrorCode.CONCURRENT_UPDATE);
      }

      @Override
      void rejected(CreditsException e) {
        if (e.code() == ErrorCode.LOT_ENDED && !threaded && target != null) {
          // Run alone, nothing changed since the refusal: the lot must have nothing left to void.
          Instant now = clock.instant();
          Lot stored = raw.load(m.id, HoldSelection.allActive()).flatMap(s -> s.lots().stream()
              .filter(l -> l.id().equals(lot)).findFirst()).orElse(null);
          check(stored == null || stored.remaining() == 0
              || stored.expiresAt() != null && !now.isBefore(stored.expiresAt()), () -> "void of " + target
              + " was refused as LOT_ENDED but the lot still has credits to void: " + stored + " (now " + now + ")");
        }
      }

      @Override
      void acknowledged(Object result) {
        GrantVoid v = (GrantVoid) result;
        if (target == null) {
          throw new Violation("an unknown lot was voided: " + v + ": " + this);
        }
        if (target.voidedBy != null) {
          throw new Violation(target + " was voided again: " + this);
        }
        if (!v.lot().equals(lot) || v.voided() <= 0 || v.voided() + v.held() + v.used() != target.amount) {
          throw new Violation("void acknowledged as " + v + " for " + target + ": " + this);
        }
        target.voidedBy = key.value();
        m.debited += v.voided();
        state.expected = moves(EntryType.DEBIT, v.voided());
      }

      @Override
      String summary(Object result) {
        GrantVoid v = (GrantVoid) result;
        return v.lot() + "/" + v.voided() + "/" + v.held() + "/" + v.used();
      }
    };
  }

  /** Changes the expiry of {@code target}, or of an unknown lot when it is null. */
  private Call changeExpiry(AccountModel m, String key, @Nullable ModelLot target, LotId lot, long minutes) {
    Instant expiresAt = minutes == 0 ? null : clock.instant().plus(Duration.ofMinutes(minutes));
    boolean voidedBefore;
    synchronized (m) {
      voidedBefore = target != null && target.voidedBy != null;
    }
    String what = target == null ? "unknown lot " + lot : target.toString();
    return new Call(m, key, "change the expiry of " + what + " of " + m.id + " to "
        + (expiresAt == null ? "never" : expiresAt)) {
      @Override
      Object invoke() {
        return credits.changeExpiry(m.id, lot, expiresAt, "goodwill", key);
      }

      @Override
      Object conflicting() {
        return credits.changeExpiry(m.id, lot, expiresAt == null ? Instant.parse("2100-01-01T00:00:00Z")
            : expiresAt.plusSeconds(60), "goodwill", key);
      }

      @Override
      Set<ErrorCode> allowedRejections() {
        // INVALID_ARGUMENT: an expiry past (on purpose, or by a late retry), not after a future start,
        // or the one the lot has already.
        return target == null ? EnumSet.of(ErrorCode.LOT_NOT_FOUND, ErrorCode.CONCURRENT_UPDATE)
            : EnumSet.of(ErrorCode.LOT_ENDED, ErrorCode.INVALID_ARGUMENT, ErrorCode.CONCURRENT_UPDATE);
      }

      @Override
      void acknowledged(Object result) {
        ExpiryChange c = (ExpiryChange) result;
        if (target == null || voidedBefore || minutes < 0) {
          throw new Violation("expiry change acknowledged as " + c + " for a lot that is unknown, voided or "
              + "given a past expiry: " + this);
        }
        if (!c.lot().equals(lot) || !Objects.equals(c.newExpiry(),
            expiresAt == null ? null : expiresAt.truncatedTo(ChronoUnit.MICROS))) {
          throw new Violation("expiry change acknowledged as " + c + ": " + this);
        }
        // The entry carries what the lot still holds, which the model does not track.
        state.expected = null;
      }

      @Override
      String summary(Object result) {
        ExpiryChange c = (ExpiryChange) result;
        return c.lot() + "/" + c.previousExpiry() + ">" + c.newExpiry();
      }
    };
  }

  private Call hold(AccountModel m, String key, long amount, long ttlMinutes) {
    HoldRequest request = HoldRequest.of(m.id, CreditAmount.of(amount), IdempotencyKey.of(key))
        .withTtl(Duration.ofMinutes(ttlMinutes)).withMetadata("kind", "image");
    return new Call(m, key, "hold " + amount + " on " + m.id + " for " + ttlMinutes + " min") {
      @Override
      Object invoke() {
        return credits.hold(request);
      }

      @Override
      Object conflicting() {
        return credits.hold(HoldRequest.of(m.id, CreditAmount.of(amount + 1), key)
            .withTtl(Duration.ofMinutes(ttlMinutes)).withMetadata("kind", "image"));
      }

      @Override
      Set<ErrorCode> allowedRejections() {
        return EnumSet.of(ErrorCode.INSUFFICIENT_CREDITS, ErrorCode.CONCURRENT_UPDATE);
      }

      @Override
      void acknowledged(Object result) {
        Hold h = (Hold) result;
        if (h.amount() != amount || !h.account().equals(m.id)) {
          throw new Violation("hold acknowledged as " + h + ": " + this);
        }
        if (!m.holdsById.containsKey(h.id())) {
          ModelHold mh = new ModelHold(h.id(), amount, h.deadline(), key.value());
          m.holds.add(mh);
          m.holdsById.put(h.id(), mh);
        }
        state.expected = moves(EntryType.HOLD, amount);
      }

      @Override
      String summary(Object result) {
        Hold h = (Hold) result;
        return h.id() + "/" + h.amount() + "/" + h.deadline();
      }
    };
  }

  private abstract class EndHold extends Call {
    final ModelHold target;

    EndHold(AccountModel m, String key, ModelHold target, String description) {
      super(m, key, description + " hold " + target.id + " (" + target.amount + " placed by " + target.placedBy + ")");
      this.target = target;
    }

    @Override
    Set<ErrorCode> allowedRejections() {
      return EnumSet.of(ErrorCode.HOLD_ALREADY_SETTLED, ErrorCode.HOLD_ALREADY_RELEASED, ErrorCode.HOLD_EXPIRED,
          ErrorCode.CONCURRENT_UPDATE);
    }

    @Override
    void rejected(CreditsException e) {
      switch (e.code()) {
        case HOLD_ALREADY_SETTLED -> target.claims.add(HoldState.SETTLED);
        case HOLD_ALREADY_RELEASED -> target.claims.add(HoldState.RELEASED);
        case HOLD_EXPIRED -> {
          if (!clock.instant().isAfter(target.deadline)) {
            throw new Violation("hold " + target.id + " reported expired before its deadline " + target.deadline
                + " (now " + clock.instant() + "): " + this);
          }
        }
        default -> { }
      }
    }

    void end(HoldState state, long settled, long returned, long expiredOnReturn, Instant at) {
      if (target.state != HoldState.ACTIVE) {
        throw new Violation("hold " + target.id + " ended twice: " + target.state + " by " + target.endedBy
            + ", then " + state + " by " + this);
      }
      if (at.isAfter(target.deadline)) {
        throw new Violation("hold " + target.id + " ended as " + state + " at " + at + ", after its deadline "
            + target.deadline + ": " + this);
      }
      // At least the amount the model knows: an extension may be acknowledged after this end.
      if (settled + returned + expiredOnReturn < target.amount) {
        throw new Violation("hold " + target.id + " of " + target.amount + " ended with settled " + settled
            + " + returned " + returned + " + expired " + expiredOnReturn + ": " + this);
      }
      target.amount = settled + returned + expiredOnReturn;
      target.state = state;
      target.settled = settled;
      target.endedBy = key.value();
    }
  }

  private Call settle(AccountModel m, String key, ModelHold target, int percent) {
    Long amount = percent == 100 ? null : Math.max(1, target.amount * percent / 100);
    boolean above = amount != null && amount > target.amount;
    return new EndHold(m, key, target, "settle " + (amount == null ? "all of" : amount + " of")) {
      @Override
      Object invoke() {
        return amount == null ? credits.settleAll(m.id, target.id, Map.of(), key)
            : credits.settle(m.id, target.id, CreditAmount.of(amount), Map.of(), key);
      }

      @Override
      Object conflicting() {
        return credits.settle(m.id, target.id, CreditAmount.of(amount == null ? 1 : amount + 1), Map.of(), key);
      }

      @Override
      Set<ErrorCode> allowedRejections() {
        Set<ErrorCode> codes = super.allowedRejections();
        if (above) {
          // Under the refuse policy (the default), or after the account moved to it, when the
          // available credits do not cover the difference.
          codes = EnumSet.copyOf(codes);
          codes.add(ErrorCode.INSUFFICIENT_CREDITS);
        }
        return codes;
      }

      @Override
      void acknowledged(Object result) {
        Settlement s = (Settlement) result;
        if (amount != null && s.requested() != amount) {
          throw new Violation("settlement " + s + " does not name the " + amount + " asked: " + this);
        }
        if (above && s.returned() + s.expiredOnReturn() == 0) {
          // Above the hold: the whole hold is spent, the rest drawn from the balance, then as debt.
          if (s.settled() < target.amount || s.debtIncurred() > s.settled() - target.amount
              || s.debtIncurred() > MAX_DEBT) {
            throw new Violation("settlement above hold " + target.id + " of " + target.amount + " is " + s + ": "
                + this);
          }
          if (target.state != HoldState.ACTIVE) {
            throw new Violation("hold " + target.id + " ended twice: " + target.state + " by " + target.endedBy
                + ", then settled above it by " + this);
          }
          target.state = HoldState.SETTLED;
          target.settledAbove = true;
          target.endedBy = key.value();
          m.settled += s.settled();
          // What the hold held is known only from the store, so the ledger is checked by the replay.
          return;
        }
        long wanted = amount == null ? target.amount : amount;
        if (amount == null ? s.settled() < wanted : s.settled() != wanted) {
          throw new Violation("settled " + s.settled() + " instead of " + wanted + ": " + this);
        }
        if (s.uncollected() != 0 || s.debtIncurred() != 0) {
          throw new Violation("a settlement within its hold left " + s.uncollected() + " uncollected and "
              + s.debtIncurred() + " owed: " + this);
        }
        end(HoldState.SETTLED, s.settled(), s.returned(), s.expiredOnReturn(), s.at());
        m.settled += s.settled();
        state.expected = moves(EntryType.SETTLE, s.settled(), EntryType.RELEASE, s.returned() + s.expiredOnReturn(),
            EntryType.LOT_EXPIRED, s.expiredOnReturn());
      }

      @Override
      String summary(Object result) {
        Settlement s = (Settlement) result;
        return s.settled() + "/" + s.returned() + "/" + s.expiredOnReturn() + "/" + s.uncollected() + "/"
            + s.debtIncurred();
      }
    };
  }

  private Call extend(AccountModel m, String key, ModelHold target, long more) {
    return new EndHold(m, key, target, "extend by " + more) {
      @Override
      Object invoke() {
        return credits.extend(m.id, target.id, CreditAmount.of(more), key);
      }

      @Override
      Object conflicting() {
        return credits.extend(m.id, target.id, CreditAmount.of(more + 1), key);
      }

      @Override
      Set<ErrorCode> allowedRejections() {
        Set<ErrorCode> codes = EnumSet.copyOf(super.allowedRejections());
        codes.add(ErrorCode.INSUFFICIENT_CREDITS);
        return codes;
      }

      @Override
      void acknowledged(Object result) {
        Hold h = (Hold) result;
        if (!h.id().equals(target.id) || h.state() != HoldState.ACTIVE || h.amount() < target.placed + more
            || !h.deadline().equals(target.deadline)) {
          throw new Violation("extension acknowledged as " + h + ": " + this);
        }
        // Extensions commute: the hold is at least as large as the largest one acknowledged.
        target.amount = Math.max(target.amount, h.amount());
        state.expected = moves(EntryType.HOLD, more);
      }

      @Override
      String summary(Object result) {
        Hold h = (Hold) result;
        return h.id() + "/" + h.amount();
      }
    };
  }

  private Call setOverage(AccountModel m, String key, OveragePolicy policy) {
    return new Call(m, key, "set overage policy " + policy + " on " + m.id) {
      @Override
      Object invoke() {
        return credits.setOveragePolicy(m.id, policy, key);
      }

      @Override
      Object conflicting() {
        return credits.setOveragePolicy(m.id, policy.equals(OveragePolicy.refuse()) ? OveragePolicy.takeAvailable()
            : OveragePolicy.refuse(), key);
      }

      @Override
      void acknowledged(Object result) {
        if (!policy.equals(result)) {
          throw new Violation("policy acknowledged as " + result + ": " + this);
        }
        // No credits move: a ledger entry under this key would be a violation.
        state.expected = moves();
      }

      @Override
      String summary(Object result) {
        return result.toString();
      }
    };
  }

  private Call release(AccountModel m, String key, ModelHold target) {
    return new EndHold(m, key, target, "release") {
      @Override
      Object invoke() {
        return credits.release(m.id, target.id, "failed", key);
      }

      @Override
      Object conflicting() {
        return credits.release(m.id, target.id, "blocked", key);
      }

      @Override
      void acknowledged(Object result) {
        Release r = (Release) result;
        end(HoldState.RELEASED, 0, r.returned(), r.expiredOnReturn(), r.at());
        state.expected = moves(EntryType.RELEASE, r.returned() + r.expiredOnReturn(), EntryType.LOT_EXPIRED,
            r.expiredOnReturn());
      }

      @Override
      String summary(Object result) {
        Release r = (Release) result;
        return r.returned() + "/" + r.expiredOnReturn();
      }
    };
  }

  private Call verifyEmail(AccountModel m, String key) {
    return new Call(m, key, "verify email of " + m.id) {
      @Override
      Object invoke() {
        return plans(key.value().hashCode()).verifyEmail(m.id, key);
      }

      @Override
      void acknowledged(Object result) {
        SignupResult r = (SignupResult) result;
        if (r.granted()) {
          if (m.signupGrantedBy != null) {
            throw new Violation("signup credits granted twice to " + m.id + ": by " + m.signupGrantedBy + " and " + this);
          }
          m.signupGrantedBy = key.value();
        }
        state.expected = moves(EntryType.GRANT, r.credits());
      }

      @Override
      String summary(Object result) {
        SignupResult r = (SignupResult) result;
        return r.granted() + "/" + r.credits();
      }
    };
  }

  private Call subscribe(AccountModel m, String key, String tier) {
    return new Call(m, key, "subscribe " + m.id + " to " + tier) {
      @Override
      Object invoke() {
        return plans(key.value().hashCode()).subscribe(m.id, tier, key);
      }

      @Override
      Set<ErrorCode> allowedRejections() {
        return withRetired(ErrorCode.ALREADY_SUBSCRIBED);
      }

      @Override
      boolean writesAfterCommit() {
        return true;
      }

      @Override
      void acknowledged(Object result) {
        m.subscriptions++;
        state.expected = moves();
      }

      @Override
      String summary(Object result) {
        return planSummary((PlanChange) result);
      }
    };
  }

  private static String planSummary(PlanChange c) {
    return c.fromTier() + ">" + c.toTier() + "/" + c.immediate() + "/" + c.proratedCredits() + "/" + c.pendingTier();
  }

  private Call changePlan(AccountModel m, String key, String tier) {
    return new Call(m, key, "change plan of " + m.id + " to " + tier) {
      @Override
      Object invoke() {
        return plans(key.value().hashCode()).changePlan(m.id, tier, key);
      }

      @Override
      Object conflicting() {
        return plans(key.value().hashCode()).changePlan(m.id, PAID_TIERS.get((PAID_TIERS.indexOf(tier) + 1) % PAID_TIERS.size()), key);
      }

      @Override
      Set<ErrorCode> allowedRejections() {
        return withRetired(ErrorCode.SUBSCRIPTION_REQUIRED, ErrorCode.INVALID_ARGUMENT);
      }

      @Override
      void acknowledged(Object result) {
        state.expected = moves(EntryType.GRANT, ((PlanChange) result).proratedCredits());
      }

      @Override
      String summary(Object result) {
        return planSummary((PlanChange) result);
      }
    };
  }

  private Call cancel(AccountModel m, String key) {
    return new Call(m, key, "cancel the subscription of " + m.id) {
      @Override
      Object invoke() {
        return plans(key.value().hashCode()).cancel(m.id, key);
      }

      @Override
      Set<ErrorCode> allowedRejections() {
        return EnumSet.of(ErrorCode.SUBSCRIPTION_REQUIRED, ErrorCode.CONCURRENT_UPDATE);
      }

      @Override
      void acknowledged(Object result) {
        state.expected = moves();
      }

      @Override
      String summary(Object result) {
        return planSummary((PlanChange) result);
      }
    };
  }

  private Call buyPack(AccountModel m, String key, String pack) {
    return new Call(m, key, "buy " + pack + " for " + m.id) {
      @Override
      Object invoke() {
        return plans(key.value().hashCode()).buyPack(m.id, pack, key);
      }

      @Override
      Object conflicting() {
        String other = packs.packs().get((packs.packs().indexOf(packs.require(pack)) + 1) % packs.packs().size()).id();
        return plans(key.value().hashCode()).buyPack(m.id, other, key);
      }

      @Override
      Set<ErrorCode> allowedRejections() {
        return withRetired(ErrorCode.PACKS_REQUIRE_PAID_TIER, ErrorCode.TOO_MANY_OPEN_ORDERS);
      }

      @Override
      void acknowledged(Object result) {
        PackOrder order = (PackOrder) result;
        orders.put(order.paymentReference(), order);
        state.expected = moves();
      }

      @Override
      String summary(Object result) {
        return ((PackOrder) result).paymentReference();
      }
    };
  }

  private void deliver(Op.Deliver d) {
    List<RecordingBillingGateway.Request> requests = gateway.requests();
    if (requests.isEmpty()) {
      return;
    }
    RecordingBillingGateway.Request request = requests.get(d.pick() % requests.size());
    AccountModel m = byId.get(request.account());
    String suffix = d.freshEventId() ? "-" + d.id() : "";
    Call call;
    if (request instanceof RecordingBillingGateway.SubscriptionCharge charge) {
      if (d.paymentFailed()) {
        BillingEvent event = new BillingEvent.PaymentFailed("failed-" + charge.reference() + suffix, m.id, charge.cycle());
        call = billing(m, event, IdempotencyKey.reserved("evt", event.eventId()).value(), moves());
      } else {
        BillingEvent event = new BillingEvent.CyclePaid("paid-" + charge.reference() + suffix, m.id, charge.cycle());
        call = billing(m, event, IdempotencyKey.reserved("evt", event.eventId()).value(), null);
      }
    } else if (request instanceof RecordingBillingGateway.PackCharge charge) {
      call = packPaid(m, charge, suffix);
    } else if (request instanceof RecordingBillingGateway.Cancellation c) {
      BillingEvent event = new BillingEvent.SubscriptionCancelled("cancelled-" + c.reference() + suffix, m.id,
          c.effectiveAt());
      call = billing(m, event, IdempotencyKey.reserved("evt", event.eventId()).value(), moves());
    } else {
      return; // plan change notices need no confirmation
    }
    for (int copy = 0; copy < d.copies(); copy++) {
      attempt(call, copy == 0 ? d.fault() : null);
    }
  }

  /** The payment of a pack the gateway was asked to charge: it grants the pack, once. */
  private Call packPaid(AccountModel m, RecordingBillingGateway.PackCharge charge, String suffix) {
    Pack pack = packs.require(charge.packId());
    BillingEvent event = new BillingEvent.PackPaid("paid-" + charge.reference() + suffix, m.id, pack.id(),
        charge.reference(), charge.priceMinor(), charge.currency());
    return billing(m, event, IdempotencyKey.reserved("pay", charge.reference()).value(),
        moves(EntryType.GRANT, pack.credits()));
  }

  /** The account's automatic top-ups the gateway accepted, each reference once, in the order first asked. */
  private List<RecordingBillingGateway.PackCharge> topUpCharges(AccountId account) {
    Map<String, RecordingBillingGateway.PackCharge> out = new LinkedHashMap<>();
    for (RecordingBillingGateway.PackCharge c : gateway.packCharges()) {
      if (c.account().equals(account) && c.reference().startsWith(TOP_UP_PREFIX)) {
        out.putIfAbsent(c.reference(), c);
      }
    }
    return new ArrayList<>(out.values());
  }

  /** Pays one of the account's top-ups: mostly the newest, sometimes an older one (late, or again). */
  private void deliverTopUp(Op.DeliverTopUp d) {
    AccountModel m = models[d.account()];
    List<RecordingBillingGateway.PackCharge> charges = topUpCharges(m.id);
    if (charges.isEmpty()) {
      return;
    }
    int n = charges.size();
    RecordingBillingGateway.PackCharge charge = d.pick() % 10 < 7 ? charges.get(n - 1) : charges.get(d.pick() % n);
    Call call = packPaid(m, charge, d.freshEventId() ? "-" + d.id() : "");
    for (int copy = 0; copy < d.copies(); copy++) {
      attempt(call, copy == 0 ? d.fault() : null);
    }
  }

  private static final String TOP_UP_PREFIX = "topup:";

  private Call enableTopUp(AccountModel m, String key, Op.EnableTopUp e) {
    boolean higher = e.pack() % 8 == 0;
    Pack pack = higher ? PRO_ONLY_PACK : packs.packs().get(e.pack() % 3);
    long cap = e.capPacks() == 0 ? pack.priceMinor() - 1 : e.capPacks() * pack.priceMinor();
    // Near what the account has now, so spending soon crosses it (above it buys at once): balances grow
    // over a run, and a fixed threshold would soon be left far below.
    long threshold = Math.max(1, audit.balance(m.id).available() * e.thresholdPercent() / 100);
    AutoTopUp setting = new AutoTopUp(threshold, pack.id(), cap);
    synchronized (m) {
      m.topUpCalls.put(key, Optional.of(setting));
    }
    return new Call(m, key, "enable top-up below " + threshold + " buying " + pack.id() + " up to " + cap
        + " a month on " + m.id) {
      @Override
      Object invoke() {
        return plans(key.value().hashCode()).enableAutoTopUp(m.id, setting, key);
      }

      @Override
      Object conflicting() {
        return plans(key.value().hashCode()).enableAutoTopUp(m.id, new AutoTopUp(threshold + 1, pack.id(), cap),
            key);
      }

      @Override
      Set<ErrorCode> allowedRejections() {
        Set<ErrorCode> codes = withRetired(ErrorCode.PACKS_REQUIRE_PAID_TIER);
        if (higher) {
          codes.add(ErrorCode.PACK_NOT_FOR_TIER);
        }
        if (e.capPacks() == 0) {
          codes.add(ErrorCode.TOP_UP_CAP_BELOW_PACK);
        }
        return codes;
      }

      @Override
      void acknowledged(Object result) {
        TopUpStatus status = (TopUpStatus) result;
        if (e.capPacks() == 0 || !setting.equals(status.setting())) {
          throw new Violation("top-up acknowledged as " + status + ": " + this);
        }
        // A purchase its commit made moves no credits until paid.
        state.expected = moves();
      }

      @Override
      String summary(Object result) {
        return result.toString();
      }
    };
  }

  private Call disableTopUp(AccountModel m, String key) {
    synchronized (m) {
      m.topUpCalls.put(key, Optional.empty());
    }
    return new Call(m, key, "disable the top-up of " + m.id) {
      @Override
      Object invoke() {
        return plans(key.value().hashCode()).disableAutoTopUp(m.id, key);
      }

      @Override
      void acknowledged(Object result) {
        TopUpStatus status = (TopUpStatus) result;
        if (status.setting() != null || status.armed()) {
          throw new Violation("top-up disabled as " + status + ": " + this);
        }
        state.expected = moves();
      }

      @Override
      String summary(Object result) {
        return result.toString();
      }
    };
  }

  private static List<Pack> concat(List<Pack> packs, Pack more) {
    List<Pack> out = new ArrayList<>(packs);
    out.add(more);
    return out;
  }

  private Call billing(AccountModel m, BillingEvent event, String engineKey, @Nullable Map<EntryType, Long> expected) {
    return new Call(m, engineKey, "deliver " + event) {
      @Override
      Object invoke() {
        return instance(event.eventId().hashCode()).handle(event);
      }

      /** Another kind of event under the same event id, or another pack under the same payment reference. */
      @Override
      Object conflicting() {
        Instance app = instance(event.eventId().hashCode());
        if (event instanceof BillingEvent.PackPaid p) {
          Pack other = packs.packs().get((packs.packs().indexOf(packs.require(p.packId())) + 1) % packs.packs().size());
          return app.handle(new BillingEvent.PackPaid(p.eventId() + "-other", m.id, other.id(), p.paymentReference(),
              other.priceMinor(), other.currency()));
        }
        if (event instanceof BillingEvent.CyclePaid c) {
          return app.handle(new BillingEvent.PaymentFailed(c.eventId(), m.id, c.cycle()));
        }
        return app.handle(new BillingEvent.CyclePaid(event.eventId(), m.id, 0));
      }

      @Override
      Set<ErrorCode> allowedRejections() {
        if (event instanceof BillingEvent.CyclePaid) {
          return withRetired(ErrorCode.CYCLE_NOT_STARTED);
        }
        if (event instanceof BillingEvent.PackPaid) {
          return withRetired(ErrorCode.PAYMENT_MISMATCH);
        }
        return withRetired();
      }

      @Override
      void rejected(CreditsException e) {
        if (e.code() == ErrorCode.PAYMENT_MISMATCH) {
          PackOrder order = orders.get(((BillingEvent.PackPaid) event).paymentReference());
          check(order == null || !order.orderedAt().plus(PlanService.PACK_ORDER_LIFETIME).isAfter(clock.instant()),
              () -> "the payment of an open order was refused: " + this + ": " + e.getMessage());
        }
      }

      @Override
      void acknowledged(Object result) {
        BillingOutcome outcome = (BillingOutcome) result;
        if (event instanceof BillingEvent.PackPaid && outcome.effect() == BillingOutcome.Effect.IGNORED) {
          throw new Violation("a paid pack was ignored: " + this);
        }
        if (event instanceof BillingEvent.CyclePaid c) {
          cyclesPaid.computeIfAbsent(m.id, k -> ConcurrentHashMap.newKeySet()).add(c.cycle());
          if (outcome.effect() == BillingOutcome.Effect.APPLIED) {
            paymentsApplied.computeIfAbsent(m.id, k -> ConcurrentHashMap.newKeySet()).add(c.eventId());
          }
        }
        state.expected = expected;
      }
    };
  }

  /** The pack orders acknowledged, by payment reference. */
  private final Map<String, PackOrder> orders = new ConcurrentHashMap<>();
  /** The cycle numbers a CyclePaid was acknowledged for, per account (whatever it did). */
  private final Map<AccountId, Set<Long>> cyclesPaid = new ConcurrentHashMap<>();
  /** The event ids of the CyclePaid events acknowledged as applied, per account: each refilled its cycle. */
  private final Map<AccountId, Set<String>> paymentsApplied = new ConcurrentHashMap<>();

  /** A subscription charge reference read back: {@code sub:<account>:<subscription>:<cycle>}. */
  private record ChargeRef(String account, long subscription, long cycle) {
    static @Nullable ChargeRef parse(String reference) {
      if (!reference.startsWith("sub:")) {
        return null;
      }
      int last = reference.lastIndexOf(':');
      int before = reference.lastIndexOf(':', last - 1);
      if (before <= 4) {
        return null;
      }
      try {
        return new ChargeRef(reference.substring(4, before), Long.parseLong(reference.substring(before + 1, last)),
            Long.parseLong(reference.substring(last + 1)));
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }

  /** The billing system collects the account's newest charged cycle (or one after it) by itself. */
  private void collectCycle(Op.CollectCycle c) {
    AccountModel m = models[c.account()];
    ChargeRef newest = null;
    for (SimGateway.Charge charge : simGateway.charges()) {
      ChargeRef r = ChargeRef.parse(charge.request().reference());
      if (r != null && charge.request().account().equals(m.id) && (newest == null || r.subscription() > newest.subscription()
          || r.subscription() == newest.subscription() && r.cycle() > newest.cycle())) {
        newest = r;
      }
    }
    if (newest == null) {
      return;
    }
    BillingEvent event = new BillingEvent.CyclePaid("collected-" + c.id(), m.id, newest.cycle() + c.ahead());
    attempt(billing(m, event, IdempotencyKey.reserved("evt", event.eventId()).value(), null), c.fault());
  }

  /**
   * Sends a forged pack payment. It must be refused; should it be granted, the ledger check finds a
   * pack without its order at the next checkpoint.
   */
  private void spoof(Op.SpoofPayment p) {
    AccountModel m = models[p.account()];
    List<RecordingBillingGateway.PackCharge> all = gateway.packCharges();
    List<RecordingBillingGateway.PackCharge> own = all.stream().filter(c -> c.account().equals(m.id)).toList();
    List<RecordingBillingGateway.PackCharge> others = all.stream().filter(c -> !c.account().equals(m.id)).toList();
    Pack biggest = packs.require("pack_5000");
    BillingEvent.PackPaid forged;
    if (p.kind() == 0 || (p.kind() == 1 ? others : own).isEmpty()) {
      forged = new BillingEvent.PackPaid("spoof-" + p.id(), m.id, biggest.id(), "spoof-" + p.id(), biggest.priceMinor(),
          biggest.currency());
    } else if (p.kind() == 1) {
      RecordingBillingGateway.PackCharge theirs = others.get(p.pick() % others.size());
      forged = new BillingEvent.PackPaid("spoof-" + p.id(), m.id, theirs.packId(), theirs.reference(),
          theirs.priceMinor(), theirs.currency());
    } else {
      RecordingBillingGateway.PackCharge mine = own.get(p.pick() % own.size());
      Pack ordered = packs.require(mine.packId());
      Pack other = packs.packs().get((packs.packs().indexOf(ordered) + 1) % packs.packs().size());
      forged = p.kind() == 2
          ? new BillingEvent.PackPaid("spoof-" + p.id(), m.id, other.id(), mine.reference(), other.priceMinor(),
              other.currency())
          : new BillingEvent.PackPaid("spoof-" + p.id(), m.id, ordered.id(), mine.reference(), mine.priceMinor() - 1,
              mine.currency());
    }
    try {
      instance(p.id()).handle(forged);
    } catch (CreditsException e) {
      Set<ErrorCode> expected = EnumSet.of(ErrorCode.PAYMENT_MISMATCH, ErrorCode.IDEMPOTENCY_CONFLICT,
          ErrorCode.CONCURRENT_UPDATE);
      check(expected.contains(e.code()), () -> "a forged payment was refused with " + e.code() + ": " + forged);
      rejected.incrementAndGet();
      rejections.computeIfAbsent(e.code(), k -> new LongAdder()).increment();
    }
  }

  // ------------------------------------------------------------------------------------------ checkpoints

  /** Resolves every unknown outcome by sending the call again with the same key, without faults. */
  void resolvePending() {
    List<Call> todo;
    synchronized (pending) {
      todo = new ArrayList<>(pending);
      pending.clear();
    }
    for (Call call : todo) {
      if (call.state.status != Status.UNKNOWN) {
        continue;
      }
      boolean written = call.state.lastFault == FaultKind.FAIL_AFTER_COMMIT;
      long before = version(call.account.id);
      for (int attempt = 0; attempt < 5 && call.state.status == Status.UNKNOWN; attempt++) {
        attemptNow(call, null);
      }
      synchronized (pending) {
        pending.removeIf(q -> q == call);
      }
      if (call.state.status == Status.UNKNOWN) {
        throw new Violation("the outcome of " + call + " stayed unknown after 5 retries without faults");
      }
      if (written) {
        long after = version(call.account.id);
        check(after == before || call.writesAfterCommit(), () -> "a call whose commit was written before its result was lost took effect again "
            + "when retried with the same key: " + call + " (version " + before + " -> " + after + ")");
        check(call.state.status == Status.ACKED, () -> "a call whose commit was written was refused on retry: " + call);
      }
    }
  }

  private long version(AccountId id) {
    return raw.load(id, HoldSelection.allActive()).map(s -> s.account().version()).orElse(0L);
  }

  /** Resolves unknown outcomes and checks every invariant on every account. */
  void checkpoint() {
    resolvePending();
    for (AccountModel m : models) {
      synchronized (m) {
        checkAccount(m);
        checkTopUps(m);
      }
    }
    checkpoints.incrementAndGet();
  }

  /** The final checkpoint: check, sweep everything due without faults, and check again. */
  void finish() {
    checkpoint();
    credits.sweep();
    // Past every back-off of a refused charge, then renew until nothing is left: the renewals take one
    // account a run, so an account that cannot be renewed must not keep the others waiting.
    clock.advance(Duration.ofHours(7));
    for (int run = 0; run < 4 * models.length + 4; run++) {
      plans(run).renewDue();
    }
    finished = true;
    checkpoint();
    checkNoStall();
  }

  /** Every active subscription on a tier the catalog still has was refilled up to its current cycle. */
  private void checkNoStall() {
    Instant now = clock.instant();
    PlanService full = Credits.builder().store(raw).clock(clock).config(config).packs(packs).plans(PLANS).build()
        .plans();
    for (AccountModel m : models) {
      io.preprompt.credits.plans.AccountOverview o = full.overview(m.id);
      boolean known = !(retired && o.tier().id().equals(RETIRED_TIER));
      boolean renewable = o.status() == io.preprompt.credits.plans.SubscriptionStatus.ACTIVE
          && (o.cancelAt() == null || o.cancelAt().isAfter(now));
      if (known && renewable) {
        check(o.cycleEnd() != null && o.cycleEnd().isAfter(now), () -> "the subscription of " + m.id + " on "
            + o.tier().id() + " was not renewed: its cycle ended " + o.cycleEnd() + ", now " + now);
      }
    }
  }

  /**
   * The billing invariants of one account: per subscription and cycle at most one refill, and no
   * charge request for a cycle the billing system collected itself; every charge under the one
   * reference that names its account, subscription and cycle, for one period, accepted once (again only after a store fault or a lapsed claim made the
   * library lose its record of the answer); no pack without the order it pays for. At the end of a
   * run (when {@code finished}), every refill the clock made has had its charge accepted.
   */
  private void checkBilling(AccountModel m, Map<String, Integer> refills, Map<String, String> refilledBy,
      List<LedgerEntry> packsGranted) {
    AccountId id = m.id;
    for (Map.Entry<String, Integer> e : refills.entrySet()) {
      check(e.getValue() == 1, () -> "subscription:cycle " + e.getKey() + " of " + id + " refilled " + e.getValue()
          + " times");
    }
    Map<String, Set<Instant>> startsByReference = new HashMap<>();
    Map<String, Integer> acceptedByReference = new HashMap<>();
    Map<String, Integer> excusedByReference = new HashMap<>();
    Set<String> charged = new java.util.HashSet<>();
    for (SimGateway.Charge c : simGateway.charges()) {
      RecordingBillingGateway.SubscriptionCharge r = c.request();
      if (!r.account().equals(id)) {
        continue;
      }
      ChargeRef ref = ChargeRef.parse(r.reference());
      check(ref != null && ref.account().equals(id.value()) && ref.cycle() == r.cycle(), () -> "charge of cycle "
          + r.cycle() + " of " + id + " under a reference that does not name its account and cycle: " + r.reference());
      charged.add(ref.subscription() + ":" + ref.cycle());
      Set<Instant> starts = startsByReference.computeIfAbsent(r.reference(), k -> new java.util.TreeSet<>());
      starts.add(r.cycleStart());
      check(starts.size() == 1, () -> "charge " + r.reference() + " of " + id + " was asked for " + starts.size()
          + " different periods: " + starts);
      acceptedByReference.merge(r.reference(), 1, Integer::sum);
      if (excused.contains(c.serial())) {
        excusedByReference.merge(r.reference(), 1, Integer::sum);
      }
    }
    // Each request beyond the first needs a request whose answer may have been lost (in threads the
    // one that lost it may be accepted after the one that sent it again).
    for (Map.Entry<String, Integer> e : acceptedByReference.entrySet()) {
      int excusedTimes = excusedByReference.getOrDefault(e.getKey(), 0);
      check(e.getValue() <= 1 + excusedTimes, () -> "charge " + e.getKey() + " of " + id + " was accepted "
          + e.getValue() + " times, with " + excusedTimes + " answers lost: two instances or a webhook race "
          + "charged the cycle again");
    }
    for (Map.Entry<String, String> e : refilledBy.entrySet()) {
      boolean byPayment = e.getValue().equals("payment");
      boolean firstCycle = e.getKey().endsWith(":0");
      if (byPayment && !firstCycle) {
        check(!charged.contains(e.getKey()), () -> "subscription:cycle " + e.getKey() + " of " + id
            + " was collected by the billing system and charged by the library too");
      }
      if (finished && !byPayment) {
        long cycle = Long.parseLong(e.getKey().substring(e.getKey().indexOf(':') + 1));
        boolean collected = cyclesPaid.getOrDefault(id, Set.of()).contains(cycle);
        check(charged.contains(e.getKey()) || collected, () -> "subscription:cycle " + e.getKey() + " of " + id
            + " was refilled by the clock but its charge was never accepted");
      }
    }
    Map<String, RecordingBillingGateway.PackCharge> ordered = new HashMap<>();
    for (RecordingBillingGateway.PackCharge c : gateway.packCharges()) {
      ordered.put(c.reference(), c);
    }
    for (LedgerEntry e : packsGranted) {
      if ("true".equals(e.metadata().get("withoutPayment"))) {
        continue;
      }
      RecordingBillingGateway.PackCharge order = ordered.get(e.metadata().get("paymentReference"));
      check(order != null && order.account().equals(id) && order.packId().equals(e.metadata().get("pack")),
          () -> "pack granted to " + id + " without a matching order: " + e + " (order: " + order + ")");
    }
  }

  /** The start of the calendar month {@code at} falls in, in the plans' zone: top-up caps count by it. */
  private static Instant monthStart(Instant at) {
    return at.atZone(PLANS.zone()).withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).toInstant();
  }

  /**
   * The automatic top-up's invariants on one account, read from the commits since the last
   * checkpoint in version order, and from what the gateway was asked: after every commit the stored
   * setting is the one the last acknowledged enable or disable set; a top-up is ordered only while
   * one is on, for its pack, on a tier that may buy it; at most one waits for its payment; the prices
   * ordered in a calendar month, and those the gateway was asked to charge, never pass the cap in
   * force at each order; a fall below the threshold is skipped only when the cap would have been
   * passed; the gateway is asked only for committed orders, at their price; and at the end of a run
   * every order still open has been asked for. (Each payment granted once is checked with the packs.)
   */
  private void checkTopUps(AccountModel m) {
    AccountId id = m.id;
    for (Committed c : log.drain(id)) {
      String key = c.key();
      if (key != null && m.topUpCalls.containsKey(key)) {
        m.topUpSetting = m.topUpCalls.get(key).orElse(null);
      }
      PlanRecord plan = c.plan();
      PlanRecord.TopUp t = plan == null ? null : plan.topUp();
      AutoTopUp stored = t == null || t.packId() == null ? null : new AutoTopUp(t.threshold(), t.packId(), t.capMinor());
      AutoTopUp want = m.topUpSetting;
      check(Objects.equals(stored, want), () -> "after commit " + c.version() + " (key " + key + ") " + id
          + " has the top-up " + stored + " but the acknowledged calls set " + want);
      if (key != null && key.startsWith(IdempotencyKey.reserved("pay", TOP_UP_PREFIX).value())) {
        String reference = key.substring(IdempotencyKey.reserved("pay", "").value().length());
        TopUpOrder paid = m.topUps.get(reference);
        check(paid != null, () -> "top-up payment " + reference + " of " + id + " granted without its order committed");
        paid.paid = true;
        m.topUpsPending.remove(reference);
      }
      if (plan == null) {
        continue;
      }
      for (PlanRecord.Order o : plan.orders()) {
        if (!o.reference().startsWith(TOP_UP_PREFIX) || m.topUps.containsKey(o.reference())) {
          continue;
        }
        topUpsBought.incrementAndGet();
        check(o.reference().startsWith(TOP_UP_PREFIX + id.value() + ":"), () -> "top-up order " + o + " of " + id
            + " under a reference that does not name its account");
        check(want != null && want.packId().equals(o.packId()), () -> "top-up " + o + " of " + id + " ordered at commit "
            + c.version() + " while the setting in force was " + want);
        Pack pack = packs.require(o.packId());
        check(o.priceMinor() == pack.priceMinor() && pack.availableTo(plan.tier()), () -> "top-up " + o + " of " + id
            + " does not match pack " + pack + " or is not sold to tier " + plan.tier());
        Instant month = monthStart(o.orderedAt());
        long before = m.topUpsOrderedByMonth.getOrDefault(month, 0L);
        check(before + o.priceMinor() <= want.monthlyCapMinor(), () -> "top-up " + o + " of " + id + " ordered "
            + (before + o.priceMinor()) + " in the month of " + month + ", past the cap of " + want.monthlyCapMinor());
        m.topUpsOrderedByMonth.put(month, before + o.priceMinor());
        // An order that lapsed unpaid waits no more.
        m.topUpsPending.removeIf(r -> !m.topUps.get(r).order.orderedAt().plus(PlanService.PACK_ORDER_LIFETIME)
            .isAfter(o.orderedAt()));
        check(m.topUpsPending.isEmpty(), () -> "top-up " + o + " of " + id + " ordered while " + m.topUpsPending
            + " still waited for its payment");
        m.topUpsPending.add(o.reference());
        m.topUps.put(o.reference(), new TopUpOrder(o, month, want.monthlyCapMinor()));
      }
      Instant skipped = t == null ? null : t.skippedAt();
      if (skipped != null && !skipped.equals(m.topUpSkippedAt)) {
        m.topUpSkippedAt = skipped;
        topUpsSkipped.incrementAndGet();
        Instant month = monthStart(skipped);
        long bought = m.topUpsOrderedByMonth.getOrDefault(month, 0L);
        check(want != null && bought + packs.require(want.packId()).priceMinor() > want.monthlyCapMinor(),
            () -> "a fall below the threshold of " + id + " bought nothing at " + skipped + " though the month had"
                + " bought " + bought + " under the setting " + want);
      }
    }
    // What the gateway was asked to charge: committed orders only, at their price, within each month's cap.
    Map<Instant, Long> charged = new HashMap<>();
    Set<String> asked = new java.util.HashSet<>();
    List<RecordingBillingGateway.PackCharge> charges = topUpCharges(id);
    Map<String, RecordingBillingGateway.PackCharge> byReference = new HashMap<>();
    charges.forEach(c -> byReference.put(c.reference(), c));
    for (Map.Entry<String, TopUpOrder> e : m.topUps.entrySet()) {
      RecordingBillingGateway.PackCharge c = byReference.get(e.getKey());
      TopUpOrder o = e.getValue();
      if (c != null) {
        asked.add(c.reference());
        check(c.packId().equals(o.order.packId()) && c.priceMinor() == o.order.priceMinor(), () -> "top-up charge "
            + c + " of " + id + " differs from its order " + o.order);
        long sum = charged.merge(o.month, c.priceMinor(), Long::sum);
        check(sum <= o.capMinor, () -> "the gateway was asked to charge " + sum + " for top-ups of " + id
            + " ordered in the month of " + o.month + ", past the cap of " + o.capMinor + " in force at " + o.order);
      } else if (finished) {
        check(o.paid || !o.order.orderedAt().plus(PlanService.PACK_ORDER_LIFETIME).isAfter(clock.instant()),
            () -> "top-up " + o.order + " of " + id + " is still open at the end but the gateway was never asked");
      }
    }
    for (RecordingBillingGateway.PackCharge c : charges) {
      check(asked.contains(c.reference()), () -> "the gateway was asked to charge top-up " + c + " of " + id
          + ", which no commit ordered");
    }
  }

  /** Set by {@link #finish()}: every charge request has had its chance to be accepted. */
  private volatile boolean finished;

  private void check(boolean ok, Supplier<String> message) {
    checks.incrementAndGet();
    if (!ok) {
      throw new Violation(message.get());
    }
  }

  private static final class KeyAgg {
    long first = Long.MAX_VALUE;
    long last;
    long count;
    @Nullable Instant at;
    boolean oneInstant = true;
    final Map<EntryType, Long> sums = new EnumMap<>(EntryType.class);
  }

  private void checkAccount(AccountModel m) {
    AccountId id = m.id;
    AccountSnapshot snapshot = raw.load(id, HoldSelection.allActive()).orElse(null);
    check(snapshot != null, () -> "account " + id + " vanished");
    AccountRecord rec = snapshot.account();

    // Conservation on the stored state: every credit granted is available, held, settled, expired or debited.
    long remaining = 0;
    long reserved = 0;
    for (Lot lot : snapshot.lots()) {
      remaining += lot.remaining();
      reserved += lot.reserved();
      check(lot.remaining() >= 0 && lot.reserved() >= 0 && lot.remaining() + lot.reserved() <= lot.granted(),
          () -> "lot out of range on " + id + ": " + lot);
    }
    long lots = remaining + reserved;
    // Debt was spent without being granted: it stands beside the grants.
    check(rec.granted() + rec.debt() == lots + rec.settled() + rec.expired() + rec.debited(),
        () -> "conservation broken on " + id + ": granted " + rec.granted() + " + debt " + rec.debt() + " != live lots "
            + lots + " + settled " + rec.settled() + " + expired " + rec.expired() + " + debited " + rec.debited());
    check(rec.debt() >= 0 && rec.debt() <= MAX_DEBT, () -> "account " + id + " owes " + rec.debt()
        + ", past the floor of " + MAX_DEBT);
    long activeHeld = snapshot.holds().stream().mapToLong(Hold::amount).sum();
    check(rec.activeHolds() == snapshot.holds().size(),
        () -> "the row counts " + rec.activeHolds() + " active holds but " + snapshot.holds().size() + " are active on " + id);
    long reservedTotal = reserved;
    check(reservedTotal == activeHeld,
        () -> "credits reserved in lots (" + reservedTotal + ") differ from the active holds (" + activeHeld + ") on " + id);

    // Ledger: gapless, replays to the stored state without a lot ever going negative.
    Map<LotId, long[]> replay = new HashMap<>();
    long[] totals = new long[4];
    long[] debt = new long[1];
    Map<String, KeyAgg> byKey = new HashMap<>();
    Map<String, Integer> packGrants = new HashMap<>();
    Map<String, Integer> refills = new HashMap<>();
    Map<String, String> refilledBy = new HashMap<>();
    Set<String> refillEvents = new java.util.HashSet<>();
    List<LedgerEntry> packsGranted = new ArrayList<>();
    // Lots voided so far in the replay, and each lot's last expiry change (a void ends it).
    Set<LotId> voidedInLedger = new java.util.HashSet<>();
    Map<LotId, String> changedExpiry = new HashMap<>();
    long expectedSeq = 1;
    long after = 0;
    while (true) {
      List<LedgerEntry> page = raw.readLedger(id, LedgerQuery.after(after, LEDGER_PAGE));
      for (LedgerEntry e : page) {
        long seq = expectedSeq;
        check(e.sequence() == seq, () -> "ledger of " + id + " has sequence " + e.sequence() + " where " + seq
            + " was due");
        expectedSeq++;
        long[] lot = replay.computeIfAbsent(e.lot(), k -> new long[2]);
        switch (e.type()) {
          case GRANT -> {
            lot[0] += e.amount();
            totals[0] += e.amount();
            if (e.source() == LotSource.PACK) {
              String reference = e.metadata().getOrDefault("paymentReference", "?");
              packGrants.merge(reference, 1, Integer::sum);
              packsGranted.add(e);
              check("true".equals(e.metadata().get("autoTopUp")) == reference.startsWith(TOP_UP_PREFIX),
                  () -> "pack grant " + e + " of " + id + " is marked as an automatic top-up or not, against its"
                      + " reference");
            }
            if (e.source() == LotSource.MONTHLY_ALLOWANCE && !e.metadata().containsKey("rollover")) {
              String cycle = e.metadata().getOrDefault("subscription", "?") + ":" + e.metadata().getOrDefault("cycle", "?");
              refills.merge(cycle, 1, Integer::sum);
              refilledBy.put(cycle, e.metadata().getOrDefault("by", "?"));
              if (e.metadata().containsKey("event")) {
                refillEvents.add(e.metadata().get("event"));
              }
            }
          }
          case HOLD -> {
            lot[0] -= e.amount();
            lot[1] += e.amount();
            check(!voidedInLedger.contains(e.lot()), () -> "hold entry " + e + " of " + id + " draws on lot "
                + e.lot() + " after it was voided");
            ModelLot known = m.lotsById.get(e.lot());
            check(known == null || !e.at().isBefore(known.startsAt), () -> "hold entry " + e + " of " + id
                + " draws on " + known + " before its start");
          }
          case SETTLE -> {
            lot[1] -= e.amount();
            totals[1] += e.amount();
          }
          case RELEASE, HOLD_EXPIRED -> {
            lot[1] -= e.amount();
            lot[0] += e.amount();
          }
          case LOT_EXPIRED -> {
            lot[0] -= e.amount();
            totals[2] += e.amount();
          }
          case DEBIT -> {
            lot[0] -= e.amount();
            totals[3] += e.amount();
            if ("true".equals(e.metadata().get("void"))) {
              check(voidedInLedger.add(e.lot()), () -> "lot " + e.lot() + " of " + id + " voided twice: " + e);
              changedExpiry.remove(e.lot());
            }
          }
          case EXPIRY_CHANGED -> {
            // No credits move; the entry names the lot's new expiry.
            check(!voidedInLedger.contains(e.lot()), () -> "expiry of lot " + e.lot() + " of " + id
                + " changed after it was voided: " + e);
            changedExpiry.put(e.lot(), e.metadata().getOrDefault("newExpiry", "?"));
          }
          case OVERAGE -> {
            lot[0] -= e.amount();
            totals[1] += e.amount();
            check(e.hold() != null, () -> "overage entry " + e + " of " + id + " names no hold");
          }
          case DEBT_INCURRED -> {
            totals[1] += e.amount();
            debt[0] += e.amount();
            check(debt[0] <= MAX_DEBT, () -> "the debt of " + id + " passes the floor, " + debt[0] + " > " + MAX_DEBT
                + ", at sequence " + e.sequence());
          }
          case DEBT_REPAID -> {
            lot[0] -= e.amount();
            debt[0] -= e.amount();
            check(debt[0] >= 0, () -> "the ledger of " + id + " repays more than was owed at sequence " + e.sequence());
          }
        }
        check(lot[0] >= 0 && lot[1] >= 0, () -> "replaying the ledger of " + id + " drives lot " + e.lot()
            + " negative at sequence " + e.sequence() + " (" + e.type() + " " + e.amount() + ")");
        if (e.key() != null) {
          KeyAgg agg = byKey.computeIfAbsent(e.key().value(), k -> new KeyAgg());
          agg.first = Math.min(agg.first, e.sequence());
          agg.last = Math.max(agg.last, e.sequence());
          agg.count++;
          if (agg.at == null) {
            agg.at = e.at();
          } else if (!agg.at.equals(e.at())) {
            agg.oneInstant = false;
          }
          if (e.type() != EntryType.DEBT_REPAID) {
            // What a call's credits pay of a debt depends on the debt its commit found: not modelled.
            agg.sums.merge(e.type(), e.amount(), Long::sum);
          }
        }
      }
      if (page.size() < LEDGER_PAGE) {
        break;
      }
      after = page.get(page.size() - 1).sequence();
    }
    long lastSeq = expectedSeq - 1;
    check(lastSeq == rec.lastSequence(), () -> "ledger of " + id + " ends at " + lastSeq + " but the account says "
        + rec.lastSequence());
    check(totals[0] == rec.granted() && totals[1] == rec.settled() && totals[2] == rec.expired()
        && totals[3] == rec.debited() && debt[0] == rec.debt(), () -> "ledger totals of " + id + " (granted "
        + totals[0] + ", settled " + totals[1] + ", expired " + totals[2] + ", debited " + totals[3] + ", debt "
        + debt[0] + ") differ from the account row " + rec);
    Map<LotId, Lot> live = new HashMap<>();
    for (Lot lot : snapshot.lots()) {
      live.put(lot.id(), lot);
    }
    for (Map.Entry<LotId, long[]> e : replay.entrySet()) {
      long[] r = e.getValue();
      Lot stored = live.get(e.getKey());
      if (r[0] > 0 || r[1] > 0) {
        check(stored != null && stored.remaining() == r[0] && stored.reserved() == r[1],
            () -> "lot " + e.getKey() + " of " + id + " replays to remaining " + r[0] + ", reserved " + r[1]
                + " but is stored as " + stored);
      } else {
        check(stored == null, () -> "lot " + e.getKey() + " of " + id + " is empty in the ledger but stored live: "
            + stored);
      }
    }
    for (Map.Entry<LotId, String> e : changedExpiry.entrySet()) {
      Lot stored = live.get(e.getKey());
      String want = e.getValue();
      check(stored == null || want.equals(stored.expiresAt() == null ? "never" : stored.expiresAt().toString()),
          () -> "lot " + e.getKey() + " of " + id + " is stored expiring " + stored.expiresAt()
              + " but its last expiry change said " + want);
    }
    check(live.keySet().stream().allMatch(replay::containsKey),
        () -> "live lots of " + id + " missing from the ledger: " + live.keySet());
    Reconciliation rc = audit.reconcile(id);
    check(rc.consistent(), () -> "reconciliation of " + id + " found differences: " + rc.differences());

    checkBilling(m, refills, refilledBy, packsGranted);
    for (String event : paymentsApplied.getOrDefault(id, Set.of())) {
      check(refillEvents.contains(event), () -> "cycle payment " + event + " of " + id
          + " was acknowledged as applied but refilled nothing");
    }

    // Idempotency: each key took effect in one commit, and exactly as its acknowledged result says.
    for (Map.Entry<String, KeyAgg> e : byKey.entrySet()) {
      KeyAgg agg = e.getValue();
      KeyState ks = m.keys.get(e.getKey());
      check(ks != null, () -> "ledger of " + id + " has entries of key " + e.getKey() + " that no call used");
      check(ks.status == Status.ACKED, () -> "ledger of " + id + " has entries of key " + e.getKey() + " whose call "
          + ks.description + " was " + ks.status);
      check(agg.last - agg.first + 1 == agg.count && agg.oneInstant, () -> "key " + e.getKey() + " of " + id
          + " took effect more than once: its entries span sequences " + agg.first + ".." + agg.last + " ("
          + agg.count + " entries)");
    }
    for (KeyState ks : m.keys.values()) {
      if (ks.status == Status.ACKED) {
        check(raw.findIdempotencyRecord(id, IdempotencyKey.of(ks.key)).isPresent(),
            () -> "acknowledged call " + ks.description + " has no idempotency record on " + id);
        Map<EntryType, Long> expected = ks.expected;
        if (expected != null) {
          KeyAgg agg = byKey.get(ks.key);
          Map<EntryType, Long> actual = agg == null ? Map.of() : agg.sums;
          check(expected.equals(actual), () -> "acknowledged call " + ks.description + " should have moved "
              + expected + " but its ledger entries moved " + actual);
        }
      } else if (ks.status == Status.REJECTED) {
        check(raw.findIdempotencyRecord(id, IdempotencyKey.of(ks.key)).isEmpty(),
            () -> "refused call " + ks.description + " left an idempotency record on " + id);
        check(!byKey.containsKey(ks.key), () -> "refused call " + ks.description + " left ledger entries on " + id);
      } else {
        check(false, () -> "call " + ks.description + " is still " + ks.status + " at a checkpoint");
      }
    }
    for (Map.Entry<String, Integer> e : packGrants.entrySet()) {
      check(e.getValue() == 1, () -> (e.getKey().startsWith(TOP_UP_PREFIX) ? "top-up" : "pack") + " payment "
          + e.getKey() + " granted " + e.getValue() + " times on " + id);
    }

    // The model: what was acknowledged is what the store shows.
    check(rec.settled() == m.settled, () -> "account " + id + " settled " + rec.settled()
        + " but acknowledged settlements add up to " + m.settled);
    check(rec.debited() == m.debited, () -> "account " + id + " debited " + rec.debited()
        + " but acknowledged voids add up to " + m.debited);
    Instant now = clock.instant();
    // Lots: voided ones are never spendable again, and what is upcoming is exactly the model's
    // lots still to start.
    long upcomingModel = 0;
    Set<LotId> voidedModel = new java.util.HashSet<>();
    for (ModelLot lot : m.lots) {
      Lot stored = live.get(lot.id);
      if (lot.voidedBy != null) {
        voidedModel.add(lot.id);
        check(stored == null || stored.remaining() == 0 && stored.expiresAt() != null
            && !now.isBefore(stored.expiresAt()), () -> lot + " of " + id + " is spendable again: " + stored);
      } else if (now.isBefore(lot.startsAt)) {
        upcomingModel += lot.amount;
        check(stored != null && stored.remaining() == lot.amount && stored.reserved() == 0
            && stored.grantedAt().equals(lot.startsAt), () -> lot + " of " + id + " has not started but is stored as "
            + stored);
      }
    }
    check(voidedModel.equals(voidedInLedger), () -> "acknowledged voids of " + id + " name lots " + voidedModel
        + " but the ledger voided " + voidedInLedger);
    long heldModel = 0;
    int activeModel = 0;
    for (ModelHold h : m.holds) {
      HoldState want = h.state == HoldState.ACTIVE && now.isAfter(h.deadline) ? HoldState.EXPIRED : h.state;
      if (want == HoldState.ACTIVE) {
        heldModel += h.amount;
        activeModel++;
      }
      Hold stored = audit.findHold(id, h.id).orElse(null);
      check(stored != null && (h.settledAbove ? stored.amount() >= h.amount && stored.settled() == stored.amount()
          : stored.amount() == h.amount && (want != HoldState.SETTLED || stored.settled() == h.settled))
          && stored.state() == want, () -> "hold " + h.id + " of " + id
          + " should be " + want + (want == HoldState.SETTLED ? " (settled " + h.settled + ")" : "") + " of "
          + h.amount + " (placed by " + h.placedBy + ", ended by " + h.endedBy + ") but the store has " + stored);
      for (HoldState claim : h.claims) {
        check(claim == h.state, () -> "a call on hold " + h.id + " of " + id + " was refused as already " + claim
            + " but the acknowledged calls say " + h.state + " (ended by " + h.endedBy + ")");
      }
    }
    BalanceView view = audit.balance(id);
    long held = heldModel;
    int active = activeModel;
    check(view.available() >= -MAX_DEBT && view.debt() <= rec.debt(), () -> "available balance past the floor on "
        + id + ": " + view);
    check(view.debt() == 0 || view.available() == -view.debt(), () -> "account " + id + " owes " + view.debt()
        + " beside spendable credits: " + view);
    check(view.held() == held && view.activeHolds() == active, () -> "account " + id + " shows " + view.held()
        + " held in " + view.activeHolds() + " holds but the acknowledged holds are " + held + " in " + active);
    check(view.available() + view.held() <= rec.granted() - rec.settled(), () -> "account " + id
        + " shows more credits (available " + view.available() + " + held " + view.held()
        + ") than granted less settled (" + (rec.granted() - rec.settled()) + ")");

    // Conservation from the model, now: expire overdue holds and due lots by hand from the stored
    // state, and account for every credit with the model's settled total.
    Map<LotId, Long> back = new HashMap<>();
    long heldNow = 0;
    for (Hold h : snapshot.holds()) {
      if (now.isAfter(h.deadline())) {
        for (Allocation a : h.allocations()) {
          back.merge(a.lot(), a.amount(), Long::sum);
        }
      } else {
        heldNow += h.amount();
      }
    }
    long availableNow = 0;
    long upcomingNow = 0;
    long expiredNow = rec.expired();
    for (Lot lot : snapshot.lots()) {
      long free = lot.remaining() + back.getOrDefault(lot.id(), 0L);
      if (now.isBefore(lot.grantedAt())) {
        check(lot.reserved() == 0 && free == lot.granted(), () -> "lot " + lot + " of " + id
            + " was drawn on before its start (now " + now + ")");
        upcomingNow += free;
      } else if (lot.expiresAt() != null && !now.isBefore(lot.expiresAt())) {
        expiredNow += free;
      } else {
        availableNow += free;
      }
    }
    long avail = availableNow;
    long upcoming = upcomingNow;
    long upcomingByModel = upcomingModel;
    long heldAt = heldNow;
    long expiredAt = expiredNow;
    check(view.upcoming() == upcoming && upcoming == upcomingByModel, () -> "account " + id + " shows "
        + view.upcoming() + " upcoming; its stored lots not started hold " + upcoming
        + " and the acknowledged grants not started " + upcomingByModel);
    // What started or returned pays the debt first: the balance is what the lots hold less the debt.
    check(view.available() == avail - rec.debt() && heldAt == held, () -> "account " + id + " shows available "
        + view.available() + " and held " + view.held() + " but expiring its stored state by hand gives " + avail
        + " less a debt of " + rec.debt() + " and " + heldAt);
    check(rec.granted() + rec.debt() == avail + held + upcoming + m.settled + expiredAt + m.debited,
        () -> "conservation broken on " + id + " by the model: granted " + rec.granted() + " + debt " + rec.debt()
        + " != available " + avail + " + held " + held
        + " + upcoming " + upcoming + " + acknowledged settlements " + m.settled + " + expired " + expiredAt
        + " + acknowledged voids " + m.debited);
  }
}
