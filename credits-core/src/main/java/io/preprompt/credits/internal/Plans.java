package io.preprompt.credits.internal;

import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.ConcurrentUpdateException;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.StateException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.plans.AccountOverview;
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
import io.preprompt.credits.plans.SubscriptionStatus;
import io.preprompt.credits.plans.Tier;
import io.preprompt.credits.plans.TierCatalog;
import io.preprompt.credits.plans.TopUpStatus;
import io.preprompt.credits.plans.UpgradePolicy;
import io.preprompt.credits.spi.BillingGateway;
import io.preprompt.credits.spi.PlanRecord;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plan service over the engine: the implementation of {@link io.preprompt.credits.plans.PlanService}. Not
 * supported API: use the interface, from {@code Credits.plans()}.
 */
public final class Plans implements PlanService {
  private static final Logger LOG = LoggerFactory.getLogger(Plans.class);

  private final Engine engine;
  private final TierCatalog tiers;
  private final PackCatalog packs;
  private final PlansConfig config;
  private final BillingGateway gateway;


  public Plans(Engine engine, TierCatalog tiers, PackCatalog packs, PlansConfig config, BillingGateway gateway) {
    this.engine = engine;
    this.tiers = tiers;
    this.packs = packs;
    this.config = config;
    this.gateway = gateway;
    engine.useTierOverage((plan, at) -> tierAt(plan, at).overage().orElse(null));
    engine.changeHook(this::beforeCommit);
  }

  /**
   * Returns the tier catalog.
   *
   * @return the tiers
   */
  @Override
  public TierCatalog tiers() {
    return tiers;
  }

  /**
   * Returns the pack catalog.
   *
   * @return the packs
   */
  @Override
  public PackCatalog packs() {
    return packs;
  }

  private String free() {
    return tiers.free().id();
  }

  private PlanState state(AccountTx tx) {
    return PlanState.of(tx.plan(), free()).effective(tx.now(), free());
  }

  private void save(AccountTx tx, PlanState s) {
    tx.setPlan(s.toRecord(), s.dueAt(config.zone()));
  }

