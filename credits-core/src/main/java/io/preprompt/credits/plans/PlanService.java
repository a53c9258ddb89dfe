package io.preprompt.credits.plans;

import io.preprompt.credits.AccountId;
import io.preprompt.credits.CreditService;
import io.preprompt.credits.CreditsException;
import io.preprompt.credits.ErrorCode;
import io.preprompt.credits.IdempotencyKey;
import io.preprompt.credits.InvalidRequestException;
import io.preprompt.credits.StateException;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.internal.AccountTx;
import io.preprompt.credits.internal.Engine;
import io.preprompt.credits.internal.FieldCodec;
import io.preprompt.credits.internal.Operation;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.spi.BillingGateway;
import io.preprompt.credits.spi.IdempotencyRecord;
import java.math.BigInteger;
import java.time.Instant;
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
 * Tiers, the signup grant, allowance cycles, packs, plan changes and cancellation, over a
 * {@link CreditService}. Every rule the help page states about tiers, packs, allowances and billing
 * lives in this class.
 *
 * <p>The library never moves money: it asks the {@link BillingGateway} to charge and applies the
 * billing system's confirmations ({@link #handle(BillingEvent)}). Hosts without webhooks call
 * {@link #renewDue()} on a schedule instead. Every call is idempotent; every typed exception means
 * nothing changed.
 */
public final class PlanService {
  private static final Logger LOG = LoggerFactory.getLogger(PlanService.class);

  private final Engine engine;
  private final TierCatalog tiers;
  private final PackCatalog packs;
  private final PlansConfig config;
  private final BillingGateway gateway;

  private PlanService(Engine engine, TierCatalog tiers, PackCatalog packs, PlansConfig config, BillingGateway gateway) {
    this.engine = engine;
    this.tiers = tiers;
    this.packs = packs;
    this.config = config;
    this.gateway = gateway;
  }

  /**
   * Creates the plan service.
   *
   * @param credits the credit service built by {@link CreditService#builder()}
   * @param tiers the tier catalog
   * @param packs the pack catalog
   * @param config plan settings
   * @param gateway the host's billing system
   * @return the service
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when the credit
   *     service was not built by {@link CreditService#builder()}, or another part is null
   */
  public static PlanService create(CreditService credits, TierCatalog tiers, PackCatalog packs, PlansConfig config,
      BillingGateway gateway) {
    if (!(credits instanceof Engine)) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
          "PlanService needs the CreditService built by CreditService.builder()");
    }
    if (tiers == null || packs == null || config == null || gateway == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
          "PlanService needs a tier catalog, a pack catalog, a config and a billing gateway");
    }
    return new PlanService((Engine) credits, tiers, packs, config, gateway);
  }

  /**
   * Returns the tier catalog.
   *
   * @return the tiers
   */
  public TierCatalog tiers() {
    return tiers;
  }

  /**
   * Returns the pack catalog.
   *
   * @return the packs
   */
  public PackCatalog packs() {
    return packs;
  }

  private String free() {
    return tiers.free().id();
  }

  private PlanState state(AccountTx tx) {
    return PlanState.decode(tx.plan(), free()).effective(tx.now(), free());
  }

  private void save(AccountTx tx, PlanState s) {
    tx.setPlan(s.encode(), s.dueAt(config.zone()));
  }

  private static void require(@Nullable Object value, String what) {
    if (value == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, what + " must not be null");
    }
  }

  /** Builds an operation from its parts; {@code decode} marks replays. */
  private static <R> Operation<R> op(String name, String fingerprint, Function<AccountTx, R> body,
      Function<R, String> encode, Function<String, R> decode) {
    return new Operation<>() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String fingerprint() {
        return fingerprint;
      }

      @Override
      public R apply(AccountTx tx) {
        return body.apply(tx);
      }

      @Override
      public String encode(R result) {
        return encode.apply(result);
      }

      @Override
      public R decode(String encoded) {
        return decode.apply(encoded);
      }
    };
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
  public SignupResult verifyEmail(AccountId account, IdempotencyKey key) {
    require(account, "account");
    require(key, "key");
    return engine.execute(account, key, op("verify-email", "", tx -> {
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
   * first cycle's allowance is granted when the billing system confirms it was paid
   * ({@link BillingEvent.CyclePaid} for cycle 0), or by {@link #renewDue()}.
   *
   * @param account the account
   * @param tierId a paid tier
   * @param key idempotency key
   * @return the new subscription's first cycle as a plan change from the current tier
   * @throws InvalidRequestException with {@link ErrorCode#UNKNOWN_TIER} for an unknown tier, or
   *     {@link ErrorCode#INVALID_ARGUMENT} for the free tier
   * @throws StateException with {@link ErrorCode#ALREADY_SUBSCRIBED} when a subscription is active
   */
  public PlanChange subscribe(AccountId account, String tierId, IdempotencyKey key) {
    require(account, "account");
    require(key, "key");
    Tier tier = tiers.require(tierId);
    if (!tier.paid()) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "the free tier is not a subscription");
    }
    PlanChange change = engine.execute(account, key, op("subscribe", FieldCodec.fields().add("tier", tierId).encode(), tx -> {
      PlanState s = state(tx);
      if (s.subscribed()) {
        throw new StateException(ErrorCode.ALREADY_SUBSCRIBED,
            "account " + account + " already subscribes to " + s.tier() + "; use changePlan");
      }
      save(tx, s.subscribed(tierId, tx.now()));
      return new PlanChange(s.tier(), tierId, tx.now(), true, 0, null);
    }, PlanService::encodeChange, PlanService::decodeChange));
    Instant anchor = change.effectiveAt();
    gateway.chargeSubscription(account, tierId, 0, anchor, PlanState.cycleStart(anchor, 1, config.zone()),
        "sub:" + key.value() + ":0");
    return change;
  }

  /**
   * Applies a confirmation from the billing system. Idempotent by event id (and, for packs, by
   * payment reference); duplicated, stale and reordered events never grant twice.
   *
   * @param event the confirmation
   * @return what it did
   * @throws InvalidRequestException for malformed ids, an unknown pack, or a payment for one of this
   *     service's pack orders that names another pack than was ordered
   */
  public BillingOutcome handle(BillingEvent event) {
    require(event, "event");
    IdempotencyKey key = IdempotencyKey.of("billing." + event.eventId());
    if (event instanceof BillingEvent.PackPaid) {
      BillingEvent.PackPaid paid = (BillingEvent.PackPaid) event;
      Pack pack = packs.require(paid.packId());
      checkPaidPackWasOrdered(paid, pack);
      IdempotencyKey byReference = IdempotencyKey.of("pack-paid." + paid.paymentReference());
      return engine.execute(event.account(), byReference, op("pack-paid",
          FieldCodec.fields().add("pack", pack.id()).encode(), tx -> {
            tx.grant(LotSource.PACK, pack.credits(), null, byReference,
                Map.of("pack", pack.id(), "paymentReference", paid.paymentReference(), "event", paid.eventId()));
            return new BillingOutcome(BillingOutcome.Effect.APPLIED, pack.credits(), "pack " + pack.id() + " granted");
          }, PlanService::encodeOutcome, e -> duplicate("payment " + paid.paymentReference() + " was already granted")));
    }
    if (event instanceof BillingEvent.CyclePaid) {
      long cycle = ((BillingEvent.CyclePaid) event).cycle();
      checkCycle(cycle);
      return engine.execute(event.account(), key, op("cycle-paid", FieldCodec.fields().add("cycle", cycle).encode(),
          tx -> cyclePaid(tx, cycle, key), PlanService::encodeOutcome, e -> duplicate("event already handled")));
    }
    if (event instanceof BillingEvent.PaymentFailed) {
      long cycle = ((BillingEvent.PaymentFailed) event).cycle();
      checkCycle(cycle);
      return engine.execute(event.account(), key, op("payment-failed", FieldCodec.fields().add("cycle", cycle).encode(),
          tx -> {
            PlanState s = state(tx);
            if (!s.subscribed() || cycle <= s.paidCycle()) {
              return ignored(tx, s, "cycle " + cycle + " is not awaiting payment");
            }
            save(tx, s.with(s.tier(), SubscriptionStatus.PAST_DUE));
            return new BillingOutcome(BillingOutcome.Effect.APPLIED, 0, "subscription past due");
          }, PlanService::encodeOutcome, e -> duplicate("event already handled")));
    }
    BillingEvent.SubscriptionCancelled cancelled = (BillingEvent.SubscriptionCancelled) event;
    return engine.execute(event.account(), key, op("subscription-cancelled",
        FieldCodec.fields().add("effectiveAt", cancelled.effectiveAt()).encode(), tx -> {
          PlanState s = state(tx);
          if (!s.subscribed()) {
            return ignored(tx, s, "no active subscription");
          }
          Instant at = s.cancelAt() == null || cancelled.effectiveAt().isBefore(s.cancelAt())
              ? cancelled.effectiveAt() : s.cancelAt();
          save(tx, s.withCancelAt(at).effective(tx.now(), free()));
          return new BillingOutcome(BillingOutcome.Effect.APPLIED, 0, "cancelled effective " + at);
        }, PlanService::encodeOutcome, e -> duplicate("event already handled")));
  }

  /**
   * A payment for one of this service's orders (its reference is {@code pack.<order key>}) must be
   * for the pack that was ordered: a payment for a small pack never grants a large one.
   * References the host made up itself carry no order and are taken at the billing system's word.
   */
  private void checkPaidPackWasOrdered(BillingEvent.PackPaid paid, Pack pack) {
    String reference = paid.paymentReference();
    if (!reference.startsWith("pack.")) {
      return;
    }
    IdempotencyKey orderKey;
    try {
      orderKey = IdempotencyKey.of(reference.substring("pack.".length()));
    } catch (InvalidRequestException e) {
      return;
    }
    Optional<IdempotencyRecord> order = engine.store().findIdempotencyRecord(paid.account(), orderKey);
    if (order.isEmpty() || !order.get().operation().equals("buy-pack")) {
      return;
    }
    String ordered = FieldCodec.decode(order.get().fingerprint()).get("pack");
    if (!pack.id().equals(ordered)) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT,
          "payment " + reference + " is for pack " + ordered + ", not " + pack.id());
    }
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
    if (!s.encode().equals(tx.plan())) {
      save(tx, s);
    }
    return new BillingOutcome(BillingOutcome.Effect.IGNORED, 0, detail);
  }

  private BillingOutcome cyclePaid(AccountTx tx, long cycle, @Nullable IdempotencyKey key) {
    PlanState s = state(tx);
    if (!s.subscribed() || s.anchor() == null) {
      return ignored(tx, s, "no active subscription");
    }
    if (cycle <= s.paidCycle()) {
      return ignored(tx, s, "cycle " + cycle + " was already refilled");
    }
    Instant start = s.cycleStart(cycle, config.zone());
    if (s.cancelAt() != null && !start.isBefore(s.cancelAt())) {
      return ignored(tx, s, "cycle " + cycle + " starts after the cancellation");
    }
    long granted = refill(tx, s, cycle, key);
    return new BillingOutcome(BillingOutcome.Effect.APPLIED, granted, "cycle " + cycle + " refilled");
  }

  /**
   * Refills the allowance for a cycle: a change scheduled by then applies, the previous allowance
   * expires except what the tier lets roll over, and the tier's allowance is granted.
   */
  private long refill(AccountTx tx, PlanState before, long cycle, @Nullable IdempotencyKey key) {
    Instant start = before.cycleStart(cycle, config.zone());
    PlanState s = before;
    if (s.pendingTier() != null && s.pendingAt() != null && !s.pendingAt().isAfter(start)) {
      s = s.with(s.pendingTier(), s.status()).withPending(null, null);
    }
    Tier tier = tiers.require(s.tier());
    Map<String, String> meta = Map.of("cycle", Long.toString(cycle), "tier", tier.id());
    List<AccountTx.MutableLot> allowance = new ArrayList<>();
    for (AccountTx.MutableLot lot : tx.lotsInDrawdownOrder()) {
      if ((lot.source() == LotSource.MONTHLY_ALLOWANCE || lot.source() == LotSource.PRORATION)
          && lot.expiresAt() == null) {
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
      tx.grant(LotSource.MONTHLY_ALLOWANCE, regranted, null, key,
          Map.of("cycle", Long.toString(cycle), "tier", tier.id(), "rollover", "true"));
    }
    long startSequence = tx.lastSequence();
    if (tier.monthlyAllowance() > 0) {
      tx.grant(LotSource.MONTHLY_ALLOWANCE, tier.monthlyAllowance(), null, key, meta);
    }
    save(tx, s.refilled(cycle, startSequence, tier.monthlyAllowance() + rolled));
    // Logged by the engine once the change commits (this runs again on a conflict retry).
    return tier.monthlyAllowance();
  }

  /**
   * Renews every subscription whose next cycle has started, as if each cycle was paid, and applies
   * scheduled changes and cancellations that are due. For hosts without billing webhooks; call it on
   * a schedule. Idempotent per account and cycle; several instances may run it at once.
   *
   * @return the number of accounts refilled
   */
  public int renewDue() {
    Instant now = engine.clock().instant();
    int refilled = 0;
    for (AccountId account : engine.store().findAccountsWithPlanDue(now, config.renewalBatchSize())) {
      try {
        long[] cycle = {-1};
        Instant[] bounds = new Instant[2];
        String[] tier = new String[1];
        engine.execute(account, null, op("renew", "", tx -> {
          PlanState s = state(tx);
          save(tx, s);
          if (s.status() != SubscriptionStatus.ACTIVE || s.anchor() == null) {
            return Boolean.FALSE;
          }
          long current = s.cycleAt(tx.now(), config.zone());
          if (current <= s.paidCycle()) {
            return Boolean.FALSE;
          }
          Instant start = s.cycleStart(current, config.zone());
          if (s.cancelAt() != null && !start.isBefore(s.cancelAt())) {
            return Boolean.FALSE;
          }
          refill(tx, s, current, null);
          cycle[0] = current;
          bounds[0] = start;
          bounds[1] = s.cycleStart(current + 1, config.zone());
          tier[0] = state(tx).tier();
          return Boolean.TRUE;
        }, String::valueOf, Boolean::valueOf));
        if (cycle[0] >= 0) {
          refilled++;
        }
        if (cycle[0] > 0) { // subscribe() already asked for cycle 0 to be charged
          gateway.chargeSubscription(account, tier[0], cycle[0], bounds[0], bounds[1],
              "renewal:" + account.value() + ":" + bounds[0].getEpochSecond());
        }
      } catch (CreditsException e) {
        LOG.warn("renewal of account {} failed: {}", account, e.getMessage());
      }
    }
    return refilled;
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
  public PlanChange changePlan(AccountId account, String tierId, IdempotencyKey key) {
    require(account, "account");
    require(key, "key");
    Tier target = tiers.require(tierId);
    if (!target.paid()) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "moving to the free tier is a cancellation: use cancel()");
    }
    PlanChange change = engine.execute(account, key, op("change-plan", FieldCodec.fields().add("tier", tierId).encode(), tx -> {
      PlanState s = requireSubscription(state(tx), account);
      Tier current = tiers.require(s.tier());
      if (current.id().equals(target.id())) {
        if (s.pendingTier() == null) {
          throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "account already has tier " + tierId);
        }
        save(tx, s.withPending(null, null));
        return new PlanChange(current.id(), current.id(), tx.now(), true, 0, null);
      }
      boolean upgrade = tiers.rank(target) > tiers.rank(current);
      if (upgrade && config.upgradePolicy() == UpgradePolicy.PRORATE_NOW) {
        long prorated = proration(s, current, target, tx.now());
        if (prorated > 0) {
          tx.grant(LotSource.PRORATION, prorated, null, key, Map.of("from", current.id(), "to", target.id()));
        }
        save(tx, s.with(target.id(), s.status()).withPending(null, null)
            .withAllowanceTotal(s.allowanceTotal() + prorated));
        return new PlanChange(current.id(), target.id(), tx.now(), true, prorated, null);
      }
      Instant at = s.paidCycle() < 0 ? tx.now() : s.cycleStart(s.paidCycle() + 1, config.zone());
      save(tx, s.withPending(target.id(), at));
      return new PlanChange(current.id(), target.id(), at, false, 0, target.id());
    }, PlanService::encodeChange, PlanService::decodeChange));
    gateway.changePlan(account, change.fromTier(), change.toTier(), change.effectiveAt(), "change:" + key.value());
    return change;
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
  public PlanChange withdrawPendingChange(AccountId account, IdempotencyKey key) {
    require(account, "account");
    require(key, "key");
    return engine.execute(account, key, op("withdraw-change", "", tx -> {
      PlanState s = requireSubscription(state(tx), account);
      save(tx, s.withPending(null, null));
      return new PlanChange(s.tier(), s.tier(), tx.now(), true, 0, null);
    }, PlanService::encodeChange, PlanService::decodeChange));
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
  public PlanChange cancel(AccountId account, IdempotencyKey key) {
    require(account, "account");
    require(key, "key");
    PlanChange change = engine.execute(account, key, op("cancel", "", tx -> {
      PlanState s = state(tx);
      if (!s.subscribed() || s.cancelAt() != null) {
        throw new StateException(ErrorCode.SUBSCRIPTION_REQUIRED,
            "account " + account + " has no subscription to cancel (status " + s.status() + ")");
      }
      Instant at = s.paidCycle() < 0 ? tx.now() : s.cycleStart(s.paidCycle() + 1, config.zone());
      if (at.isBefore(tx.now())) {
        at = tx.now();
      }
      PlanState next = s.withCancelAt(at).effective(tx.now(), free());
      save(tx, next);
      return new PlanChange(s.tier(), free(), at, !at.isAfter(tx.now()), 0, null);
    }, PlanService::encodeChange, PlanService::decodeChange));
    gateway.cancelSubscription(account, change.effectiveAt(), "cancel:" + key.value());
    return change;
  }

  // ---------------------------------------------------------------- packs

  /**
   * Orders a pack. Only active paid subscribers whose tier allows packs may buy them; the free tier
   * gets {@link ErrorCode#PACKS_REQUIRE_PAID_TIER}. The gateway is asked to charge; the pack's
   * credits (which never expire) are granted when {@link BillingEvent.PackPaid} confirms payment.
   *
   * @param account the account
   * @param packId the pack
   * @param key idempotency key; the payment reference is derived from it
   * @return the order with its payment reference
   * @throws InvalidRequestException with {@link ErrorCode#UNKNOWN_PACK}
   * @throws StateException with {@link ErrorCode#PACKS_REQUIRE_PAID_TIER}
   */
  public PackOrder buyPack(AccountId account, String packId, IdempotencyKey key) {
    require(account, "account");
    require(key, "key");
    Pack pack = packs.require(packId);
    String reference = "pack." + key.value();
    PackOrder order = engine.execute(account, key, op("buy-pack", FieldCodec.fields().add("pack", packId).encode(), tx -> {
      PlanState s = state(tx);
      if (!canBuyPacks(s)) {
        throw new StateException(ErrorCode.PACKS_REQUIRE_PAID_TIER, "credit packs are available to paid-tier subscribers; account "
            + account + " is on " + s.tier() + " (" + s.status() + ")");
      }
      tx.markChanged();
      return new PackOrder(account, pack, reference, tx.now());
    }, o -> FieldCodec.fields().add("at", o.orderedAt()).encode(),
        e -> new PackOrder(account, pack, reference, Instant.parse(FieldCodec.decode(e).get("at")))));
    gateway.chargePack(account, pack.id(), pack.priceMinor(), pack.currency(), reference);
    return order;
  }

  private boolean canBuyPacks(PlanState s) {
    return s.status() == SubscriptionStatus.ACTIVE && tiers.require(s.tier()).packsAllowed();
  }

  // ---------------------------------------------------------------- views

  /**
   * Returns the tier whose entitlements apply to the account now (free after a cancellation).
   *
   * @param account the account
   * @return the tier
   */
  public Tier currentTier(AccountId account) {
    AccountTx tx = engine.readView(account);
    return tierAt(tx.plan(), tx.now());
  }

  /**
   * Returns the tier a stored plan document grants at a time, for callers that already hold the
   * account (the gate checks entitlements on the copy it holds from, without loading it again).
   *
   * @param planDocument the account's encoded plan ({@link io.preprompt.credits.spi.AccountRecord#plan()}), or null
   * @param at the time
   * @return the tier (the free tier when the plan names none or an unknown one)
   */
  public Tier tierAt(@Nullable String planDocument, Instant at) {
    PlanState s = PlanState.decode(planDocument, free()).effective(at, free());
    return tiers.find(s.tier()).orElse(tiers.free());
  }

  /**
   * Tells whether the account may buy packs now.
   *
   * @param account the account
   * @return true for active paid subscribers whose tier allows packs
   */
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
      List<LedgerEntry> page = engine.store().readLedger(account, LedgerQuery.after(after, 1000));
      for (LedgerEntry e : page) {
        if (e.type() == EntryType.SETTLE) {
          used += e.amount();
        }
      }
      if (page.size() < 1000) {
        break;
      }
      after = page.get(page.size() - 1).sequence();
    }
    return new AccountOverview(balance, tier, s.status(), balance.allowanceCredits(), inCycle ? s.allowanceTotal() : 0,
        used, cycleStart, cycleEnd, s.pendingTier(), s.cancelAt(), canBuyPacks(s));
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
