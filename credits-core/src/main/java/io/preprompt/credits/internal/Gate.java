package io.preprompt.credits.internal;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Release;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InsufficientCreditsException;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.UnknownHoldException;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.OverageRefusedException;
import io.preprompt.credits.gate.BatchEstimate;
import io.preprompt.credits.gate.Estimate;
import io.preprompt.credits.gate.GateConfig;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationHistory;
import io.preprompt.credits.gate.GenerationKind;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.gate.PriceDimension;
import io.preprompt.credits.gate.LowBalanceListener;
import io.preprompt.credits.gate.RateCard;
import io.preprompt.credits.gate.UpgradeOffer;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.plans.Entitlements;
import io.preprompt.credits.plans.Pack;
import io.preprompt.credits.plans.Tier;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The generation gate over the engine: the implementation of
 * {@link io.preprompt.credits.gate.GenerationGate}. Not supported API: use the interface, from
 * {@code Credits.gate()}.
 */
public final class Gate implements GenerationGate {
  private static final Logger LOG = LoggerFactory.getLogger(Gate.class);

  private final Engine engine;
  private final Plans plans;
  private final RateCard rateCard;
  private final GateConfig config;
  private final List<LowBalanceListener> lowBalanceListeners;
  private final TypicalCosts typicalCosts = new TypicalCosts(TypicalCosts.DEFAULT_ACCOUNTS);
  private final GenerationHistory history;


  public Gate(Engine engine, Plans plans, RateCard rateCard, GateConfig config,
      List<LowBalanceListener> lowBalanceListeners) {
    this.engine = engine;
    this.plans = plans;
    this.rateCard = rateCard;
    this.config = config;
    this.lowBalanceListeners = List.copyOf(lowBalanceListeners);
    this.history = new GenerationHistory(engine, rateCard);
  }

  /**
   * Returns the reader of what generations cost: per-generation history, usage by kind, a hold's
   * story.
   *
   * @return the history reader over this gate's ledger
   */
  @Override
  public GenerationHistory history() {
    return history;
  }

  /**
   * Returns the rate card.
   *
   * @return the prices
   */
  @Override
  public RateCard rateCard() {
    return rateCard;
  }