  private static void require(@Nullable Object value, String what) {
    if (value == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, what + " must not be null");
    }
  }

  // ---------------------------------------------------------------- signup

  /**
   * Grants the signup credits for a verified email, once per account ever. A second verification
   * changes nothing and says so.
   *
   * @param account the account (must exist)
   * @param key idempotency key
   * @return whether credits were granted
   */
  @Override
  public SignupResult verifyEmail(AccountId account, IdempotencyKey key) {
    require(account, "account");
    require(key, "key");
    return engine.execute(account, key, Operation.of("verify-email", "", tx -> {
      PlanState s = state(tx);
      if (s.signupGranted()) {
        return new SignupResult(false, 0, "signup credits were already granted to this account");
      }
      if (config.signupGrant() > 0) {
        tx.grant(LotSource.SIGNUP_GRANT, config.signupGrant(), null, key, Map.of("reason", "email verified"));
      }
      save(tx, s.withSignupGranted());
      return new SignupResult(true, config.signupGrant(), "granted");
    }, r -> FieldCodec.fields().add("granted", r.granted()).add("credits", r.credits()).add("detail", r.detail()).encode(),
        e -> {
          Map<String, String> f = FieldCodec.decode(e);
          return new SignupResult(Boolean.parseBoolean(f.get("granted")), Long.parseLong(f.get("credits")), f.get("detail"));
        }));
  }

  // ---------------------------------------------------------------- subscriptions

  /**
   * Subscribes the account to a paid tier, anchored now: cycles are calendar months from now. The
   * request to charge the first cycle is recorded with the subscription and sent to the gateway
   * right after it commits (a request the gateway refuses or that is lost is sent again by
   * {@link #renewDue()}, under the same reference). The first cycle's allowance is granted when the
   * billing system confirms it was paid ({@link BillingEvent.CyclePaid} for cycle 0), or by
   * {@link #renewDue()}.
   *
   * @param account the account
   * @param tierId a paid tier
   * @param key idempotency key
   * @return the new subscription's first cycle as a plan change from the current tier
   * @throws InvalidRequestException with {@link ErrorCode#UNKNOWN_TIER} for an unknown tier, or
   *     {@link ErrorCode#INVALID_ARGUMENT} for the free tier
   * @throws StateException with {@link ErrorCode#ALREADY_SUBSCRIBED} when a subscription is active
   */
  @Override
  public PlanChange subscribe(AccountId account, String tierId, IdempotencyKey key) {
    require(account, "account");
    require(key, "key");
    require(tierId, "tier");
    // The tier is checked inside the call, after the key: a call acknowledged before its tier left the
    // catalog still replays its first result.
    PlanChange change = engine.execute(account, key, Operation.of("subscribe", FieldCodec.fields().add("tier", tierId).encode(), tx -> {
      Tier tier = tiers.require(tierId);
      if (!tier.paid()) {
        throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "the free tier is not a subscription");
      }
      PlanState s = state(tx);
      if (s.subscribed()) {
        throw new StateException(ErrorCode.ALREADY_SUBSCRIBED,
            "account " + account + " already subscribes to " + s.tier() + "; use changePlan");
      }
      Instant anchor = tx.now();
      long number = s.subscription() + 1;
      PlanState.ChargeIntent first = new PlanState.ChargeIntent(number, 0, tierId, anchor,
          PlanState.cycleStart(anchor, 1, config.zone()), chargeReference(account, number, 0), 0, false, anchor);
      save(tx, s.subscribed(tierId, anchor, first));
      return new PlanChange(s.tier(), tierId, anchor, true, 0, null);
    }, Plans::encodeChange, Plans::decodeChange));
    sendChargesQuietly(account);
    return change;
  }

  /**
   * The reference of a subscription charge: unique per account, subscription and cycle, the same
   * every time the request is sent. The account comes first after the prefix and the two numbers
   * last, so the reference reads back unambiguously even when the account id holds colons.
   */
  static String chargeReference(AccountId account, long subscription, long cycle) {
    return "sub:" + account.value() + ":" + subscription + ":" + cycle;
  }

  /** The reference of the account's {@code n}th pack order, plan change or cancellation. */
  private static String requestReference(String kind, AccountId account, long n) {
    return kind + ":" + account.value() + ":" + n;
  }

  /**
   * Applies a confirmation from the billing system. Idempotent by event id (and, for packs, by
   * payment reference); duplicated, stale and reordered events never grant twice. The library keys
   * these changes in its own namespace ({@link IdempotencyKey#isReserved()}), so no caller key can
   * take them first.
   *
   * @param event the confirmation
   * @return what it did
   * @throws InvalidRequestException for malformed ids, with {@link ErrorCode#UNKNOWN_PACK} for an
   *     unknown pack, with {@link ErrorCode#PAYMENT_MISMATCH} for a payment that does not match
   *     an open order of the account it names (reference, pack, amount, currency): nothing is granted;
   *     with {@link ErrorCode#BILLING_PERIOD_MISMATCH} for a period that is not one of the
   *     subscription's cycles, {@link ErrorCode#UNKNOWN_TIER} for a period or plan change naming a tier
   *     the catalog lacks, {@link ErrorCode#UNKNOWN_PAYMENT} for a refund of a payment that granted
   *     the account nothing, or {@link ErrorCode#PAYMENT_MISMATCH} for a refund that would bring the
   *     payment's refunds above what was paid (nothing is taken back)
   * @throws StateException with {@link ErrorCode#CYCLE_NOT_STARTED} for a cycle payment that came
   *     before its cycle started, or {@link ErrorCode#BILLING_PERIOD_NOT_STARTED} for a period paid
   *     before it started (send it again once it has; nothing changed); with
   *     {@link ErrorCode#SUBSCRIPTION_REQUIRED} for a {@link BillingEvent.PlanChanged} on an account
   *     without an active subscription
   */
  @Override
  public BillingOutcome handle(BillingEvent event) {
    require(event, "event");
    IdempotencyKey key = IdempotencyKey.reserved("evt", event.eventId());
    if (event instanceof BillingEvent.PackPaid) {
      BillingEvent.PackPaid paid = (BillingEvent.PackPaid) event;
      Pack pack = packs.require(paid.packId());
      IdempotencyKey byReference = IdempotencyKey.reserved("pay", paid.paymentReference());
      return engine.executeOwn(event.account(), byReference, Operation.of("pack-paid", FieldCodec.fields().add("pack", pack.id())
          .add("amount", paid.amountMinor()).add("currency", paid.currency()).encode(), tx -> {
            PlanState s = state(tx);
            PlanState.OpenOrder order = matchingOrder(s, paid, pack, tx.now());
            List<PlanState.OpenOrder> open = new ArrayList<>(s.orders());
            open.remove(order);
            Map<String, String> meta = new java.util.TreeMap<>(Map.of("pack", pack.id(), "paymentReference",
                paid.paymentReference(), "event", paid.eventId(), "orderedAt", order.orderedAt().toString()));
            if (s.topUp() != null && paid.paymentReference().equals(s.topUp().reference())) {
              meta.put("autoTopUp", "true");
            }
            tx.grant(LotSource.PACK, pack.credits(), null, byReference, meta);
            save(tx, s.withOrders(open));
            return new BillingOutcome(BillingOutcome.Effect.APPLIED, pack.credits(), "pack " + pack.id() + " granted");
          }, Plans::encodeOutcome, e -> duplicate("payment " + paid.paymentReference() + " was already granted")));
    }
    if (event instanceof BillingEvent.CyclePaid) {
      long cycle = ((BillingEvent.CyclePaid) event).cycle();
      checkCycle(cycle);
      return engine.executeOwn(event.account(), key, Operation.of("cycle-paid", FieldCodec.fields().add("cycle", cycle).encode(),
          tx -> cyclePaid(tx, cycle, key, Map.of("by", "payment", "event", event.eventId())), Plans::encodeOutcome,
          e -> duplicate("event already handled")));
    }
    if (event instanceof BillingEvent.PaymentFailed) {
      long cycle = ((BillingEvent.PaymentFailed) event).cycle();
      checkCycle(cycle);
      return engine.executeOwn(event.account(), key, Operation.of("payment-failed", FieldCodec.fields().add("cycle", cycle).encode(),
          tx -> paymentFailed(tx, state(tx), cycle), Plans::encodeOutcome, e -> duplicate("event already handled")));
    }
    if (event instanceof BillingEvent.PeriodPaid) {
      BillingEvent.PeriodPaid paid = (BillingEvent.PeriodPaid) event;
      Instants.requireKeepable("period start", paid.periodStart());
      Instants.requireKeepable("period end", paid.periodEnd());
      return engine.executeOwn(event.account(), key, Operation.of("period-paid", FieldCodec.fields().add("tier", paid.tierId())
          .add("start", paid.periodStart()).add("end", paid.periodEnd()).add("ref", paid.paymentReference())
          .add("amount", paid.amountMinor()).add("currency", paid.currency()).encode(),
          tx -> periodPaid(tx, paid, key), Plans::encodeOutcome, e -> duplicate("event already handled")));
    }
    if (event instanceof BillingEvent.PeriodPaymentFailed) {
      BillingEvent.PeriodPaymentFailed failed = (BillingEvent.PeriodPaymentFailed) event;
      Instants.requireKeepable("period start", failed.periodStart());
      Instants.requireKeepable("period end", failed.periodEnd());
      return engine.executeOwn(event.account(), key, Operation.of("period-payment-failed", FieldCodec.fields()
          .add("start", failed.periodStart()).add("end", failed.periodEnd()).encode(), tx -> {
            PlanState s = state(tx);
            if (!s.subscribed() || s.anchor() == null) {
              return ignored(tx, s, "no active subscription");
            }
            long cycle = cycleOf(s, Instants.micros(failed.periodStart()), Instants.micros(failed.periodEnd()));
            return paymentFailed(tx, s, cycle);
          }, Plans::encodeOutcome, e -> duplicate("event already handled")));
    }
    if (event instanceof BillingEvent.PlanChanged) {
      BillingEvent.PlanChanged changed = (BillingEvent.PlanChanged) event;
      Instants.requireKeepable("effective time", changed.effectiveAt());
      return engine.executeOwn(event.account(), key, Operation.of("plan-changed", FieldCodec.fields()
          .add("tier", changed.toTier()).add("effectiveAt", changed.effectiveAt()).encode(),
          tx -> planChanged(tx, changed, key), Plans::encodeOutcome, e -> duplicate("event already handled")));
    }
    if (event instanceof BillingEvent.Refunded) {
      BillingEvent.Refunded refund = (BillingEvent.Refunded) event;
      return engine.executeOwn(event.account(), key, Operation.of("refunded", FieldCodec.fields()
          .add("ref", refund.paymentReference()).add("amount", refund.amountMinor()).add("paid", refund.paidMinor())
          .encode(), tx -> refunded(tx, refund, key), Plans::encodeOutcome, e -> duplicate("event already handled")));
    }
    BillingEvent.SubscriptionCancelled cancelled = (BillingEvent.SubscriptionCancelled) event;
    Instants.requireKeepable("effective time", cancelled.effectiveAt());
    return engine.executeOwn(event.account(), key, Operation.of("subscription-cancelled",
        FieldCodec.fields().add("effectiveAt", cancelled.effectiveAt()).encode(), tx -> {
          PlanState s = state(tx);
          if (!s.subscribed()) {
            return ignored(tx, s, "no active subscription");
          }
          Instant effective = Instants.micros(cancelled.effectiveAt());
          Instant at = s.cancelAt() == null || effective.isBefore(s.cancelAt()) ? effective : s.cancelAt();
          save(tx, s.withCancelAt(at).effective(tx.now(), free()));
          return new BillingOutcome(BillingOutcome.Effect.APPLIED, 0, "cancelled effective " + at);
        }, Plans::encodeOutcome, e -> duplicate("event already handled")));
  }

  /**
   * Finds the open order a payment pays for: the account's own order with this reference, for this
   * pack, at this price. A payment is never taken at its word: a made-up reference, another
   * account's reference, another pack or another amount grants nothing.
   */
  private static PlanState.OpenOrder matchingOrder(PlanState s, BillingEvent.PackPaid paid, Pack pack, Instant now) {
    PlanState.OpenOrder order = null;
    for (PlanState.OpenOrder o : s.orders()) {
      if (o.reference().equals(paid.paymentReference())) {
        order = o;
      }
    }
    if (order == null) {
      throw new InvalidRequestException(ErrorCode.PAYMENT_MISMATCH, "payment " + paid.paymentReference()
          + " matches no open pack order of account " + paid.account());
    }
    if (!order.orderedAt().plus(PACK_ORDER_LIFETIME).isAfter(now)) {
      throw new InvalidRequestException(ErrorCode.PAYMENT_MISMATCH, "payment " + paid.paymentReference()
          + " is for an order placed " + order.orderedAt() + " that lapsed after " + PACK_ORDER_LIFETIME);
    }
    if (!order.packId().equals(pack.id())) {
      throw new InvalidRequestException(ErrorCode.PAYMENT_MISMATCH, "payment " + paid.paymentReference() + " is for pack "
          + pack.id() + " but the order was for " + order.packId());
    }
    if (order.priceMinor() != paid.amountMinor() || !order.currency().equalsIgnoreCase(paid.currency())) {
      throw new InvalidRequestException(ErrorCode.PAYMENT_MISMATCH, "payment " + paid.paymentReference() + " paid "
          + paid.amountMinor() + " " + paid.currency() + " but the order was for " + order.priceMinor() + " "
          + order.currency());
    }
    return order;
  }

  private static void checkCycle(long cycle) {
    if (cycle < 0 || cycle > 12_000) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "cycle must be 0..12000, was " + cycle);
    }
  }

  private static BillingOutcome duplicate(String detail) {
    return new BillingOutcome(BillingOutcome.Effect.DUPLICATE, 0, detail);
  }

  private BillingOutcome ignored(AccountTx tx, PlanState s, String detail) {
    saveIfChanged(tx, s);
    return new BillingOutcome(BillingOutcome.Effect.IGNORED, 0, detail);
  }

  private void saveIfChanged(AccountTx tx, PlanState s) {
    if (!s.toRecord().equals(tx.plan())) {
      save(tx, s);
    }
  }

  private BillingOutcome cyclePaid(AccountTx tx, long cycle, IdempotencyKey key, Map<String, String> trigger) {
    PlanState s = state(tx);
    if (!s.subscribed() || s.anchor() == null) {
      return ignored(tx, s, "no active subscription");
    }
    Instant start = s.cycleStart(cycle, config.zone());
    if (start.isAfter(tx.now())) {
      throw new StateException(ErrorCode.CYCLE_NOT_STARTED, "cycle " + cycle + " of account " + tx.account()
          + " starts at " + start + ": a payment for it is applied once it has started, never before");
    }
    // The billing system collected this cycle: a request to charge it that was not sent yet never is.
    s = withoutUnsentCharge(s, s.subscription(), cycle);
    if (cycle <= s.paidCycle()) {
      return ignored(tx, s, "cycle " + cycle + " was already refilled");
    }
    if (s.cancelAt() != null && !start.isBefore(s.cancelAt())) {
      return ignored(tx, s, "cycle " + cycle + " starts after the cancellation");
    }
    Refill refill = refill(tx, s, cycle, key, trigger);
    save(tx, refill.state());
    return new BillingOutcome(BillingOutcome.Effect.APPLIED, refill.granted(), "cycle " + cycle + " refilled");
  }

  private static PlanState withoutUnsentCharge(PlanState s, long subscription, long cycle) {
    List<PlanState.ChargeIntent> kept = new ArrayList<>(s.charges().size());
    for (PlanState.ChargeIntent c : s.charges()) {
      if (c.claimed() || c.subscription() != subscription || c.cycle() != cycle) {
        kept.add(c);
      }
    }
    return kept.size() == s.charges().size() ? s : s.withCharges(kept);
  }

  private BillingOutcome paymentFailed(AccountTx tx, PlanState s, long cycle) {
    if (!s.subscribed() || cycle <= s.paidCycle()) {
      return ignored(tx, s, "cycle " + cycle + " is not awaiting payment");
    }
    save(tx, s.with(s.tier(), SubscriptionStatus.PAST_DUE));
    return new BillingOutcome(BillingOutcome.Effect.APPLIED, 0, "subscription past due");
  }

  /**
   * Applies a paid period: a cycle of the subscription, refilled as a {@link BillingEvent.CyclePaid}
   * refills it, or, without a subscription, the first cycle of one the payment system started.
   */
  private BillingOutcome periodPaid(AccountTx tx, BillingEvent.PeriodPaid paid, IdempotencyKey key) {
    Instant start = Instants.micros(paid.periodStart());
    Instant end = Instants.micros(paid.periodEnd());
    if (start.isAfter(tx.now())) {
      throw new StateException(ErrorCode.BILLING_PERIOD_NOT_STARTED, "the period " + start + " to " + end
          + " paid for account " + tx.account() + " has not started: it is applied once it has, never before");
    }
    Tier tier = paidTier(paid.tierId());
    Map<String, String> trigger = Map.of("by", "payment", "event", paid.eventId(), "paymentReference",
        paid.paymentReference(), "amountMinor", Long.toString(paid.amountMinor()), "currency", paid.currency());
    PlanState s = state(tx);
    if (!s.subscribed() || s.anchor() == null) {
      if (s.cancelAt() != null && start.isBefore(s.cancelAt())) {
        return ignored(tx, s, "the period " + start + " belongs to a subscription cancelled at " + s.cancelAt());
      }
      if (!end.equals(PlanState.cycleStart(start, 1, config.zone()))) {
        throw new InvalidRequestException(ErrorCode.BILLING_PERIOD_MISMATCH, "the period " + start + " to " + end
            + " is not a calendar month: a subscription's cycles are");
      }
      // The payment system's own checkout subscribed the user: recorded as done, nothing to ask it.
      Refill refill = refill(tx, s.subscribed(tier.id(), start, s.subscription() + 1), 0, key, trigger);
      save(tx, refill.state());
      return new BillingOutcome(BillingOutcome.Effect.APPLIED, refill.granted(), "subscription to " + tier.id()
          + " started, cycle 0 refilled");
    }
    long cycle = cycleOf(s, start, end);
    if (cycle > s.paidCycle() && !tier.id().equals(s.tier()) && !tier.id().equals(s.pendingTier())) {
      throw new InvalidRequestException(ErrorCode.BILLING_PERIOD_MISMATCH, "the period was paid for tier " + tier.id()
          + " but account " + tx.account() + " subscribes to " + s.tier()
          + (s.pendingTier() == null ? "" : " (then " + s.pendingTier() + ")"));
    }
    return cyclePaid(tx, cycle, key, trigger);
  }

  /** The cycle of the subscription whose period this is, exactly. */
  private long cycleOf(PlanState s, Instant start, Instant end) {
    long cycle = s.cycleAt(start, config.zone());
    if (cycle < 0 || !s.cycleStart(cycle, config.zone()).equals(start)) {
      throw new InvalidRequestException(ErrorCode.BILLING_PERIOD_MISMATCH, "no cycle of the subscription (anchored "
          + s.anchor() + ") starts at " + start);
    }
    Instant cycleEnd = s.cycleStart(cycle + 1, config.zone());
    if (!cycleEnd.equals(end)) {
      throw new InvalidRequestException(ErrorCode.BILLING_PERIOD_MISMATCH, "cycle " + cycle + " starts at " + start
          + " and ends at " + cycleEnd + ", not at " + end);
    }
    return cycle;
  }

  /**
   * Takes back the refunded share of what a payment granted, as far as it is unspent. The grant is
   * found in the ledger by the payment reference its metadata names; only entries the account's
   * copy already has are looked at, so the lot is there to take from.
   */
  private BillingOutcome refunded(AccountTx tx, BillingEvent.Refunded refund, IdempotencyKey key) {
    PaymentRecord payment = payment(tx, refund.paymentReference());
    LedgerEntry grant = payment.grant();
    // Refunds of one payment never total more than it: a provider sends each refund's own amount, so
    // one that would pass what was paid is a mistake or a forgery, and nothing is taken back.
    if (refund.amountMinor() > refund.paidMinor() - payment.refundedMinor()) {
      throw new InvalidRequestException(ErrorCode.PAYMENT_MISMATCH, "refund " + refund.eventId() + " of "
          + refund.amountMinor() + " for payment " + refund.paymentReference() + " would bring its refunds to "
          + (payment.refundedMinor() + refund.amountMinor()) + ", more than the " + refund.paidMinor() + " paid");
    }
    long share = BigInteger.valueOf(grant.amount()).multiply(BigInteger.valueOf(refund.amountMinor()))
        .divide(BigInteger.valueOf(refund.paidMinor())).longValueExact();
    long taken = Math.min(share, tx.remainingIn(grant.lot()));
    long notTaken = share - taken;
    if (taken > 0) {
      tx.debitLot(grant.lot(), taken, key, Map.of("reason", "refund", "paymentReference", refund.paymentReference(),
          "event", refund.eventId(), "refundedMinor", Long.toString(refund.amountMinor()), "paidMinor",
          Long.toString(refund.paidMinor()), "notTaken", Long.toString(notTaken)));
    }
    return new BillingOutcome(BillingOutcome.Effect.APPLIED, taken, "refund of " + refund.amountMinor() + "/"
        + refund.paidMinor() + " of payment " + refund.paymentReference() + ": took back " + taken + " of " + share
        + " credits; " + notTaken + " already spent, expired or held");
  }

  /**
   * A payment as the ledger tells it: what it granted, and what earlier refunds of it took back.
   *
   * @param grant the grant the payment made
   * @param refundedMinor the amounts of the earlier refunds that took credits back, summed (a refund
   *     that found nothing left to take wrote no entry and is not counted)
   */
  private record PaymentRecord(LedgerEntry grant, long refundedMinor) {}

  private PaymentRecord payment(AccountTx tx, String paymentReference) {
    long last = tx.lastSequence();
    long after = 0;
    LedgerEntry grant = null;
    long refunded = 0;
    while (after < last) {
      long from = after;
      List<LedgerEntry> page = Engine.storeCall(() -> engine.store().readLedger(tx.account(), LedgerQuery.after(from, 1000)));
      for (LedgerEntry e : page) {
        if (e.sequence() > last || !paymentReference.equals(e.metadata().get("paymentReference"))) {
          continue;
        }
        if (grant == null && e.type() == EntryType.GRANT && !e.metadata().containsKey("rollover")) {
          grant = e;
        } else if (e.type() == EntryType.DEBIT && "refund".equals(e.metadata().get("reason"))) {
          refunded = Math.addExact(refunded, parseOr(e.metadata().get("refundedMinor"), 0));
        }
      }
      if (page.size() < 1000) {
        break;
      }
      after = page.get(page.size() - 1).sequence();
    }
    if (grant == null) {
      throw new InvalidRequestException(ErrorCode.UNKNOWN_PAYMENT, "payment " + paymentReference
          + " granted nothing to account " + tx.account());
    }
    return new PaymentRecord(grant, refunded);
  }

  private static long parseOr(@Nullable String value, long otherwise) {
    try {
      return value == null ? otherwise : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }

  /** A refill's new plan state and the allowance it granted. */
  private record Refill(PlanState state, long granted) {}

  /**
   * Refills the allowance for a cycle: a change scheduled by then applies, the previous allowance
   * expires except what the tier lets roll over, and the tier's allowance is granted. Returns the
   * state to save; the caller adds what it knows (a charge request, the payment's word).
   */
  private Refill refill(AccountTx tx, PlanState before, long cycle, @Nullable IdempotencyKey key,
      Map<String, String> trigger) {
    Instant start = before.cycleStart(cycle, config.zone());
    PlanState s = before;
    if (s.pendingTier() != null && s.pendingAt() != null && !s.pendingAt().isAfter(start)) {
      s = s.with(s.pendingTier(), s.status()).withPending(null, null);
    }
    Tier tier = tiers.require(s.tier());
    Map<String, String> meta = new java.util.TreeMap<>(trigger);
    meta.put("cycle", Long.toString(cycle));
    meta.put("tier", tier.id());
    meta.put("subscription", Long.toString(s.subscription()));
    List<AccountTx.MutableLot> allowance = new ArrayList<>();
    for (AccountTx.MutableLot lot : tx.lotsInDrawdownOrder()) {
      if ((lot.source() == LotSource.MONTHLY_ALLOWANCE || lot.source() == LotSource.PRORATION)
          && lot.expiresAt() == null && lot.startedAt(tx.now())) {
        allowance.add(lot);
      }
    }
    Collections.reverse(allowance);
    long keep = tier.rolloverCap();
    long rolled = 0;
    long regranted = 0;
    for (AccountTx.MutableLot lot : allowance) {
      long k = Math.min(keep, lot.remaining());
      if (lot.reserved() > 0) {
        // A lot that keeps credits stays unexpired, so what a live hold returns to it later would roll
        // over past the cap: expire it whole and grant what it may keep as a lot of its own.
        tx.expireLot(lot, 0, key, meta);
        regranted += k;
      } else {
        tx.expireLot(lot, k, key, meta);
      }
      keep -= k;
      rolled += k;
    }
    if (regranted > 0) {
      Map<String, String> rollover = new java.util.TreeMap<>(meta);
      rollover.put("rollover", "true");
      tx.grant(LotSource.MONTHLY_ALLOWANCE, regranted, null, key, rollover);
    }
    long startSequence = tx.lastSequence();
    if (tier.monthlyAllowance() > 0) {
      tx.grant(LotSource.MONTHLY_ALLOWANCE, tier.monthlyAllowance(), null, key, meta);
    }
    // Logged by the engine once the change commits (this runs again on a conflict retry).
    return new Refill(s.refilled(cycle, startSequence, tier.monthlyAllowance() + rolled), tier.monthlyAllowance());
  }



  /** The first wait after a refused charge request or a failed renewal; it doubles each time. */
  static final Duration FIRST_RETRY = Duration.ofMinutes(1);
  /** The longest wait before a refused charge request is asked again. */
  static final Duration LONGEST_CHARGE_RETRY = Duration.ofHours(6);
  /** The longest wait before a failed renewal is tried again. */
  static final Duration LONGEST_RENEWAL_RETRY = Duration.ofDays(1);

  private static Instant backoff(Instant now, int failures, Duration longest) {
    Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(Math.max(failures - 1, 0), 20));
    return now.plus(wait.compareTo(longest) > 0 ? longest : wait);
  }

  /**
   * Renews every subscription whose next cycle has started and sends the charge requests that are
   * waiting, for hosts without billing webhooks (and as the safety net of those with them); call it
   * on a schedule. Several instances may run it at once.
   *
   * <p>Order of a clock-driven cycle: the refill and the request to charge it commit together (the
   * <em>charge intent</em>), then one instance takes the request and asks the gateway. So a refill
   * and its charge never disagree: a cycle refilled by the clock always has its charge asked for,
   * and a cycle the billing system reported paid ({@link BillingEvent.CyclePaid}) is never asked
   * for. Per account and cycle the gateway sees one request, under one reference unique to the
   * account, subscription and cycle; it sees it again only when the request failed (retried with a
   * back-off from {@link #FIRST_RETRY one minute}, doubling up to six hours) or when the instance that
   * sent it could not record the answer within {@link #CHARGE_CLAIM_TIMEOUT}.
   *
   * <p>An account that fails (a tier retired from the catalog, a gateway that throws, a store error)
   * is logged and set aside with a back-off (one minute, doubling up to a day) so it never holds up
   * the others; every other due account in the batch is still handled.
   *
   * @return the number of accounts refilled
   */
  @Override
  public int renewDue() {
    Instant now = engine.clock().instant();
    int refilled = 0;
    List<AccountId> due = Engine.storeCall(() -> engine.store().findAccountsWithPlanDue(now, config.renewalBatchSize()));
    for (AccountId account : due) {
      try {
        if (renew(account)) {
          refilled++;
        }
      } catch (RuntimeException e) {
        deferRenewal(account, e);
      }
      sendChargesQuietly(account);
    }
    return refilled;
  }

  /** Refills the account's current cycle when it is due, recording the request to charge it. */
  private boolean renew(AccountId account) {
    return engine.execute(account, null, Operation.of("renew", "", tx -> {
      PlanState s = state(tx);
      if (s.renewalRetryAt() != null && tx.now().isBefore(s.renewalRetryAt())) {
        saveIfChanged(tx, s);
        return Boolean.FALSE;
      }
      if (s.status() != SubscriptionStatus.ACTIVE || s.anchor() == null) {
        saveIfChanged(tx, s);
        return Boolean.FALSE;
      }
      long current = s.cycleAt(tx.now(), config.zone());
      Instant start = s.cycleStart(current, config.zone());
      if (current <= s.paidCycle() || s.cancelAt() != null && !start.isBefore(s.cancelAt())) {
        saveIfChanged(tx, s);
        return Boolean.FALSE;
      }
      PlanState after = refill(tx, s, current, null, Map.of("by", "renewal")).state();
      // Cycle 0 was asked for when the subscription began; a cycle the billing system reported paid
      // was refilled by its payment, so the clock never refills it.
      if (current > 0) {
        after = after.withCharge(new PlanState.ChargeIntent(after.subscription(), current, after.tier(), start,
            after.cycleStart(current + 1, config.zone()), chargeReference(account, after.subscription(), current), 0,
            false, tx.now()));
      }
      save(tx, after);
      return Boolean.TRUE;
    }, String::valueOf, Boolean::valueOf));
  }

  private void deferRenewal(AccountId account, RuntimeException cause) {
    try {
      Instant retry = engine.execute(account, null, Operation.of("renewal-failed", "", tx -> {
        PlanState s = state(tx);
        Instant at = backoff(tx.now(), s.renewalFailures() + 1, LONGEST_RENEWAL_RETRY);
        save(tx, s.renewalFailed(at));
        return at;
      }, Instant::toString, Instant::parse));
      LOG.warn("renewal of account {} failed, set aside until {}: {}", account, retry, cause.toString());
    } catch (RuntimeException e) {
      LOG.warn("renewal of account {} failed ({}) and could not be set aside: {}", account, cause, e.toString());
    }
  }

  /** Sends the account's waiting charge requests; a failure is logged, the request stays recorded. */
  private void sendChargesQuietly(AccountId account) {
    try {
      sendCharges(account);
    } catch (RuntimeException e) {
      LOG.warn("charge requests of account {} could not be sent now: {}", account, e.toString());
    }
    try {
      sendDueTopUp(account);
    } catch (RuntimeException e) {
      LOG.warn("the top-up charge request of account {} could not be sent now: {}", account, e.toString());
    }
  }

  /**
   * Takes the account's charge requests that are due (one commit, so two instances never take the
   * same one), asks the gateway for each, and records the answer: an accepted request is done, a
   * refused one waits for its back-off.
   */
  private void sendCharges(AccountId account) {
    List<PlanState.ChargeIntent> taken = engine.execute(account, null, Operation.of("take-charges", "", tx -> {
      PlanState s = state(tx);
      List<PlanState.ChargeIntent> mine = new ArrayList<>();
      List<PlanState.ChargeIntent> all = new ArrayList<>(s.charges().size());
      for (PlanState.ChargeIntent c : s.charges()) {
        if (c.notBefore().isAfter(tx.now())) {
          all.add(c);
        } else {
          PlanState.ChargeIntent claimed = c.claim(tx.now().plus(CHARGE_CLAIM_TIMEOUT));
          mine.add(claimed);
          all.add(claimed);
        }
      }
      if (!mine.isEmpty()) {
        save(tx, s.withCharges(all));
      }
      return mine;
    }, r -> "", e -> List.of()));
    for (PlanState.ChargeIntent c : taken) {
      RuntimeException failure = null;
      try {
        gateway.chargeSubscription(account, c.tier(), c.cycle(), c.start(), c.end(), c.reference());
      } catch (RuntimeException e) {
        failure = e;
        LOG.warn("billing gateway refused charge {} of account {} (attempt {}): {}", c.reference(), account,
            c.attempts(), e.toString());
      }
      recordAnswer(account, c, failure == null);
    }
  }

  /**
   * Records how a charge request went. Tried a few times over when other writers keep winning the
   * account: a lost record means the request is asked again after {@link #CHARGE_CLAIM_TIMEOUT}.
   */
  private void recordAnswer(AccountId account, PlanState.ChargeIntent c, boolean accepted) {
    for (int round = 1; ; round++) {
      try {
        writeAnswer(account, c, accepted);
        return;
      } catch (ConcurrentUpdateException e) {
        if (round == 3) {
          throw e;
        }
      }
    }
  }

  private void writeAnswer(AccountId account, PlanState.ChargeIntent c, boolean accepted) {
    engine.execute(account, null, Operation.of(accepted ? "charge-sent" : "charge-refused", "", tx -> {
      PlanState s = state(tx);
      List<PlanState.ChargeIntent> all = new ArrayList<>(s.charges().size());
      boolean changed = false;
      for (PlanState.ChargeIntent now : s.charges()) {
        if (!now.reference().equals(c.reference())) {
          all.add(now);
        } else if (accepted) {
          changed = true;
        } else if (now.claimed() && now.attempts() == c.attempts()) {
          all.add(now.failed(backoff(tx.now(), c.attempts(), LONGEST_CHARGE_RETRY)));
          changed = true;
        } else {
          all.add(now); // another instance took it since: its answer counts
        }
      }
      if (changed) {
        save(tx, s.withCharges(all));
      }
      return Boolean.TRUE;
    }, String::valueOf, Boolean::valueOf));
  }

  // ---------------------------------------------------------------- plan changes

  /**
   * Changes the tier. A downgrade takes effect at the next cycle. An upgrade, with
   * {@link UpgradePolicy#PRORATE_NOW}, switches entitlements now and grants now the remaining
   * fraction of the allowance difference, rounded down
   * ({@code floor((new - old) * timeLeftInCycle / cycleLength)}, in milliseconds), replaced with the
   * allowance at the next refill; with {@link UpgradePolicy#AT_NEXT_CYCLE} it waits like a downgrade.
   * A scheduled change is replaced by a new one; asking for the current tier withdraws it.
   *
   * @param account the account
   * @param tierId the paid tier to move to
   * @param key idempotency key
   * @return what changed and when
   * @throws InvalidRequestException with {@link ErrorCode#UNKNOWN_TIER}, or
   *     {@link ErrorCode#INVALID_ARGUMENT} for the free tier (cancel instead) or the current tier
   *     with nothing scheduled
   * @throws StateException with {@link ErrorCode#SUBSCRIPTION_REQUIRED} without an active subscription
   */
  @Override
  public PlanChange changePlan(AccountId account, String tierId, IdempotencyKey key) {
    require(account, "account");
    require(key, "key");
    require(tierId, "tier");
    Sent<PlanChange> sent = engine.execute(account, key, Operation.of("change-plan", FieldCodec.fields().add("tier", tierId).encode(), tx -> {
      Tier target = paidTier(tierId);
      PlanState s = requireSubscription(state(tx), account);
      long n = s.requests() + 1;
      String reference = requestReference("change", account, n);
      s = s.withRequests(n);
      if (s.tier().equals(target.id()) && s.pendingTier() == null) {
        throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "account already has tier " + tierId);
      }
      return new Sent<>(applyChange(tx, s, target, key, Map.of()), reference);
    }, r -> encodeSent(encodeChange(r.value()), r.reference()), e -> decodeSent(e, Plans::decodeChange)));
    PlanChange change = sent.value();
    gateway.changePlan(account, change.fromTier(), change.toTier(), change.effectiveAt(), sent.reference());
    return change;
  }

  /** A paid tier of the catalog. */
  private Tier paidTier(String tierId) {
    Tier target = tiers.require(tierId);
    if (!target.paid()) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "moving to the free tier is a cancellation: use cancel()");
    }
    return target;
  }

  /**
   * The rule of a plan change, whoever asked for it (the host, or the payment system that already
   * made it): the current tier withdraws a scheduled change; an upgrade with
   * {@link UpgradePolicy#PRORATE_NOW} switches now and grants the pro-rated difference; anything else
   * waits for the next cycle.
   */
  private PlanChange applyChange(AccountTx tx, PlanState s, Tier target, IdempotencyKey key, Map<String, String> why) {
    Tier current = tiers.require(s.tier());
    if (current.id().equals(target.id())) {
      save(tx, s.withPending(null, null));
      return new PlanChange(current.id(), current.id(), tx.now(), true, 0, null);
    }
    boolean upgrade = tiers.rank(target) > tiers.rank(current);
    if (upgrade && config.upgradePolicy() == UpgradePolicy.PRORATE_NOW) {
      long prorated = proration(s, current, target, tx.now());
      if (prorated > 0) {
        Map<String, String> meta = new java.util.TreeMap<>(why);
        meta.put("from", current.id());
        meta.put("to", target.id());
        tx.grant(LotSource.PRORATION, prorated, null, key, meta);
      }
      save(tx, s.with(target.id(), s.status()).withPending(null, null)
          .withAllowanceTotal(s.allowanceTotal() + prorated));
      return new PlanChange(current.id(), target.id(), tx.now(), true, prorated, null);
    }
    Instant at = s.paidCycle() < 0 ? tx.now() : s.cycleStart(s.paidCycle() + 1, config.zone());
    save(tx, s.withPending(target.id(), at));
    return new PlanChange(current.id(), target.id(), at, false, 0, target.id());
  }

  /** Records a plan change the payment system already made; nothing is asked of the gateway. */
  private BillingOutcome planChanged(AccountTx tx, BillingEvent.PlanChanged changed, IdempotencyKey key) {
    Tier target = paidTier(changed.toTier());
    PlanState s = requireSubscription(state(tx), tx.account());
    if (s.tier().equals(target.id()) && s.pendingTier() == null) {
      return ignored(tx, s, "account already has tier " + target.id());
    }
    PlanChange c = applyChange(tx, s, target, key, Map.of("event", changed.eventId(),
        "effectiveAt", changed.effectiveAt().toString()));
    String when = c.immediate() ? "now" : "at " + c.effectiveAt();
    return new BillingOutcome(BillingOutcome.Effect.APPLIED, c.proratedCredits(), "tier " + c.fromTier() + " to "
        + c.toTier() + " " + when + " (the payment system's change effective " + changed.effectiveAt() + ")");
  }

  /** A result and the reference the gateway is told it under (kept with the result, for replays). */
  private record Sent<T>(T value, String reference) {}

  private static String encodeSent(String value, String reference) {
    return FieldCodec.fields().add("value", value).add("ref", reference).encode();
  }

  private static <T> Sent<T> decodeSent(String encoded, Function<String, T> decode) {
    Map<String, String> f = FieldCodec.decode(encoded);
    return new Sent<>(decode.apply(f.get("value")), f.get("ref"));
  }

  private long proration(PlanState s, Tier current, Tier target, Instant now) {
    if (s.paidCycle() < 0) {
      return 0;
    }
    Instant start = s.cycleStart(s.paidCycle(), config.zone());
    Instant end = s.cycleStart(s.paidCycle() + 1, config.zone());
    if (now.isBefore(start) || !now.isBefore(end)) {
      return 0;
    }
    long diff = target.monthlyAllowance() - current.monthlyAllowance();
    if (diff <= 0) {
      return 0;
    }
    long left = end.toEpochMilli() - now.toEpochMilli();
    long length = end.toEpochMilli() - start.toEpochMilli();
    return BigInteger.valueOf(diff).multiply(BigInteger.valueOf(left)).divide(BigInteger.valueOf(length)).longValueExact();
  }

  private static PlanState requireSubscription(PlanState s, AccountId account) {
    if (s.status() != SubscriptionStatus.ACTIVE || s.cancelAt() != null) {
      throw new StateException(ErrorCode.SUBSCRIPTION_REQUIRED,
          "account " + account + " has no active subscription (status " + s.status()
              + (s.cancelAt() != null ? ", cancelling at " + s.cancelAt() : "") + ")");
    }
    return s;
  }

  /**
   * Withdraws a scheduled tier change before it applies.
   *
   * @param account the account
   * @param key idempotency key
   * @return the plan as it now stands ({@code pendingTier} null)
   * @throws StateException with {@link ErrorCode#SUBSCRIPTION_REQUIRED} without an active subscription
   */
  @Override
  public PlanChange withdrawPendingChange(AccountId account, IdempotencyKey key) {
    require(account, "account");
    require(key, "key");
    return engine.execute(account, key, Operation.of("withdraw-change", "", tx -> {
      PlanState s = requireSubscription(state(tx), account);
      save(tx, s.withPending(null, null));
      return new PlanChange(s.tier(), s.tier(), tx.now(), true, 0, null);
    }, Plans::encodeChange, Plans::decodeChange));
  }

  /**
   * Cancels the subscription at the end of the paid cycle: refills stop from then, the balance stays
   * usable, and the account falls back to free-tier entitlements (and can no longer buy packs).
   *
   * @param account the account
   * @param key idempotency key
   * @return the cancellation, with its effective date
   * @throws StateException with {@link ErrorCode#SUBSCRIPTION_REQUIRED} without a subscription
   */
  @Override
  public PlanChange cancel(AccountId account, IdempotencyKey key) {
    require(account, "account");
    require(key, "key");
    Sent<PlanChange> sent = engine.execute(account, key, Operation.of("cancel", "", tx -> {
      PlanState s = state(tx);
      if (!s.subscribed() || s.cancelAt() != null) {
        throw new StateException(ErrorCode.SUBSCRIPTION_REQUIRED,
            "account " + account + " has no subscription to cancel (status " + s.status() + ")");
      }
      long n = s.requests() + 1;
      Instant at = s.paidCycle() < 0 ? tx.now() : s.cycleStart(s.paidCycle() + 1, config.zone());
      if (at.isBefore(tx.now())) {
        at = tx.now();
      }
      PlanState next = s.withRequests(n).withCancelAt(at).effective(tx.now(), free());
      save(tx, next);
      return new Sent<>(new PlanChange(s.tier(), free(), at, !at.isAfter(tx.now()), 0, null),
          requestReference("cancel", account, n));
    }, r -> encodeSent(encodeChange(r.value()), r.reference()), e -> decodeSent(e, Plans::decodeChange)));
    PlanChange change = sent.value();
    gateway.cancelSubscription(account, change.effectiveAt(), sent.reference());
    return change;
  }

  // ---------------------------------------------------------------- packs




  /**
   * Orders a pack. Only active paid subscribers whose tier allows packs may buy them; the free tier
   * gets {@link ErrorCode#PACKS_REQUIRE_PAID_TIER}. The order is recorded (pack, price, currency, a
   * payment reference unique across accounts), then the gateway is asked to charge; the pack's
   * credits (which never expire) are granted when a {@link BillingEvent.PackPaid} matching the order
   * confirms the payment. An order unpaid after {@link #PACK_ORDER_LIFETIME} lapses. An order placed
   * while subscribed is honoured when its payment arrives after a cancellation: it was paid for.
   *
   * <p>The gateway is called after the order commits; when it throws, the exception reaches the
   * caller and the order stays open: sending the same key again asks again, under the same reference.
   *
   * @param account the account
   * @param packId the pack
   * @param key idempotency key
   * @return the order with its payment reference
   * @throws InvalidRequestException with {@link ErrorCode#UNKNOWN_PACK}
   * @throws StateException with {@link ErrorCode#PACKS_REQUIRE_PAID_TIER}, {@link ErrorCode#PACK_NOT_FOR_TIER}
   *     when the pack is sold only to other tiers, or
   *     {@link ErrorCode#TOO_MANY_OPEN_ORDERS} with {@link #MAX_OPEN_PACK_ORDERS} orders unpaid
   */
  @Override
  public PackOrder buyPack(AccountId account, String packId, IdempotencyKey key) {
    require(account, "account");
    require(key, "key");
    Pack pack = packs.require(packId);
    PackOrder order = engine.execute(account, key, Operation.of("buy-pack", FieldCodec.fields().add("pack", packId).encode(), tx -> {
      PlanState s = state(tx);
      if (!canBuyPacks(s)) {
        throw new StateException(ErrorCode.PACKS_REQUIRE_PAID_TIER, "credit packs are available to paid-tier subscribers; account "
            + account + " is on " + s.tier() + " (" + s.status() + ")");
      }
      if (!pack.availableTo(s.tier())) {
        throw new StateException(ErrorCode.PACK_NOT_FOR_TIER, "pack " + pack.id() + " is sold to subscribers of "
            + pack.tiers() + "; account " + account + " is on " + s.tier());
      }
      List<PlanState.OpenOrder> open = new ArrayList<>();
      for (PlanState.OpenOrder o : s.orders()) {
        if (o.orderedAt().plus(PACK_ORDER_LIFETIME).isAfter(tx.now())) {
          open.add(o);
        }
      }
      if (open.size() >= MAX_OPEN_PACK_ORDERS) {
        throw new StateException(ErrorCode.TOO_MANY_OPEN_ORDERS, "account " + account + " has " + open.size()
            + " unpaid pack orders open; pay one or let it lapse first");
      }
      long n = s.requests() + 1;
      String reference = requestReference("pack", account, n);
      open.add(new PlanState.OpenOrder(reference, pack.id(), pack.priceMinor(), pack.currency(), tx.now()));
      save(tx, s.withRequests(n).withOrders(open));
      return new PackOrder(account, pack, reference, tx.now());
    }, o -> FieldCodec.fields().add("at", o.orderedAt()).add("ref", o.paymentReference()).encode(), e -> {
      Map<String, String> f = FieldCodec.decode(e);
      return new PackOrder(account, pack, f.get("ref"), Instant.parse(f.get("at")));
    }));
    gateway.chargePack(account, pack.id(), pack.priceMinor(), pack.currency(), order.paymentReference());
    return order;
  }

  /**
   * Grants a pack without a payment (support, a goodwill gesture, a payment taken outside the
   * library): the only way to grant pack credits outside an order. Explicit, keyed, and audited: the
   * ledger entry carries the reason and {@code withoutPayment=true}.
   *
   * @param account the account
   * @param packId the pack
   * @param reason why, for the ledger (1 to 500 characters, not blank)
   * @param key idempotency key
   * @return the credits granted
   * @throws InvalidRequestException with {@link ErrorCode#UNKNOWN_PACK}, or
   *     {@link ErrorCode#INVALID_ARGUMENT} for a missing or blank reason
   */
  @Override
  public long grantPackWithoutPayment(AccountId account, String packId, String reason, IdempotencyKey key) {
    require(account, "account");
    require(key, "key");
    Pack pack = packs.require(packId);
    if (reason == null || reason.isBlank() || reason.length() > 500) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "a grant without payment needs a reason of 1..500 chars");
    }
    return engine.execute(account, key, Operation.of("grant-pack-without-payment",
        FieldCodec.fields().add("pack", pack.id()).add("reason", reason).encode(), tx -> {
          tx.grant(LotSource.PACK, pack.credits(), null, key,
              Map.of("pack", pack.id(), "reason", reason, "withoutPayment", "true"));
          return pack.credits();
        }, String::valueOf, Long::valueOf));
  }

  private boolean canBuyPacks(PlanState s) {
    return s.status() == SubscriptionStatus.ACTIVE && tiers.require(s.tier()).packsAllowed();
  }

  // ---------------------------------------------------------------- automatic top-up

  /**
   * Turns on (or changes) the account's automatic top-up; see {@link PlanService#enableAutoTopUp}.
   *
   * @param account the account
   * @param setting the threshold, the pack and the monthly cap
   * @param key idempotency key
   * @return the top-up as this call set it
   */
  @Override
  public TopUpStatus enableAutoTopUp(AccountId account, AutoTopUp setting, IdempotencyKey key) {
    require(account, "account");
    require(key, "key");
    require(setting, "top-up setting");
    String fingerprint = FieldCodec.fields().add("threshold", setting.thresholdCredits()).add("pack", setting.packId())
        .add("cap", setting.monthlyCapMinor()).encode();
    return engine.execute(account, key, Operation.of("enable-top-up", fingerprint, tx -> {
      Pack pack = packs.require(setting.packId());
      PlanState s = state(tx);
      if (!canBuyPacks(s)) {
        throw new StateException(ErrorCode.PACKS_REQUIRE_PAID_TIER, "an automatic top-up buys credit packs, which are"
            + " available to paid-tier subscribers; account " + account + " is on " + s.tier() + " (" + s.status() + ")");
      }
      if (!pack.availableTo(s.tier())) {
        throw new StateException(ErrorCode.PACK_NOT_FOR_TIER, "pack " + pack.id() + " is sold to subscribers of "
            + pack.tiers() + "; account " + account + " is on " + s.tier());
      }
      if (setting.monthlyCapMinor() < pack.priceMinor()) {
        throw new InvalidRequestException(ErrorCode.TOP_UP_CAP_BELOW_PACK, "a monthly cap of "
            + setting.monthlyCapMinor() + " " + pack.currency() + " (minor units) is below the price of pack " + pack.id()
            + ", " + pack.priceMinor() + ": the top-up could never buy it");
      }
      PlanRecord.TopUp t = s.topUp();
      PlanRecord.TopUp next = t == null
          ? new PlanRecord.TopUp(pack.id(), setting.thresholdCredits(), setting.monthlyCapMinor(), true, null, 0, null,
              null, 0, null)
          : new PlanRecord.TopUp(pack.id(), setting.thresholdCredits(), setting.monthlyCapMinor(),
              t.packId() == null || t.armed(), t.month(), t.spentMinor(), t.reference(), t.sendAt(), t.attempts(),
              t.skippedAt());
      PlanState after = s.withTopUp(next);
      save(tx, after);
      return topUpStatus(after, tx);
    }, Plans::encodeTopUp, Plans::decodeTopUp));
  }

  /**
   * Turns the account's automatic top-up off; see {@link PlanService#disableAutoTopUp}.
   *
   * @param account the account
   * @param key idempotency key
   * @return the top-up as it now stands (no setting)
   */
  @Override
  public TopUpStatus disableAutoTopUp(AccountId account, IdempotencyKey key) {
    require(account, "account");
    require(key, "key");
    return engine.execute(account, key, Operation.of("disable-top-up", "", tx -> {
      PlanState s = state(tx);
      PlanRecord.TopUp t = s.topUp();
      if (t != null && t.packId() != null) {
        s = s.withTopUp(new PlanRecord.TopUp(null, t.threshold(), t.capMinor(), false, t.month(), t.spentMinor(),
            t.reference(), t.sendAt(), t.attempts(), t.skippedAt()));
        save(tx, s);
      }
      return topUpStatus(s, tx);
    }, Plans::encodeTopUp, Plans::decodeTopUp));
  }

  /** The start of the calendar month (in the plans' zone) that {@code at} falls in: top-up caps count by it. */
  private Instant monthStart(Instant at) {
    return at.atZone(config.zone()).withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).toInstant();
  }

  /** The account's open (not lapsed) pack order with this reference, or null. */
  private static PlanState.@Nullable OpenOrder openOrder(PlanState s, String reference, Instant now) {
    for (PlanState.OpenOrder o : s.orders()) {
      if (o.reference().equals(reference) && o.orderedAt().plus(PACK_ORDER_LIFETIME).isAfter(now)) {
        return o;
      }
    }
    return null;
  }

  /**
   * The automatic top-up's rule, run by the engine on every change before it commits
   * ({@link Engine.ChangeHook}), so the change that takes available credits below the threshold is
   * the one that records the order, the spend and the disarmed state: two instances crossing at
   * once conflict on the account's version, and the one retried sees the top-up disarmed. Returns
   * the request to the gateway, sent once the commit is durable.
   */
  private @Nullable Runnable beforeCommit(AccountTx tx) {
    PlanRecord stored = tx.plan();
    if (stored == null || stored.topUp() == null) {
      return null;
    }
    PlanRecord.TopUp t = stored.topUp();
    if (t.packId() == null && t.reference() == null) {
      return null;
    }
    PlanState s = state(tx);
    Instant now = tx.now();
    PlanRecord.TopUp next = t;
    if (next.reference() != null && openOrder(s, next.reference(), now) == null) {
      // Paid (its grant removed the order) or lapsed: nothing waits any more.
      next = new PlanRecord.TopUp(next.packId(), next.threshold(), next.capMinor(), next.armed(), next.month(),
          next.spentMinor(), null, null, 0, next.skippedAt());
    }
    Runnable send = null;
    if (next.packId() != null && next.reference() == null) {
      long available = tx.available();
      if (!next.armed() && available >= next.threshold()) {
        next = new PlanRecord.TopUp(next.packId(), next.threshold(), next.capMinor(), true, next.month(),
            next.spentMinor(), null, null, 0, next.skippedAt());
      } else if (next.armed() && available < next.threshold()) {
        Optional<Pack> found = packs.find(next.packId());
        // The hook runs on every change: a tier retired from the catalog buys nothing and fails nothing.
        boolean packsAllowed = tiers.find(s.tier()).isPresent() && canBuyPacks(s);
        if (found.isPresent() && packsAllowed && found.get().availableTo(s.tier())
            && openOrders(s, now) < MAX_OPEN_PACK_ORDERS) {
          Pack pack = found.get();
          Instant month = monthStart(now);
          long spent = month.equals(next.month()) ? next.spentMinor() : 0;
          if (spent <= next.capMinor() - pack.priceMinor()) {
            long n = s.requests() + 1;
            String reference = requestReference("topup", tx.account(), n);
            List<PlanState.OpenOrder> orders = new ArrayList<>(s.orders());
            orders.add(new PlanState.OpenOrder(reference, pack.id(), pack.priceMinor(), pack.currency(), now));
            s = s.withRequests(n).withOrders(orders);
            next = new PlanRecord.TopUp(pack.id(), next.threshold(), next.capMinor(), false, month,
                spent + pack.priceMinor(), reference, now.plus(CHARGE_CLAIM_TIMEOUT), 1, next.skippedAt());
            AccountId account = tx.account();
            send = () -> sendTopUp(account, pack.id(), pack.priceMinor(), pack.currency(), reference, 1);
          } else if (next.skippedAt() == null || next.skippedAt().isBefore(month)) {
            next = new PlanRecord.TopUp(next.packId(), next.threshold(), next.capMinor(), true, next.month(),
                next.spentMinor(), null, null, 0, now);
          }
        }
      }
    }
    if (next.equals(t)) {
      return null;
    }
    save(tx, s.withTopUp(next));
    return send;
  }

  private static int openOrders(PlanState s, Instant now) {
    int open = 0;
    for (PlanState.OpenOrder o : s.orders()) {
      if (o.orderedAt().plus(PACK_ORDER_LIFETIME).isAfter(now)) {
        open++;
      }
    }
    return open;
  }

  /**
   * Asks the gateway to charge a top-up order and records the answer: accepted, the request is done;
   * refused, it is asked again by {@link #renewDue()} after a back-off. Never throws: the change that
   * ordered the top-up has committed, and its caller's call succeeded.
   */
  private void sendTopUp(AccountId account, String packId, long priceMinor, String currency, String reference,
      int attempts) {
    boolean accepted = true;
    try {
      gateway.chargePack(account, packId, priceMinor, currency, reference);
      LOG.info("automatic top-up {} of account {}: asked the billing gateway to charge pack {}", reference, account,
          packId);
    } catch (RuntimeException e) {
      accepted = false;
      LOG.warn("billing gateway refused top-up {} of account {} (attempt {}): {}", reference, account, attempts,
          e.toString());
    }
    for (int round = 1; round <= 3; round++) {
      try {
        recordTopUpAnswer(account, reference, attempts, accepted);
        return;
      } catch (ConcurrentUpdateException e) {
        // Others keep winning the account: tried again; at worst it is sent again after the claim timeout.
      } catch (RuntimeException e) {
        LOG.warn("the answer to top-up {} of account {} could not be recorded; it is asked again after {}: {}",
            reference, account, CHARGE_CLAIM_TIMEOUT, e.toString());
        return;
      }
    }
    LOG.warn("the answer to top-up {} of account {} could not be recorded (others kept winning the account); it is"
        + " asked again after {}", reference, account, CHARGE_CLAIM_TIMEOUT);
  }

  private void recordTopUpAnswer(AccountId account, String reference, int attempts, boolean accepted) {
    engine.execute(account, null, Operation.of(accepted ? "top-up-sent" : "top-up-refused", "", tx -> {
      PlanState s = state(tx);
      PlanRecord.TopUp t = s.topUp();
      if (t == null || !reference.equals(t.reference()) || t.sendAt() == null || t.attempts() != attempts) {
        return Boolean.FALSE; // done already, or another instance took it since: its answer counts
      }
      Instant sendAt = accepted ? null : backoff(tx.now(), attempts, LONGEST_CHARGE_RETRY);
      save(tx, s.withTopUp(new PlanRecord.TopUp(t.packId(), t.threshold(), t.capMinor(), t.armed(), t.month(),
          t.spentMinor(), t.reference(), sendAt, t.attempts(), t.skippedAt())));
      return Boolean.TRUE;
    }, String::valueOf, Boolean::valueOf));
  }

  /** A top-up's charge request an instance took to send. */
  private record TopUpRequest(String packId, long priceMinor, String currency, String reference, int attempts) {}

  /**
   * Takes the account's top-up charge request when it is due (refused before, or its instance gone
   * past the claim timeout), in one commit so two instances never take it together, and sends it.
   */
  private void sendDueTopUp(AccountId account) {
    Optional<TopUpRequest> taken = engine.execute(account, null, Operation.of("take-top-up", "", tx -> {
      PlanState s = state(tx);
      PlanRecord.TopUp t = s.topUp();
      if (t == null || t.reference() == null || t.sendAt() == null || t.sendAt().isAfter(tx.now())) {
        return Optional.<TopUpRequest>empty();
      }
      PlanState.OpenOrder order = openOrder(s, t.reference(), tx.now());
      if (order == null) {
        save(tx, s.withTopUp(new PlanRecord.TopUp(t.packId(), t.threshold(), t.capMinor(), t.armed(), t.month(),
            t.spentMinor(), null, null, 0, t.skippedAt())));
        return Optional.<TopUpRequest>empty();
      }
      int attempts = t.attempts() + 1;
      save(tx, s.withTopUp(new PlanRecord.TopUp(t.packId(), t.threshold(), t.capMinor(), t.armed(), t.month(),
          t.spentMinor(), t.reference(), tx.now().plus(CHARGE_CLAIM_TIMEOUT), attempts, t.skippedAt())));
      return Optional.of(new TopUpRequest(order.packId(), order.priceMinor(), order.currency(), order.reference(),
          attempts));
    }, r -> "", e -> Optional.<TopUpRequest>empty()));
    taken.ifPresent(r -> sendTopUp(account, r.packId(), r.priceMinor(), r.currency(), r.reference(), r.attempts()));
  }

  /** Where the account's top-up stands, as of the working copy. */
  private TopUpStatus topUpStatus(PlanState s, AccountTx tx) {
    Instant month = monthStart(tx.now());
    PlanRecord.TopUp t = s.topUp();
    if (t == null) {
      return new TopUpStatus(null, false, month, 0, null, null);
    }
    String pending = t.reference() != null && openOrder(s, t.reference(), tx.now()) != null ? t.reference() : null;
    AutoTopUp setting = t.packId() == null ? null : new AutoTopUp(t.threshold(), t.packId(), t.capMinor());
    boolean armed = setting != null && pending == null && (t.armed() || tx.available() >= t.threshold());
    return new TopUpStatus(setting, armed, month, month.equals(t.month()) ? t.spentMinor() : 0, pending,
        t.skippedAt());
  }

  private static String encodeTopUp(TopUpStatus t) {
    FieldCodec.Fields f = FieldCodec.fields();
    if (t.setting() != null) {
      f.add("threshold", t.setting().thresholdCredits()).add("pack", t.setting().packId())
          .add("cap", t.setting().monthlyCapMinor());
    }
    return f.add("armed", t.armed()).add("month", t.monthStart()).add("spent", t.spentThisMonthMinor())
        .addNullable("pending", t.pendingReference()).addNullable("skipped", t.skippedAt()).encode();
  }

  private static TopUpStatus decodeTopUp(String encoded) {
    Map<String, String> f = FieldCodec.decode(encoded);
    AutoTopUp setting = f.containsKey("pack") ? new AutoTopUp(Long.parseLong(f.get("threshold")), f.get("pack"),
        Long.parseLong(f.get("cap"))) : null;
    String skipped = FieldCodec.nullable(f.get("skipped"));
    return new TopUpStatus(setting, Boolean.parseBoolean(f.get("armed")), Instant.parse(f.get("month")),
        Long.parseLong(f.get("spent")), FieldCodec.nullable(f.get("pending")), skipped == null ? null : Instant.parse(skipped));
  }

  // ---------------------------------------------------------------- views

  /**
   * Returns the tier whose entitlements apply to the account now (free after a cancellation).
   *
   * @param account the account
   * @return the tier
   */
  @Override
  public Tier currentTier(AccountId account) {
    AccountTx tx = engine.readView(account);
    return tierAt(tx.plan(), tx.now());
  }

  /**
   * Returns the tier a stored plan grants at a time, for callers that already hold the account (the
   * gate checks entitlements on the copy it holds from, without loading it again).
   *
   * @param plan the account's plan ({@link io.preprompt.credits.spi.AccountRecord#plan()}), or null
   * @param at the time
   * @return the tier (the free tier when the plan names none or an unknown one)
   */
  Tier tierAt(@Nullable PlanRecord plan, Instant at) {
    PlanState s = PlanState.of(plan, free()).effective(at, free());
    return tiers.find(s.tier()).orElse(tiers.free());
  }

  /**
   * Tells whether the account may buy packs now.
   *
   * @param account the account
   * @return true for active paid subscribers whose tier allows packs
   */
  @Override
  public boolean mayBuyPacks(AccountId account) {
    return canBuyPacks(state(engine.readView(account)));
  }

  /**
   * Returns what the user menu shows: balance, tier, this cycle's allowance and usage, cycle end.
   * Reads this cycle's ledger entries to count usage.
   *
   * @param account the account
   * @return the overview
   */
  @Override
  public AccountOverview overview(AccountId account) {
    AccountTx tx = engine.readView(account);
    PlanState s = state(tx);
    BalanceView balance = tx.view(tx.storedVersion());
    Tier tier = tiers.find(s.tier()).orElse(tiers.free());
    boolean inCycle = s.subscribed() && s.paidCycle() >= 0;
    Instant cycleStart = inCycle ? s.cycleStart(s.paidCycle(), config.zone()) : null;
    Instant cycleEnd = inCycle ? s.cycleStart(s.paidCycle() + 1, config.zone()) : null;
    long used = 0;
    long after = inCycle ? s.cycleStartSequence() : 0;
    while (true) {
      long from = after;
      List<LedgerEntry> page = Engine.storeCall(() -> engine.store().readLedger(account, LedgerQuery.after(from, 1000)));
      for (LedgerEntry e : page) {
        if (e.type().charges()) {
          used += e.amount();
        }
      }
      if (page.size() < 1000) {
        break;
      }
      after = page.get(page.size() - 1).sequence();
    }
    return new AccountOverview(balance, tier, s.status(), balance.allowanceCredits(), inCycle ? s.allowanceTotal() : 0,
        used, cycleStart, cycleEnd, s.pendingTier(), s.cancelAt(), canBuyPacks(s), topUpStatus(s, tx),
        engine.overageOf(tx));
  }

  // ---------------------------------------------------------------- encodings

  private static String encodeChange(PlanChange c) {
    return FieldCodec.fields().add("from", c.fromTier()).add("to", c.toTier()).add("at", c.effectiveAt())
        .add("immediate", c.immediate()).add("prorated", c.proratedCredits()).addNullable("pending", c.pendingTier())
        .encode();
  }

  private static PlanChange decodeChange(String e) {
    Map<String, String> f = FieldCodec.decode(e);
    return new PlanChange(f.get("from"), f.get("to"), Instant.parse(f.get("at")), Boolean.parseBoolean(f.get("immediate")),
        Long.parseLong(f.get("prorated")), FieldCodec.nullable(f.get("pending")));
  }

  private static String encodeOutcome(BillingOutcome o) {
    return FieldCodec.fields().add("effect", o.effect()).add("credits", o.credits()).add("detail", o.detail()).encode();
  }
}