  /**
   * Authorizes one generation.
   *
   * @param account the account
   * @param request what to generate
   * @param key idempotency key
   * @return authorized (with the hold), insufficient credits (with the upgrade offer) or not in tier
   * @throws InvalidRequestException when the rate card cannot price the request
   */
  @Override
  public Authorization authorize(AccountId account, GenerationRequest request, IdempotencyKey key) {
    if (request == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "a generation request is required");
    }
    return authorizeBatch(account, List.of(request), key);
  }

  /** Carries a refusal out of the operation so that nothing is committed. */
  private static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Authorization result;

    Refused(Authorization result) {
      super(null, null, false, false);
      this.result = result;
    }
  }

  /**
   * Authorizes a scene all-or-nothing: either every item is held, in one atomic change, or none is.
   *
   * @param account the account
   * @param requests the items, 1..500
   * @param key idempotency key
   * @return authorized (one hold per item), insufficient credits (for the total) or not in tier
   * @throws InvalidRequestException when an item cannot be priced
   */
  @Override
  public Authorization authorizeBatch(AccountId account, List<GenerationRequest> requests, IdempotencyKey key) {
    requireAccountAndKey(account, key);
    BatchEstimate batch = rateCard.estimateBatch(requests);
    StringBuilder fp = new StringBuilder(64 + 160 * batch.items().size()).append("card=").append(rateCard.version())
        .append('\n');
    for (Estimate e : batch.items()) {
      fp.append("item=").append(e.request()).append(':').append(e.credits()).append('\n');
    }
    String fingerprint = fp.toString();
    List<Hold> holds;
    try {
      holds = engine.execute(account, key, new Operation<List<Hold>>() {
        @Override
        public String name() {
          return "authorize";
        }

        @Override
        public String fingerprint() {
          return fingerprint;
        }

        @Override
        public void beforeReplay() {
          // A replay is refused as the first call would be now; the check needs a read of its own.
          refuseOutsideTier(plans.currentTier(account), requests);
        }

        @Override
        public List<Hold> apply(AccountTx tx) {
          // The tier comes from the copy the holds are placed on: one read of the account, not two.
          refuseOutsideTier(plans.tierAt(tx.plan(), tx.now()), requests);
          long available = tx.available();
          if (available < batch.totalCredits()) {
            throw new Refused(insufficient(account, available, batch));
          }
          List<Hold> placed = new ArrayList<>(batch.items().size());
          for (Estimate e : batch.items()) {
            GenerationRequest r = e.request();
            if (e.credits() == 0) {
              continue;
            }
            placed.add(tx.hold(HoldId.random(), e.credits(), tx.now().plus(config.holdDeadline(r.kind())), key,
                holdMetadata(r, e.credits())));
          }
          return placed;
        }

        @Override
        public String encode(List<Hold> result) {
          FieldCodec.Fields fields = FieldCodec.fields();
          for (int i = 0; i < result.size(); i++) {
            fields.add("hold" + i, Results.encodeHold(result.get(i)));
          }
          return fields.encode();
        }

        @Override
        public List<Hold> decode(String encoded) {
          List<Hold> out = new ArrayList<>();
          for (String hold : FieldCodec.decode(encoded).values()) {
            out.add(Results.decodeHold(account, hold));
          }
          return out;
        }
      });
    } catch (Refused refused) {
      return refused.result;
    }
    long total = batch.totalCredits();
    long typical = 0;
    for (Estimate e : batch.items()) {
      typical = typicalCosts.record(account, e.credits());
    }
    signalLowBalance(account, typical);
    return new Authorization.Authorized(holds, batch.items(), total);
  }

  /**
   * The description a generation's hold carries (and its ending entries inherit): kind, model, the
   * requested options and quantities, the estimate and the card. Built immutable at once: the hold and
   * its entries share it without copying. A media request's map is the one it always was.
   */
  private Map<String, String> holdMetadata(GenerationRequest r, long estimateCredits) {
    String kind = r.kind().name();
    String seconds = Integer.toString(r.durationSeconds());
    String variants = Integer.toString(r.variants());
    String reshot = Boolean.toString(r.reshot());
    String estimate = Long.toString(estimateCredits);
    Map<PriceDimension, Long> quantities = r.quantities();
    boolean mediaOnly = quantities.isEmpty()
        || quantities.size() == 1 && quantities.containsKey(PriceDimension.SECONDS);
    if (mediaOnly) {
      return r.resolution() == null
          ? Map.of(LedgerEntry.KIND, kind, LedgerEntry.MODEL, r.model(), LedgerEntry.SECONDS, seconds, "variants", variants,
              "reshot", reshot, "estimate", estimate, "rateCard", rateCard.version())
          : Map.of(LedgerEntry.KIND, kind, LedgerEntry.MODEL, r.model(), "resolution", r.resolution(), LedgerEntry.SECONDS,
              seconds, "variants", variants, "reshot", reshot, "estimate", estimate, "rateCard", rateCard.version());
    }
    Map<String, String> meta = new HashMap<>();
    meta.put(LedgerEntry.KIND, kind);
    meta.put(LedgerEntry.MODEL, r.model());
    if (r.resolution() != null) {
      meta.put("resolution", r.resolution());
    }
    meta.put(LedgerEntry.SECONDS, seconds);
    meta.put("variants", variants);
    meta.put("reshot", reshot);
    meta.put("estimate", estimate);
    meta.put("rateCard", rateCard.version());
    quantities.forEach((d, q) -> {
      if (!d.equals(PriceDimension.SECONDS)) {
        meta.put(LedgerEntry.QUANTITY_PREFIX + d.name(), Long.toString(q));
      }
    });
    return Map.copyOf(meta);
  }

  /**
   * Tells the low-balance listeners when the account is low now. The balance is read at once (inside
   * a host's transaction it includes what the call just wrote), but the listeners are told only once
   * that is durable: after the host commits, never when it rolls back.
   */
  private void signalLowBalance(AccountId account, long typicalCost) {
    if (lowBalanceListeners.isEmpty()) {
      return;
    }
    long available = engine.balance(account).available();
    long threshold = config.lowBalanceThreshold();
    if (available < threshold || available < typicalCost) {
      engine.whenDurable("the low-balance listeners", account, () -> {
        for (LowBalanceListener l : lowBalanceListeners) {
          try {
            l.onLowBalance(account, available, typicalCost, threshold);
          } catch (RuntimeException e) {
            LOG.warn("low-balance listener failed for account {}", account, e);
          }
        }
      });
    }
  }

  private Authorization.InsufficientCredits insufficient(AccountId account, long available, BatchEstimate batch) {
    return insufficient(account, available, batch.totalCredits(), batch.items());
  }

  /** Insufficient credits for {@code requested}: the balance, the shortfall and the upgrade offer. */
  private Authorization.InsufficientCredits insufficient(AccountId account, long available, long requested,
      List<Estimate> estimates) {
    long shortfall = requested - available;
    Tier current = plans.currentTier(account);
    List<UpgradeOffer.TierOption> tiers = new ArrayList<>();
    for (Tier t : plans.tiers().paidTiers()) {
      tiers.add(new UpgradeOffer.TierOption(t, t.monthlyAllowance(), t.monthlyAllowance() >= shortfall,
          t.id().equals(current.id())));
    }
    List<UpgradeOffer.PackOption> packs = new ArrayList<>();
    if (plans.mayBuyPacks(account)) {
      for (Pack p : plans.packs().packs()) {
        packs.add(new UpgradeOffer.PackOption(p, p.credits() >= shortfall));
      }
    }
    return new Authorization.InsufficientCredits(available, requested, shortfall, new UpgradeOffer(tiers, packs),
        estimates);
  }

  /**
   * Grows the hold of a running generation; an extension the balance cannot cover is answered with
   * the shortfall and the upgrade offer, as an authorization is.
   *
   * @param account the account
   * @param hold the hold from the authorization
   * @param more credits to add
   * @param key idempotency key
   * @return authorized (with the grown hold) or insufficient credits
   */
  @Override
  public Authorization extend(AccountId account, HoldId hold, CreditAmount more, IdempotencyKey key) {
    Hold grown;
    try {
      grown = engine.extend(account, hold, more, null, Map.of(), key);
    } catch (InsufficientCreditsException e) {
      return insufficient(account, e.available(), e.requested(), List.of());
    }
    return new Authorization.Authorized(List.of(grown), List.of(), more.value());
  }

  private void refuseOutsideTier(Tier tier, List<GenerationRequest> requests) {
    for (int i = 0; i < requests.size(); i++) {
      Optional<Authorization> refusal = checkEntitlements(tier, requests.get(i));
      if (refusal.isPresent()) {
        throw new Refused(refusal.get());
      }
    }
  }

  /** The entitlement rules: each option the request uses must be in the tier. */
  private Optional<Authorization> checkEntitlements(Tier tier, GenerationRequest r) {
    Entitlements e = tier.entitlements();
    // A kind with its own list of models in the tier is decided by it; any other kind by the tier's models.
    String kind = r.kind().name();
    if (!e.models(kind).contains(r.model())) {
      return notInTier("model=" + r.model(), tier, t -> t.entitlements().models(kind).contains(r.model()));
    }
    if (r.resolution() != null && !e.resolutions().contains(r.resolution())) {
      return notInTier("resolution=" + r.resolution(), tier, t -> t.entitlements().resolutions().contains(r.resolution()));
    }
    if (r.kind().equals(GenerationKind.VIDEO_CLIP) && r.durationSeconds() > e.maxClipSeconds()) {
      return notInTier("clipSeconds=" + r.durationSeconds(), tier,
          t -> t.entitlements().maxClipSeconds() >= r.durationSeconds());
    }
    if (r.variants() > e.maxVariants()) {
      return notInTier("variants=" + r.variants(), tier, t -> t.entitlements().maxVariants() >= r.variants());
    }
    if (r.feature() != null && !e.features().contains(r.feature())) {
      return notInTier("feature=" + r.feature(), tier, t -> t.entitlements().features().contains(r.feature()));
    }
    return Optional.empty();
  }

  private Optional<Authorization> notInTier(String option, Tier current, Predicate<Tier> allows) {
    for (Tier t : plans.tiers().tiers()) {
      if (allows.test(t)) {
        return Optional.of(new Authorization.NotInTier(option, current, t));
      }
    }
    throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "no tier allows " + option);
  }

  /**
   * The generation succeeded: settle its actual cost (above the hold only as the account's overage
   * policy allows); the rest returns.
   *
   * @param account the account
   * @param hold the hold from the authorization
   * @param actualCost the actual cost in credits; zero releases the hold, recorded as a success at no cost
   * @param key idempotency key
   * @return the settlement
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_AMOUNT} for a null cost
   * @throws OverageRefusedException when the cost exceeds the hold, the overage policy refuses and the
   *     available credits do not cover the difference (with the shortfall and the upgrade offer)
   * @throws io.preprompt.credits.core.HoldStateException when the hold already ended
   * @throws io.preprompt.credits.core.UnknownHoldException when the account has no such hold
   */
  @Override
  public Settlement succeeded(AccountId account, HoldId hold, CreditAmount actualCost, IdempotencyKey key) {
    if (actualCost == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_AMOUNT, "a succeeded generation needs its actual cost");
    }
    if (actualCost.isZero()) {
      // Nothing to charge: the hold is released, recorded as a success at no cost.
      Release r = engine.release(account, hold, "succeeded at no cost", Map.of("actual", "0", "outcome", "succeeded"),
          key);
      return new Settlement(account, hold, 0, r.returned(), r.expiredOnReturn(), r.at());
    }
    return settleOrOffer(account, hold, actualCost,
        Map.of("actual", Long.toString(actualCost.value()), "outcome", "succeeded"), key);
  }

  /**
   * Settles a succeeded generation; a difference above the hold that the overage policy refuses for
   * want of credits comes back with the upgrade offer, as an authorization's refusal does.
   */
  private Settlement settleOrOffer(AccountId account, HoldId hold, CreditAmount cost, Map<String, String> meta,
      IdempotencyKey key) {
    try {
      return engine.settle(account, hold, cost, meta, key);
    } catch (OverageRefusedException e) {
      throw e;
    } catch (InsufficientCreditsException e) {
      throw new OverageRefusedException(account, hold, insufficient(account, e.available(), e.requested(), List.of()));
    }
  }

  /**
   * The generation succeeded: settle the price of its actual usage (at most what was held); the rest
   * returns. The actual quantities are recorded on the settle, so history reports them.
   *
   * @param account the account
   * @param hold the hold from the authorization
   * @param actualUsage what was actually generated: the same kind and model as authorized, with the
   *     quantities used (for example the tokens the model reported)
   * @param key idempotency key
   * @return the settlement; a usage priced at 0 credits releases the hold, recorded as a success at no
   *     cost
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_ARGUMENT} for a missing usage, a hold
   *     the gate did not place, or a kind or model other than the hold's; the rate card's errors when
   *     it cannot price the usage
   * @throws OverageRefusedException when its price exceeds the hold, the overage policy refuses and the
   *     available credits do not cover the difference (with the shortfall and the upgrade offer)
   * @throws io.preprompt.credits.core.HoldStateException when the hold already ended
   * @throws io.preprompt.credits.core.UnknownHoldException when the account has no such hold
   */
  @Override
  public Settlement succeeded(AccountId account, HoldId hold, GenerationRequest actualUsage, IdempotencyKey key) {
    requireAccountAndKey(account, key);
    if (hold == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_HOLD_ID, "hold id must not be null");
    }
    if (actualUsage == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "a succeeded generation needs its actual usage");
    }
    Optional<Hold> found = engine.findHold(account, hold);
    if (found.isEmpty()) {
      throw new UnknownHoldException(account, hold);
    }
    Map<String, String> held = found.get().metadata();
    String heldKind = held.get(LedgerEntry.KIND);
    String heldModel = held.get(LedgerEntry.MODEL);
    if (heldKind == null || heldModel == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT,
          "hold " + hold + " was not placed by the gate: settle it by amount");
    }
    if (!heldKind.equals(actualUsage.kind().name()) || !heldModel.equals(actualUsage.model())) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "hold " + hold + " is for " + heldKind + "/"
          + heldModel + ", the usage is for " + actualUsage.kind() + "/" + actualUsage.model());
    }
    long cost = rateCard.estimate(actualUsage).credits();
    Map<String, String> meta = new HashMap<>();
    meta.put("actual", Long.toString(cost));
    meta.put("outcome", "succeeded");
    meta.put("usage", "actual");
    meta.put(LedgerEntry.SECONDS, Integer.toString(actualUsage.durationSeconds()));
    // Every dimension the hold requested is overwritten, with 0 when the usage has none of it.
    for (String k : held.keySet()) {
      if (k.startsWith(LedgerEntry.QUANTITY_PREFIX)) {
        meta.put(k, "0");
      }
    }
    actualUsage.quantities().forEach((d, q) -> {
      if (!d.equals(PriceDimension.SECONDS)) {
        meta.put(LedgerEntry.QUANTITY_PREFIX + d.name(), Long.toString(q));
      }
    });
    if (cost == 0) {
      Release r = engine.release(account, hold, "succeeded at no cost", meta, key);
      return new Settlement(account, hold, 0, r.returned(), r.expiredOnReturn(), r.at());
    }
    return settleOrOffer(account, hold, CreditAmount.of(cost), meta, key);
  }

  /**
   * The generation failed: release everything; the user is never charged for it.
   *
   * @param account the account
   * @param hold the hold
   * @param reason why it failed
   * @param key idempotency key
   * @return the release
   */
  @Override
  public Release failed(AccountId account, HoldId hold, String reason, IdempotencyKey key) {
    if (reason == null || reason.isBlank()) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "a failed generation needs a reason");
    }
    return engine.release(account, hold, reason, Map.of("outcome", "failed"), key);
  }

  /**
   * The generation was blocked (for example by moderation) or cancelled: release everything.
   *
   * @param account the account
   * @param hold the hold
   * @param key idempotency key
   * @return the release
   */
  @Override
  public Release blocked(AccountId account, HoldId hold, IdempotencyKey key) {
    return engine.release(account, hold, "blocked", Map.of("outcome", "blocked"), key);
  }

  /**
   * A support adjustment that adds credits, as an {@link LotSource#ADJUSTMENT} lot that never expires,
   * with a reason on the ledger.
   *
   * @param account the account
   * @param credits credits to add, positive
   * @param reason why, for the ledger, 1..256 chars
   * @param key idempotency key
   * @return the account's available credits afterwards
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_AMOUNT} for zero or null credits (or
   *     {@link ErrorCode#AMOUNT_OVERFLOW}), {@link ErrorCode#INVALID_ARGUMENT} for a missing or long reason
   * @throws io.preprompt.credits.core.UnknownAccountException when the account does not exist
   * @throws io.preprompt.credits.core.IdempotencyConflictException when the key was used with other parameters
   */
  @Override
  public long addCredits(AccountId account, CreditAmount credits, String reason, IdempotencyKey key) {
    return adjustNow(account, credits, false, reason, key);
  }

  /**
   * A support adjustment that removes available credits (a duplicate charge, say), with a reason on
   * the ledger.
   *
   * @param account the account
   * @param credits credits to remove, positive, at most what is available
   * @param reason why, for the ledger, 1..256 chars
   * @param key idempotency key
   * @return the account's available credits afterwards
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_AMOUNT} for zero or null credits,
   *     {@link ErrorCode#INVALID_ARGUMENT} for a missing or long reason
   * @throws io.preprompt.credits.core.InsufficientCreditsException when fewer credits are available
   * @throws io.preprompt.credits.core.UnknownAccountException when the account does not exist
   * @throws io.preprompt.credits.core.IdempotencyConflictException when the key was used with other parameters
   */
  @Override
  public long removeCredits(AccountId account, CreditAmount credits, String reason, IdempotencyKey key) {
    long available = adjustNow(account, credits, true, reason, key);
    signalLowBalance(account, typicalCosts.typical(account));
    return available;
  }

  private static void requireAccountAndKey(@Nullable AccountId account, @Nullable IdempotencyKey key) {
    if (account == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_ACCOUNT_ID, "account id must not be null");
    }
    if (key == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_IDEMPOTENCY_KEY, "idempotency key must not be null");
    }
  }

  private long adjustNow(AccountId account, @Nullable CreditAmount credits, boolean remove, String reason,
      IdempotencyKey key) {
    requireAccountAndKey(account, key);
    if (credits == null || credits.isZero()) {
      throw new InvalidRequestException(ErrorCode.INVALID_AMOUNT, "an adjustment must be positive, was " + credits);
    }
    // Signed, as the single adjust call recorded it: keys used before the split replay unchanged.
    long delta = remove ? -credits.value() : credits.value();
    if (reason == null || reason.isBlank() || reason.length() > 256) {
      throw new InvalidRequestException(ErrorCode.INVALID_ARGUMENT, "an adjustment needs a reason of 1..256 chars");
    }
    String fingerprint = FieldCodec.fields().add("delta", delta).add("reason", reason).encode();
    return engine.execute(account, key, Operation.of("adjust", fingerprint, tx -> {
      Map<String, String> meta = Map.of("reason", reason);
      if (delta > 0) {
        tx.grant(LotSource.ADJUSTMENT, delta, null, key, meta);
      } else {
        tx.debit(-delta, key, meta);
      }
      return tx.available();
    }, result -> Long.toString(result), Long::parseLong));
  }

  /**
   * Returns the hold, as it stands now.
   *
   * @param account the account
   * @param hold the hold
   * @return the hold, if this account has it
   */
  @Override
  public Optional<Hold> hold(AccountId account, HoldId hold) {
    return engine.findHold(account, hold);
  }
}
