package io.preprompt.credits.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.GrantReceipt;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
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
import io.preprompt.credits.core.HoldStateException;
import io.preprompt.credits.core.IdempotencyConflictException;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InsufficientCreditsException;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.OveragePolicy;
import io.preprompt.credits.core.StateException;
import io.preprompt.credits.core.UnknownAccountException;
import io.preprompt.credits.core.UnknownHoldException;
import io.preprompt.credits.gate.GateConfig;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationKind;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.gate.ModelRate;
import io.preprompt.credits.gate.OverageRefusedException;
import io.preprompt.credits.gate.PriceDimension;
import io.preprompt.credits.gate.RateCard;
import io.preprompt.credits.gate.Ratio;
import io.preprompt.credits.gate.TokenPrices;
import io.preprompt.credits.ledger.LedgerPage;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.ledger.Reconciliation;
import io.preprompt.credits.plans.AutoTopUp;
import io.preprompt.credits.plans.BillingEvent;
import io.preprompt.credits.plans.Entitlements;
import io.preprompt.credits.plans.Pack;
import io.preprompt.credits.plans.PackCatalog;
import io.preprompt.credits.plans.PackOrder;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.plans.PlansConfig;
import io.preprompt.credits.plans.Tier;
import io.preprompt.credits.plans.TierCatalog;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import io.preprompt.credits.testkit.RecordingBillingGateway;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The bad-input catalogue: one row per kind of bad input the public API can receive (amounts, ids,
 * keys, states, other accounts' holds, unknown accounts and holds, tier and pack catalogs, rate cards,
 * generation requests, configuration builders, ledger queries, billing events). Each row runs against
 * a fresh world with two accounts and holds in every state, and asserts the exact exception type and
 * {@link ErrorCode}, and that neither the store (every account's rows, lots, holds, ledger and
 * idempotency records) nor the billing gateway saw any change.
 *
 * <p>The store adapter's schema identifiers have their own rows next to the adapter
 * ({@code JdbcStoreConfigTest}), which this module cannot see.
 */
@DisplayName("Bad-input catalogue")
class BadInputCatalogueTest {
  private static final Instant T0 = Instant.parse("2026-05-04T12:00:00Z");
  private static final GenerationKind CHAT = GenerationKind.of("CHAT");
  /** The default card plus a token-priced chat model whose reasoning tokens are not priced. */
  private static final RateCard CHAT_CARD = RateCard.defaults().with("2026-11-chat",
      ModelRate.perToken(CHAT, "chat-mini", TokenPrices.of(150_000, 600_000).withCachedInput(75_000)));

  /** One kind of bad input: what is sent, and the typed error it must get. */
  record Row(String input, Class<? extends CreditsException> type, ErrorCode code, Consumer<World> call) {}

  /**
   * A fresh world per row. Alice subscribes to Studio (her first cycle paid), has ordered a
   * {@code pack_500} (not yet paid), was granted a {@code pack_500} paid outside the library, and has
   * an active hold, a settled one, a released one and one past its deadline; Bob is on the free tier
   * with an active hold; nobody ever opened {@code nobody}. Alice set her overage policy to refuse
 * under {@code policyKey}. Alice's {@code packLot} (the pack granted
   * outside the library) is live; her {@code voidedLot} was granted and voided.
   */
  static final class World {
    final InMemoryCreditStore store = new InMemoryCreditStore();
    final MutableClock clock = new MutableClock(T0);
    final RecordingBillingGateway gateway = new RecordingBillingGateway();
    final Credits all = Credits.builder().store(store).clock(clock).billing(gateway).rateCard(CHAT_CARD).build();
    final CreditService credits = all.credits();
    final PlanService plans = all.plans();
    final GenerationGate gate = all.gate();
    final AccountId alice = AccountId.of("alice");
    final AccountId bob = AccountId.of("bob");
    final AccountId nobody = AccountId.of("nobody");
    final IdempotencyKey usedKey = IdempotencyKey.of("pack-grant-1");
    final IdempotencyKey voidKey = IdempotencyKey.of("void-1");
    final IdempotencyKey policyKey = IdempotencyKey.of("policy-1");
    final GrantReceipt packLot;
    final GrantReceipt voidedLot;
    final Hold active;
    final Hold settled;
    final Hold released;
    final Hold expired;
    final Hold bobs;
    final PackOrder paidOrder;
    final PackOrder openOrder;
    private int keys;

    World() {
      credits.openAccount(alice, key());
      credits.openAccount(bob, key());
      plans.verifyEmail(alice, key());
      plans.verifyEmail(bob, key());
      plans.subscribe(alice, "studio", key());
      plans.handle(new BillingEvent.CyclePaid("evt-alice-0", alice, 0));
      packLot = credits.grant(alice, LotSource.PACK, CreditAmount.of(100), null, usedKey);
      voidedLot = credits.grant(alice, LotSource.PROMOTION, CreditAmount.of(5), null, key());
      credits.voidGrant(alice, voidedLot.lot(), "granted by mistake", voidKey);
      credits.setOveragePolicy(alice, OveragePolicy.refuse(), policyKey);
      paidOrder = plans.buyPack(alice, "pack_500", IdempotencyKey.of("order-1"));
      plans.handle(BillingEvent.PackPaid.of("evt-pack-1", paidOrder));
      openOrder = plans.buyPack(alice, "pack_500", IdempotencyKey.of("order-2"));
      active = credits.hold(HoldRequest.of(alice, CreditAmount.of(50), key()));
      settled = credits.hold(HoldRequest.of(alice, CreditAmount.of(10), key()));
      credits.settle(alice, settled.id(), key());
      released = credits.hold(HoldRequest.of(alice, CreditAmount.of(10), key()));
      credits.release(alice, released.id(), "failed", key());
      expired = credits.hold(HoldRequest.of(alice, CreditAmount.of(10), key()).withTtl(Duration.ofMinutes(1)));
      bobs = credits.hold(HoldRequest.of(bob, CreditAmount.of(20), key()));
      clock.advance(Duration.ofMinutes(2));
    }

    IdempotencyKey key() {
      return IdempotencyKey.of("k-" + (++keys));
    }

    long available(AccountId account) {
      return credits.balance(account).available();
    }

    /** Every account's stored state, the account list itself and what the gateway was asked. */
    Map<String, Object> snapshot() {
      Map<String, Object> all = new TreeMap<>();
      for (AccountId id : store.accountIds()) {
        all.put("account " + id, store.dump(id));
      }
      all.put("gateway requests", gateway.size());
      return all;
    }
  }

  @TestFactory
  @DisplayName("every row gets its typed error code and changes nothing")
  Stream<DynamicTest> catalogue() {
    List<Row> rows = rows();
    assertThat(rows).as("catalogue rows").hasSizeGreaterThanOrEqualTo(40);
    assertThat(rows).extracting(Row::input).doesNotHaveDuplicates();
    return rows.stream().map(row -> dynamicTest(row.code() + ": " + row.input(), () -> check(row)));
  }

  private static void check(Row row) {
    World world = new World();
    Map<String, Object> before = world.snapshot();
    Throwable thrown = catchThrowable(() -> row.call().accept(world));
    assertThat(thrown).as("what %s throws", row.input()).isInstanceOf(row.type());
    assertThat(((CreditsException) thrown).code()).as("error code of %s", row.input()).isEqualTo(row.code());
    assertThat(world.snapshot()).as("store and gateway after %s", row.input()).isEqualTo(before);
  }

  private static List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    Builder b = new Builder(rows);
    Entitlements basic = Entitlements.builder().resolutions("720p").maxClipSeconds(5).models("standard").build();
    Tier free = Tier.free("free", "Free", basic);
    Tier studio = Tier.paid("studio", "Studio", 1_000, basic);
    GenerationRequest image = GenerationRequest.image("standard", "720p");

    // ----------------------------------------------------------------------------- amounts
    b.invalid("a grant of zero credits", ErrorCode.INVALID_AMOUNT,
        w -> w.credits.grant(w.alice, LotSource.PACK, CreditAmount.ZERO, null, w.key()));
    b.invalid("a negative credit amount", ErrorCode.INVALID_AMOUNT, w -> CreditAmount.of(-1));
    b.invalid("a positive amount of zero", ErrorCode.INVALID_AMOUNT, w -> CreditAmount.positive(0));
    b.invalid("a hold of zero credits", ErrorCode.INVALID_AMOUNT,
        w -> w.credits.hold(HoldRequest.of(w.alice, CreditAmount.ZERO, w.key())));
    b.invalid("a grant that overflows the account's total", ErrorCode.AMOUNT_OVERFLOW,
        w -> w.credits.grant(w.alice, LotSource.PACK, CreditAmount.of(Long.MAX_VALUE), null, w.key()));
    b.invalid("adding credits past Long.MAX_VALUE", ErrorCode.AMOUNT_OVERFLOW,
        w -> CreditAmount.of(Long.MAX_VALUE).plus(CreditAmount.of(1)));
    b.invalid("multiplying credits past Long.MAX_VALUE", ErrorCode.AMOUNT_OVERFLOW,
        w -> CreditAmount.of(Long.MAX_VALUE / 2 + 1).times(2));
    b.invalid("subtracting more credits than there are", ErrorCode.INVALID_AMOUNT,
        w -> CreditAmount.of(1).minus(CreditAmount.of(2)));
    b.invalid("settling zero credits (a release in disguise)", ErrorCode.INVALID_AMOUNT,
        w -> w.credits.settle(w.alice, w.active.id(), CreditAmount.ZERO, w.key()));
    b.row("settling more than the hold and the balance cover, under refuse", InsufficientCreditsException.class,
        ErrorCode.INSUFFICIENT_CREDITS,
        w -> w.credits.settle(w.alice, w.active.id(), CreditAmount.of(50 + w.available(w.alice) + 1), w.key()));
    b.row("holding more than is available", InsufficientCreditsException.class, ErrorCode.INSUFFICIENT_CREDITS,
        w -> w.credits.hold(HoldRequest.of(w.alice, CreditAmount.of(w.available(w.alice) + 1), w.key())));
    b.row("holding Long.MAX_VALUE credits", InsufficientCreditsException.class, ErrorCode.INSUFFICIENT_CREDITS,
        w -> w.credits.hold(HoldRequest.of(w.alice, CreditAmount.of(Long.MAX_VALUE), w.key())));
    b.invalid("a support adjustment adding zero", ErrorCode.INVALID_AMOUNT,
        w -> w.gate.addCredits(w.alice, CreditAmount.ZERO, "typo", w.key()));
    b.invalid("a support adjustment removing zero", ErrorCode.INVALID_AMOUNT,
        w -> w.gate.removeCredits(w.alice, CreditAmount.ZERO, "typo", w.key()));
    b.invalid("a support adjustment without an amount", ErrorCode.INVALID_AMOUNT,
        w -> w.gate.addCredits(w.alice, null, "typo", w.key()));
    b.invalid("a support adjustment adding past Long.MAX_VALUE", ErrorCode.AMOUNT_OVERFLOW,
        w -> w.gate.addCredits(w.alice, CreditAmount.of(Long.MAX_VALUE), "typo", w.key()));
    b.row("a support adjustment removing more than is available", InsufficientCreditsException.class,
        ErrorCode.INSUFFICIENT_CREDITS,
        w -> w.gate.removeCredits(w.bob, CreditAmount.of(w.available(w.bob) + 1), "refund", w.key()));
    b.invalid("a generation that succeeded without a cost", ErrorCode.INVALID_AMOUNT,
        w -> w.gate.succeeded(w.alice, w.active.id(), (CreditAmount) null, w.key()));
    b.row("a generation that succeeded at more than the hold and the balance cover", OverageRefusedException.class,
        ErrorCode.INSUFFICIENT_CREDITS,
        w -> w.gate.succeeded(w.alice, w.active.id(), CreditAmount.of(50 + w.available(w.alice) + 1), w.key()));

    // ----------------------------------------------------------------------------- extension and overage
    b.invalid("extending a hold by zero credits", ErrorCode.INVALID_AMOUNT,
        w -> w.credits.extend(w.alice, w.active.id(), CreditAmount.ZERO, w.key()));
    b.invalid("extending a hold without an amount", ErrorCode.INVALID_AMOUNT,
        w -> w.credits.extend(w.alice, w.active.id(), null, w.key()));
    b.invalid("extending a hold past Long.MAX_VALUE", ErrorCode.AMOUNT_OVERFLOW,
        w -> w.credits.extend(w.alice, w.active.id(), CreditAmount.of(Long.MAX_VALUE), w.key()));
    b.invalid("extending a hold by a negative amount", ErrorCode.INVALID_AMOUNT,
        w -> w.credits.extend(w.alice, w.active.id(), CreditAmount.of(-5), w.key()));
    b.invalid("extending a hold with a ttl above the maximum", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.extend(w.alice, w.active.id(), CreditAmount.of(1), Duration.ofDays(30), w.key()));
    b.row("extending a hold by more than is available", InsufficientCreditsException.class,
        ErrorCode.INSUFFICIENT_CREDITS,
        w -> w.credits.extend(w.alice, w.active.id(), CreditAmount.of(w.available(w.alice) + 1), w.key()));
    b.row("extending a settled hold", HoldStateException.class, ErrorCode.HOLD_ALREADY_SETTLED,
        w -> w.credits.extend(w.alice, w.settled.id(), CreditAmount.of(1), w.key()));
    b.row("extending a released hold", HoldStateException.class, ErrorCode.HOLD_ALREADY_RELEASED,
        w -> w.credits.extend(w.alice, w.released.id(), CreditAmount.of(1), w.key()));
    b.row("extending a hold past its deadline", HoldStateException.class, ErrorCode.HOLD_EXPIRED,
        w -> w.credits.extend(w.alice, w.expired.id(), CreditAmount.of(1), w.key()));
    b.row("extending another account's hold", UnknownHoldException.class, ErrorCode.HOLD_NOT_FOUND,
        w -> w.credits.extend(w.alice, w.bobs.id(), CreditAmount.of(1), w.key()));
    b.row("extending a settled generation through the gate", HoldStateException.class,
        ErrorCode.HOLD_ALREADY_SETTLED, w -> w.gate.extend(w.alice, w.settled.id(), CreditAmount.of(1), w.key()));
    b.invalid("a debt bound below zero", ErrorCode.INVALID_ARGUMENT, w -> OveragePolicy.allowDebt(-1));
    b.invalid("a debt bound above the largest", ErrorCode.INVALID_ARGUMENT,
        w -> OveragePolicy.allowDebt(OveragePolicy.MAX_DEBT + 1));
    b.invalid("a debt bound on a take-available policy", ErrorCode.INVALID_ARGUMENT,
        w -> new OveragePolicy(OveragePolicy.Mode.TAKE_AVAILABLE, 10));
    b.invalid("setting a null overage policy", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.setOveragePolicy(w.alice, null, w.key()));
    b.row("an overage policy set again under its key with another policy", IdempotencyConflictException.class,
        ErrorCode.IDEMPOTENCY_CONFLICT, w -> w.credits.setOveragePolicy(w.alice, OveragePolicy.takeAvailable(),
            w.policyKey));
    b.row("an overage policy for an account never opened", UnknownAccountException.class,
        ErrorCode.ACCOUNT_NOT_FOUND, w -> w.credits.setOveragePolicy(w.nobody, OveragePolicy.refuse(), w.key()));
    b.invalid("a tier with a null overage policy", ErrorCode.INVALID_CONFIGURATION, w -> free.withOverage(null));
    b.invalid("an engine config with a null overage policy", ErrorCode.INVALID_CONFIGURATION,
        w -> CreditsConfig.builder().overagePolicy(null));

    // ----------------------------------------------------------------------------- ids and keys
    b.invalid("an empty account id", ErrorCode.INVALID_ACCOUNT_ID, w -> AccountId.of(""));
    b.invalid("a blank account id", ErrorCode.INVALID_ACCOUNT_ID, w -> AccountId.of("   "));
    b.invalid("an account id of 129 chars", ErrorCode.INVALID_ACCOUNT_ID, w -> AccountId.of("a".repeat(129)));
    b.invalid("an account id with a newline", ErrorCode.INVALID_ACCOUNT_ID, w -> AccountId.of("alice\nbob"));
    b.invalid("an account id with SQL in it", ErrorCode.INVALID_ACCOUNT_ID, w -> AccountId.of("a'; drop table x"));
    b.invalid("a null account id string", ErrorCode.INVALID_ACCOUNT_ID, w -> AccountId.of(null));
    b.invalid("a null account in a balance query", ErrorCode.INVALID_ACCOUNT_ID, w -> w.credits.balance(null));
    b.invalid("a null account in a grant", ErrorCode.INVALID_ACCOUNT_ID,
        w -> w.credits.grant(null, LotSource.PACK, CreditAmount.of(1), null, w.key()));
    b.invalid("an empty idempotency key", ErrorCode.INVALID_IDEMPOTENCY_KEY, w -> IdempotencyKey.of(""));
    b.invalid("an idempotency key of 201 chars", ErrorCode.INVALID_IDEMPOTENCY_KEY,
        w -> IdempotencyKey.of("k".repeat(201)));
    b.invalid("an idempotency key with non-ASCII chars", ErrorCode.INVALID_IDEMPOTENCY_KEY,
        w -> IdempotencyKey.of("clé-1"));
    b.invalid("an idempotency key with a space", ErrorCode.INVALID_IDEMPOTENCY_KEY, w -> IdempotencyKey.of("k 1"));
    b.invalid("a null idempotency key string", ErrorCode.INVALID_IDEMPOTENCY_KEY, w -> IdempotencyKey.of(null));
    b.invalid("a null key on a grant", ErrorCode.INVALID_IDEMPOTENCY_KEY,
        w -> w.credits.grant(w.alice, LotSource.PACK, CreditAmount.of(1), null, null));
    b.invalid("a null key on a settle", ErrorCode.INVALID_IDEMPOTENCY_KEY,
        w -> w.credits.settle(w.alice, w.active.id(), null));
    b.invalid("a null key on a hold request", ErrorCode.INVALID_IDEMPOTENCY_KEY,
        w -> HoldRequest.of(w.alice, CreditAmount.of(1), null));
    b.invalid("a null account on a hold request", ErrorCode.INVALID_ACCOUNT_ID,
        w -> HoldRequest.of(null, CreditAmount.of(1), w.key()));
    b.invalid("a null amount on a hold request", ErrorCode.INVALID_AMOUNT,
        w -> HoldRequest.of(w.alice, null, w.key()));
    b.invalid("a hold id without the h_ prefix", ErrorCode.INVALID_HOLD_ID, w -> HoldId.of("x_0123abcd"));
    b.invalid("a hold id that is only the prefix", ErrorCode.INVALID_HOLD_ID, w -> HoldId.of("h_"));
    b.invalid("a hold id with a dash", ErrorCode.INVALID_HOLD_ID, w -> HoldId.of("h_ab-cd"));
    b.invalid("a hold id of 67 chars", ErrorCode.INVALID_HOLD_ID, w -> HoldId.of("h_" + "a".repeat(65)));
    b.invalid("a null hold id string", ErrorCode.INVALID_HOLD_ID, w -> HoldId.of(null));
    b.invalid("a null hold on a release", ErrorCode.INVALID_HOLD_ID,
        w -> w.credits.release(w.alice, null, "failed", w.key()));
    b.invalid("a null hold request", ErrorCode.INVALID_ARGUMENT, w -> w.credits.hold(null));
    b.invalid("a null lot source on a grant", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.grant(w.alice, null, CreditAmount.of(1), null, w.key()));
    b.invalid("a grant that expires in the past", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.grant(w.alice, LotSource.PROMOTION, CreditAmount.of(1), T0.minusSeconds(1), w.key()));
    b.invalid("a grant that expires after year 9999, later than SQL timestamps hold", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.grant(w.alice, LotSource.PROMOTION, CreditAmount.of(1), Instant.parse("+10000-01-01T00:00:00Z"),
            w.key()));
    b.invalid("a hold with a negative ttl", ErrorCode.INVALID_ARGUMENT,
        w -> HoldRequest.of(w.alice, CreditAmount.of(1), w.key()).withTtl(Duration.ofSeconds(-1)));
    b.invalid("a hold with a ttl beyond the maximum", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.hold(HoldRequest.of(w.alice, CreditAmount.of(1), w.key()).withTtl(Duration.ofDays(365))));
    b.invalid("hold metadata with 33 entries", ErrorCode.INVALID_ARGUMENT, w -> {
      Map<String, String> many = new HashMap<>();
      for (int i = 0; i < 33; i++) {
        many.put("k" + i, "v");
      }
      w.credits.grant(w.alice, LotSource.PACK, CreditAmount.of(1), null, many, w.key());
    });
    b.invalid("hold metadata with a 257-char value", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.hold(HoldRequest.of(w.alice, CreditAmount.of(1), w.key()).withMetadata("prompt",
            "p".repeat(257))));
    b.invalid("null metadata on a settle", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.settle(w.alice, w.active.id(), CreditAmount.of(1), null, w.key()));
    b.invalid("a null release reason", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.release(w.alice, w.active.id(), null, w.key()));
    b.invalid("a release reason of 257 chars", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.release(w.alice, w.active.id(), "r".repeat(257), w.key()));
    b.invalid("a support adjustment without a reason", ErrorCode.INVALID_ARGUMENT,
        w -> w.gate.addCredits(w.alice, CreditAmount.of(5), " ", w.key()));

    // ----------------------------------------------------------------------------- states
    b.row("settling a released hold", HoldStateException.class, ErrorCode.HOLD_ALREADY_RELEASED,
        w -> w.credits.settle(w.alice, w.released.id(), w.key()));
    b.row("releasing a settled hold", HoldStateException.class, ErrorCode.HOLD_ALREADY_SETTLED,
        w -> w.credits.release(w.alice, w.settled.id(), "failed", w.key()));
    b.row("settling a settled hold again with a new key", HoldStateException.class, ErrorCode.HOLD_ALREADY_SETTLED,
        w -> w.credits.settle(w.alice, w.settled.id(), w.key()));
    b.row("settling a hold past its deadline", HoldStateException.class, ErrorCode.HOLD_EXPIRED,
        w -> w.credits.settle(w.alice, w.expired.id(), w.key()));
    b.row("releasing a hold past its deadline", HoldStateException.class, ErrorCode.HOLD_EXPIRED,
        w -> w.credits.release(w.alice, w.expired.id(), "late", w.key()));
    b.row("reporting success for a released hold", HoldStateException.class, ErrorCode.HOLD_ALREADY_RELEASED,
        w -> w.gate.succeeded(w.alice, w.released.id(), CreditAmount.of(5), w.key()));
    b.row("reporting failure for a settled hold", HoldStateException.class, ErrorCode.HOLD_ALREADY_SETTLED,
        w -> w.gate.failed(w.alice, w.settled.id(), "timeout", w.key()));
    b.row("a used key with another amount", IdempotencyConflictException.class, ErrorCode.IDEMPOTENCY_CONFLICT,
        w -> w.credits.grant(w.alice, LotSource.PACK, CreditAmount.of(101), null, w.usedKey));
    b.row("a used key for another operation", IdempotencyConflictException.class, ErrorCode.IDEMPOTENCY_CONFLICT,
        w -> w.credits.hold(HoldRequest.of(w.alice, CreditAmount.of(100), w.usedKey)));
    b.row("a used key with other metadata", IdempotencyConflictException.class, ErrorCode.IDEMPOTENCY_CONFLICT,
        w -> w.credits.grant(w.alice, LotSource.PACK, CreditAmount.of(100), null, Map.of("note", "x"), w.usedKey));

    // ----------------------------------------------------------------------------- grant lifecycle
    b.row("voiding a lot the account never had", StateException.class, ErrorCode.LOT_NOT_FOUND,
        w -> w.credits.voidGrant(w.alice, new LotId(999_999), "mistake", w.key()));
    b.row("voiding another account's lot", StateException.class, ErrorCode.LOT_NOT_FOUND,
        w -> w.credits.voidGrant(w.bob, w.packLot.lot(), "mistake", w.key()));
    b.row("voiding a grant twice with a new key", StateException.class, ErrorCode.LOT_ENDED,
        w -> w.credits.voidGrant(w.alice, w.voidedLot.lot(), "granted by mistake", w.key()));
    b.row("a void's key reused for another lot", IdempotencyConflictException.class, ErrorCode.IDEMPOTENCY_CONFLICT,
        w -> w.credits.voidGrant(w.alice, w.packLot.lot(), "granted by mistake", w.voidKey));
    b.row("a grant's key reused for a void", IdempotencyConflictException.class, ErrorCode.IDEMPOTENCY_CONFLICT,
        w -> w.credits.voidGrant(w.alice, w.packLot.lot(), "mistake", w.usedKey));
    b.invalid("voiding a null lot", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.voidGrant(w.alice, null, "mistake", w.key()));
    b.invalid("voiding with a null reason", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.voidGrant(w.alice, w.packLot.lot(), null, w.key()));
    b.invalid("voiding with a reason of 257 chars", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.voidGrant(w.alice, w.packLot.lot(), "r".repeat(257), w.key()));
    b.invalid("moving an expiry into the past", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.changeExpiry(w.alice, w.packLot.lot(), T0.minus(Duration.ofDays(1)), "x", w.key()));
    b.invalid("an expiry before 1970 (a negative epoch)", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.changeExpiry(w.alice, w.packLot.lot(), Instant.ofEpochSecond(-1), "x", w.key()));
    b.invalid("an expiry past the year 9999", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.changeExpiry(w.alice, w.packLot.lot(), Instant.MAX, "x", w.key()));
    b.invalid("an expiry change with a null reason", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.changeExpiry(w.alice, w.packLot.lot(), null, null, w.key()));
    b.invalid("an expiry change to the expiry the lot has", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.changeExpiry(w.alice, w.packLot.lot(), null, "x", w.key()));
    b.row("changing the expiry of a voided lot", StateException.class, ErrorCode.LOT_ENDED,
        w -> w.credits.changeExpiry(w.alice, w.voidedLot.lot(), null, "x", w.key()));
    b.row("changing the expiry of a lot the account never had", StateException.class, ErrorCode.LOT_NOT_FOUND,
        w -> w.credits.changeExpiry(w.alice, new LotId(999_999), null, "x", w.key()));
    b.invalid("a grant starting after its expiry", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.grantStarting(w.alice, LotSource.PROMOTION, CreditAmount.of(5), T0.plus(Duration.ofDays(2)),
            T0.plus(Duration.ofDays(1)), Map.of(), w.key()));
    b.invalid("a grant with a null start", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.grantStarting(w.alice, LotSource.PROMOTION, CreditAmount.of(5), null, null, Map.of(),
            w.key()));
    b.invalid("a grant starting past the year 9999", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.grantStarting(w.alice, LotSource.PROMOTION, CreditAmount.of(5), Instant.MAX, null, Map.of(),
            w.key()));

    // ----------------------------------------------------------------------------- other accounts, unknown ids
    b.row("settling another account's hold", UnknownHoldException.class, ErrorCode.HOLD_NOT_FOUND,
        w -> w.credits.settle(w.alice, w.bobs.id(), w.key()));
    b.row("releasing another account's hold", UnknownHoldException.class, ErrorCode.HOLD_NOT_FOUND,
        w -> w.credits.release(w.alice, w.bobs.id(), "mine now", w.key()));
    b.row("blocking another account's generation", UnknownHoldException.class, ErrorCode.HOLD_NOT_FOUND,
        w -> w.gate.blocked(w.alice, w.bobs.id(), w.key()));
    b.row("settling a hold that never existed", UnknownHoldException.class, ErrorCode.HOLD_NOT_FOUND,
        w -> w.credits.settle(w.alice, HoldId.random(), w.key()));
    b.row("a grant to an account never opened", UnknownAccountException.class, ErrorCode.ACCOUNT_NOT_FOUND,
        w -> w.credits.grant(w.nobody, LotSource.PACK, CreditAmount.of(1), null, w.key()));
    b.row("a hold on an account never opened", UnknownAccountException.class, ErrorCode.ACCOUNT_NOT_FOUND,
        w -> w.credits.hold(HoldRequest.of(w.nobody, CreditAmount.of(1), w.key())));
    b.row("the balance of an account never opened", UnknownAccountException.class, ErrorCode.ACCOUNT_NOT_FOUND,
        w -> w.credits.balance(w.nobody));
    b.row("the history of an account never opened", UnknownAccountException.class, ErrorCode.ACCOUNT_NOT_FOUND,
        w -> w.credits.history(w.nobody, LedgerQuery.firstPage(10)));
    b.row("reconciling an account never opened", UnknownAccountException.class, ErrorCode.ACCOUNT_NOT_FOUND,
        w -> w.credits.reconcile(w.nobody));
    b.row("verifying the email of an account never opened", UnknownAccountException.class,
        ErrorCode.ACCOUNT_NOT_FOUND, w -> w.plans.verifyEmail(w.nobody, w.key()));

    // ----------------------------------------------------------------------------- tiers and packs
    b.invalid("subscribing to an unknown tier", ErrorCode.UNKNOWN_TIER,
        w -> w.plans.subscribe(w.bob, "studio_max", w.key()));
    b.invalid("subscribing to the free tier", ErrorCode.INVALID_ARGUMENT,
        w -> w.plans.subscribe(w.bob, "free", w.key()));
    b.row("subscribing twice", StateException.class, ErrorCode.ALREADY_SUBSCRIBED,
        w -> w.plans.subscribe(w.alice, "studio_pro", w.key()));
    b.row("changing the plan without a subscription", StateException.class, ErrorCode.SUBSCRIPTION_REQUIRED,
        w -> w.plans.changePlan(w.bob, "studio_pro", w.key()));
    b.invalid("changing the plan to an unknown tier", ErrorCode.UNKNOWN_TIER,
        w -> w.plans.changePlan(w.alice, "gold", w.key()));
    b.row("cancelling without a subscription", StateException.class, ErrorCode.SUBSCRIPTION_REQUIRED,
        w -> w.plans.cancel(w.bob, w.key()));
    b.invalid("buying an unknown pack", ErrorCode.UNKNOWN_PACK, w -> w.plans.buyPack(w.alice, "pack_1m", w.key()));
    b.row("buying a pack on the free tier", StateException.class, ErrorCode.PACKS_REQUIRE_PAID_TIER,
        w -> w.plans.buyPack(w.bob, PackCatalog.defaults().packs().get(0).id(), w.key()));
    b.invalid("an automatic top-up whose monthly cap is below one pack", ErrorCode.TOP_UP_CAP_BELOW_PACK,
        w -> w.plans.enableAutoTopUp(w.alice, new AutoTopUp(100, "pack_500", 499), w.key()));
    b.row("an automatic top-up on the free tier", StateException.class, ErrorCode.PACKS_REQUIRE_PAID_TIER,
        w -> w.plans.enableAutoTopUp(w.bob, new AutoTopUp(100, "pack_500", 5_000), w.key()));
    b.invalid("an automatic top-up of an unknown pack", ErrorCode.UNKNOWN_PACK,
        w -> w.plans.enableAutoTopUp(w.alice, new AutoTopUp(100, "pack_1m", 5_000), w.key()));
    b.invalid("an automatic top-up with a zero threshold", ErrorCode.INVALID_AMOUNT,
        w -> w.plans.enableAutoTopUp(w.alice, new AutoTopUp(0, "pack_500", 5_000), w.key()));
    b.invalid("an automatic top-up with a negative threshold", ErrorCode.INVALID_AMOUNT,
        w -> w.plans.enableAutoTopUp(w.alice, new AutoTopUp(Long.MIN_VALUE, "pack_500", 5_000), w.key()));
    b.invalid("an automatic top-up with a zero cap", ErrorCode.INVALID_AMOUNT,
        w -> w.plans.enableAutoTopUp(w.alice, new AutoTopUp(100, "pack_500", 0), w.key()));
    b.invalid("an automatic top-up without a pack", ErrorCode.INVALID_ARGUMENT,
        w -> w.plans.enableAutoTopUp(w.alice, new AutoTopUp(100, " ", 5_000), w.key()));
    b.invalid("a null automatic top-up", ErrorCode.INVALID_ARGUMENT,
        w -> w.plans.enableAutoTopUp(w.alice, null, w.key()));
    b.row("an automatic top-up of a pack sold to other tiers", StateException.class, ErrorCode.PACK_NOT_FOR_TIER,
        w -> Credits.builder().store(w.store).clock(w.clock).billing(w.gateway)
            .packs(PackCatalog.of(List.of(Pack.of("pro_only", 100, Pack.Price.of(100, "USD")).onlyFor(List.of("studio_pro")))))
            .build().plans().enableAutoTopUp(w.alice, new AutoTopUp(100, "pro_only", 5_000), w.key()));
    b.invalid("a tier catalog with a duplicate tier id", ErrorCode.INVALID_CONFIGURATION,
        w -> TierCatalog.builder().tier(free).tier(studio).tier(studio).build());
    b.invalid("a tier catalog without a paid tier", ErrorCode.INVALID_CONFIGURATION,
        w -> TierCatalog.builder().tier(free).build());
    b.invalid("a tier catalog whose first tier is paid", ErrorCode.INVALID_CONFIGURATION,
        w -> TierCatalog.builder().tier(studio).tier(free).build());
    b.invalid("a null tier in a catalog", ErrorCode.INVALID_CONFIGURATION, w -> TierCatalog.builder().tier(null));
    b.invalid("a tier with a negative allowance", ErrorCode.INVALID_CONFIGURATION,
        w -> Tier.paid("studio", "Studio", -1, basic));
    b.invalid("a tier id with capitals and a space", ErrorCode.INVALID_CONFIGURATION,
        w -> Tier.paid("Studio Pro", "Studio Pro", 10, basic));
    b.invalid("a free tier that rolls allowance over", ErrorCode.INVALID_CONFIGURATION,
        w -> Tier.free("free", "Free", basic).withRolloverCap(10));
    b.invalid("a tier with a negative rollover cap", ErrorCode.INVALID_CONFIGURATION,
        w -> Tier.paid("studio", "Studio", 10, basic).withRolloverCap(-1));
    b.invalid("a tier without entitlements", ErrorCode.INVALID_CONFIGURATION,
        w -> Tier.paid("studio", "Studio", 10, null));
    b.invalid("entitlements with zero variants", ErrorCode.INVALID_CONFIGURATION,
        w -> Entitlements.builder().resolutions("720p").maxClipSeconds(5).maxVariants(0).models("standard").build());
    b.invalid("entitlements with a negative clip length", ErrorCode.INVALID_CONFIGURATION,
        w -> Entitlements.builder().maxClipSeconds(-1).build());
    b.invalid("entitlements with a null set", ErrorCode.INVALID_CONFIGURATION,
        w -> Entitlements.builder().resolutions((String[]) null));
    b.invalid("a pack of negative credits", ErrorCode.INVALID_CONFIGURATION,
        w -> Pack.of("pack_small", -500, Pack.Price.of(999, "EUR")));
    b.invalid("a pack with a lowercase currency", ErrorCode.INVALID_CONFIGURATION,
        w -> Pack.of("pack_small", 500, Pack.Price.of(999, "eur")));
    b.invalid("a pack without a price", ErrorCode.INVALID_CONFIGURATION, w -> Pack.of("pack_small", 500, null));
    b.invalid("a pack catalog with a duplicate pack id", ErrorCode.INVALID_CONFIGURATION,
        w -> PackCatalog.of(List.of(Pack.of("p", 1, Pack.Price.of(1, "EUR")),
            Pack.of("p", 2, Pack.Price.of(2, "EUR")))));
    b.invalid("a null pack catalog list", ErrorCode.INVALID_CONFIGURATION, w -> PackCatalog.of(null));

    // ----------------------------------------------------------------------------- rate cards and requests
    b.invalid("estimating an unknown model", ErrorCode.UNKNOWN_MODEL,
        w -> RateCard.defaults().estimate(GenerationRequest.image("nope", "720p")));
    b.invalid("authorizing an unknown model", ErrorCode.UNKNOWN_MODEL,
        w -> w.gate.authorize(w.alice, GenerationRequest.image("nope", "720p"), w.key()));
    b.invalid("authorizing an unknown resolution", ErrorCode.UNKNOWN_RESOLUTION,
        w -> w.gate.authorize(w.alice, GenerationRequest.image("standard", "8k"), w.key()));
    b.invalid("authorizing an empty batch", ErrorCode.INVALID_ARGUMENT,
        w -> w.gate.authorizeBatch(w.alice, List.of(), w.key()));
    b.invalid("authorizing a batch of 501", ErrorCode.INVALID_ARGUMENT,
        w -> w.gate.authorizeBatch(w.alice, Collections.nCopies(501, image), w.key()));
    b.invalid("a model rate with a negative price", ErrorCode.INVALID_CONFIGURATION,
        w -> ModelRate.perCall(GenerationKind.IMAGE, "m", -1, Map.of()));
    b.invalid("a model rate that is free", ErrorCode.INVALID_CONFIGURATION,
        w -> ModelRate.perCall(GenerationKind.IMAGE, "m", 0, Map.of()));
    b.invalid("a per-second rate above 10^9 millicredits", ErrorCode.INVALID_CONFIGURATION,
        w -> ModelRate.perSecond(GenerationKind.VOICE_LINE, "m", 0, 1_000_000_001L, Map.of()));
    b.invalid("a model rate with a blank model", ErrorCode.INVALID_CONFIGURATION,
        w -> ModelRate.perCall(GenerationKind.IMAGE, " ", 1_000, Map.of()));
    b.invalid("a model rate without a kind", ErrorCode.INVALID_CONFIGURATION,
        w -> ModelRate.perCall(null, "m", 1_000, Map.of()));
    b.invalid("a model rate without resolution factors", ErrorCode.INVALID_CONFIGURATION,
        w -> ModelRate.perCall(GenerationKind.IMAGE, "m", 1_000, null));
    b.invalid("a ratio with a zero denominator", ErrorCode.INVALID_CONFIGURATION, w -> Ratio.of(1, 0));
    b.invalid("a negative ratio", ErrorCode.INVALID_CONFIGURATION, w -> Ratio.of(-1, 2));
    b.invalid("a rate card without a version", ErrorCode.INVALID_CONFIGURATION,
        w -> RateCard.of(" ", List.of(ModelRate.perCall(GenerationKind.IMAGE, "m", 1, Map.of())), Ratio.ONE));
    b.invalid("a rate card without rates", ErrorCode.INVALID_CONFIGURATION,
        w -> RateCard.of("v1", List.of(), Ratio.ONE));
    b.invalid("a rate card with two rates for one model", ErrorCode.INVALID_CONFIGURATION,
        w -> RateCard.of("v1", List.of(ModelRate.perCall(GenerationKind.IMAGE, "m", 1, Map.of()),
            ModelRate.perCall(GenerationKind.IMAGE, "m", 2, Map.of())), Ratio.ONE));
    b.invalid("a rate card without a reshot factor", ErrorCode.INVALID_CONFIGURATION,
        w -> RateCard.of("v1", List.of(ModelRate.perCall(GenerationKind.IMAGE, "m", 1, Map.of())), null));
    b.invalid("a generation of zero variants", ErrorCode.INVALID_ARGUMENT, w -> image.withVariants(0));
    b.invalid("a generation of 65 variants", ErrorCode.INVALID_ARGUMENT, w -> image.withVariants(65));
    b.invalid("a clip of zero seconds", ErrorCode.INVALID_ARGUMENT,
        w -> GenerationRequest.clip("standard", "720p", 0));
    b.invalid("a clip of 3601 seconds", ErrorCode.INVALID_ARGUMENT,
        w -> GenerationRequest.clip("standard", "720p", 3601));
    b.invalid("a generation without a model", ErrorCode.INVALID_ARGUMENT,
        w -> GenerationRequest.image(null, "720p"));
    b.invalid("a generation with a null feature", ErrorCode.INVALID_ARGUMENT, w -> image.withFeature(null));
    b.invalid("a negative token count", ErrorCode.INVALID_ARGUMENT,
        w -> GenerationRequest.tokens(CHAT, "chat-mini", -1, 100));
    b.invalid("a negative reasoning token count", ErrorCode.INVALID_ARGUMENT,
        w -> GenerationRequest.tokens(CHAT, "chat-mini", 10, 100).withReasoningTokens(-5));
    b.invalid("a negative quantity of a custom dimension", ErrorCode.INVALID_ARGUMENT,
        w -> GenerationRequest.of(CHAT, "chat-mini").with(PriceDimension.of("pages"), -1));
    b.invalid("authorizing tokens of a dimension the rate does not price", ErrorCode.UNKNOWN_PRICE_DIMENSION,
        w -> w.gate.authorize(w.alice, GenerationRequest.tokens(CHAT, "chat-mini", 10, 100).withReasoningTokens(5),
            w.key()));
    b.invalid("estimating a custom dimension on an image", ErrorCode.UNKNOWN_PRICE_DIMENSION,
        w -> w.gate.rateCard().estimate(image.with(PriceDimension.of("pages"), 3)));
    b.invalid("authorizing Long.MAX_VALUE tokens (token x price overflows)", ErrorCode.AMOUNT_OVERFLOW,
        w -> w.gate.authorize(w.alice, GenerationRequest.tokens(CHAT, "chat-mini", Long.MAX_VALUE, Long.MAX_VALUE),
            w.key()));
    b.invalid("estimating Long.MAX_VALUE output tokens", ErrorCode.AMOUNT_OVERFLOW,
        w -> w.gate.rateCard().estimate(GenerationRequest.tokens(CHAT, "chat-mini", 0, Long.MAX_VALUE)));
    b.invalid("a generation kind named in lower case", ErrorCode.INVALID_ARGUMENT, w -> GenerationKind.of("chat"));
    b.invalid("a generation kind with a space", ErrorCode.INVALID_ARGUMENT, w -> GenerationKind.of("CHAT COMPLETION"));
    b.invalid("a blank generation kind", ErrorCode.INVALID_ARGUMENT, w -> GenerationKind.of(""));
    b.invalid("a price dimension named in upper case", ErrorCode.INVALID_ARGUMENT, w -> PriceDimension.of("TOKENS"));
    b.invalid("a token rate without prices", ErrorCode.INVALID_CONFIGURATION,
        w -> ModelRate.perToken(CHAT, "m", null));
    b.invalid("a negative price per million tokens", ErrorCode.INVALID_CONFIGURATION,
        w -> TokenPrices.of(-1, 10));
    b.invalid("a token rate that is free", ErrorCode.INVALID_CONFIGURATION,
        w -> ModelRate.perToken(CHAT, "m", TokenPrices.of(0, 0)));
    b.invalid("a rate card changed without a new version", ErrorCode.INVALID_CONFIGURATION,
        w -> RateCard.defaults().with("2026-11", ModelRate.flat(CHAT, "m", 1_000)));
    b.invalid("settling a hold not placed by the gate from its usage", ErrorCode.INVALID_ARGUMENT,
        w -> w.gate.succeeded(w.alice, w.active.id(), GenerationRequest.tokens(CHAT, "chat-mini", 10, 10), w.key()));
    b.invalid("settling from a missing usage", ErrorCode.INVALID_ARGUMENT,
        w -> w.gate.succeeded(w.alice, w.active.id(), (GenerationRequest) null, w.key()));
    b.row("settling another account's hold from its usage", UnknownHoldException.class, ErrorCode.HOLD_NOT_FOUND,
        w -> w.gate.succeeded(w.alice, w.bobs.id(), GenerationRequest.tokens(CHAT, "chat-mini", 10, 10), w.key()));

    // ----------------------------------------------------------------------------- configuration builders
    b.invalid("zero commit attempts", ErrorCode.INVALID_CONFIGURATION,
        w -> CreditsConfig.builder().maxCommitAttempts(0));
    b.invalid("a negative default hold ttl", ErrorCode.INVALID_CONFIGURATION,
        w -> CreditsConfig.builder().defaultHoldTtl(Duration.ofMinutes(-1)));
    b.invalid("a maximum hold ttl below the default", ErrorCode.INVALID_CONFIGURATION,
        w -> CreditsConfig.builder().maxHoldTtl(Duration.ofSeconds(1)).build());
    b.invalid("a sweep batch of zero", ErrorCode.INVALID_CONFIGURATION, w -> CreditsConfig.builder().sweepBatchSize(0));
    b.invalid("a null default hold ttl", ErrorCode.INVALID_CONFIGURATION,
        w -> CreditsConfig.builder().defaultHoldTtl(null));
    b.invalid("a credit service without a store", ErrorCode.INVALID_CONFIGURATION,
        w -> CreditService.builder().build());
    b.invalid("a null store for a credit service", ErrorCode.INVALID_CONFIGURATION,
        w -> CreditService.builder().store(null));
    b.invalid("a null clock for a credit service", ErrorCode.INVALID_CONFIGURATION,
        w -> CreditService.builder().clock(null));
    b.invalid("a gate config without a kind's deadline", ErrorCode.INVALID_CONFIGURATION,
        w -> GateConfig.defaults().withHoldDeadline(GenerationKind.IMAGE, null));
    b.invalid("a gate config with a zero deadline", ErrorCode.INVALID_CONFIGURATION,
        w -> GateConfig.defaults().withHoldDeadline(GenerationKind.IMAGE, Duration.ZERO));
    b.invalid("a gate deadline for no kind", ErrorCode.INVALID_CONFIGURATION,
        w -> GateConfig.defaults().withHoldDeadline(null, Duration.ofMinutes(1)));
    b.invalid("a gate config with a negative low-balance threshold", ErrorCode.INVALID_CONFIGURATION,
        w -> GateConfig.defaults().withLowBalanceThreshold(-1));
    b.invalid("the library built without a store", ErrorCode.INVALID_CONFIGURATION, w -> Credits.builder().build());
    b.invalid("the library given a null rate card", ErrorCode.INVALID_CONFIGURATION,
        w -> Credits.builder().rateCard(null));
    b.invalid("the library given a null tier catalog", ErrorCode.INVALID_CONFIGURATION,
        w -> Credits.builder().tiers(null));
    b.invalid("the library given a null billing gateway", ErrorCode.INVALID_CONFIGURATION,
        w -> Credits.builder().billing(null));
    b.invalid("the library given a null low-balance listener", ErrorCode.INVALID_CONFIGURATION,
        w -> Credits.builder().lowBalanceListener(null));
    b.invalid("a negative signup grant", ErrorCode.INVALID_CONFIGURATION,
        w -> PlansConfig.defaults().withSignupGrant(-1));
    b.invalid("a renewal batch of zero", ErrorCode.INVALID_CONFIGURATION,
        w -> PlansConfig.defaults().withRenewalBatchSize(0));
    b.invalid("plans config without a time zone", ErrorCode.INVALID_CONFIGURATION,
        w -> PlansConfig.defaults().withZone(null));
    b.invalid("plans config without an upgrade policy", ErrorCode.INVALID_CONFIGURATION,
        w -> PlansConfig.defaults().withUpgradePolicy(null));
    b.invalid("a ledger page of zero entries", ErrorCode.INVALID_ARGUMENT, w -> LedgerQuery.firstPage(0));
    b.invalid("a ledger page above the maximum", ErrorCode.INVALID_ARGUMENT,
        w -> LedgerQuery.firstPage(LedgerQuery.MAX_LIMIT + 1));
    b.invalid("a negative ledger cursor", ErrorCode.INVALID_ARGUMENT, w -> LedgerQuery.after(-1, 10));
    b.invalid("a ledger time range that ends before it starts", ErrorCode.INVALID_ARGUMENT,
        w -> LedgerQuery.between(T0, T0.minusSeconds(1), 10));
    b.invalid("a null ledger query", ErrorCode.INVALID_ARGUMENT, w -> w.credits.history(w.alice, null));

    // ----------------------------------------------------------------------------- tried as a new user would
    b.invalid("a settle whose amount is null (only settleAll settles the whole hold)", ErrorCode.INVALID_AMOUNT,
        w -> w.credits.settle(w.alice, w.active.id(), (CreditAmount) null, w.key()));
    b.invalid("a settle with metadata whose amount is null", ErrorCode.INVALID_AMOUNT,
        w -> w.credits.settle(w.alice, w.active.id(), null, Map.of("output", "x"), w.key()));
    b.invalid("a support adjustment without an idempotency key", ErrorCode.INVALID_IDEMPOTENCY_KEY,
        w -> w.gate.addCredits(w.alice, CreditAmount.of(5), "goodwill", null));
    b.invalid("a support adjustment without an account", ErrorCode.INVALID_ACCOUNT_ID,
        w -> w.gate.removeCredits(null, CreditAmount.of(5), "goodwill", w.key()));
    b.invalid("a max hold ttl so long that a deadline would overflow", ErrorCode.INVALID_CONFIGURATION,
        w -> CreditsConfig.builder().maxHoldTtl(Duration.ofSeconds(Long.MAX_VALUE)));
    b.invalid("a gate deadline so long that it would overflow", ErrorCode.INVALID_CONFIGURATION,
        w -> GateConfig.defaults().withHoldDeadline(GenerationKind.IMAGE, Duration.ofSeconds(Long.MAX_VALUE)));
    b.invalid("an authorization without a request", ErrorCode.INVALID_ARGUMENT,
        w -> w.gate.authorize(w.alice, null, w.key()));
    b.invalid("an authorization without an idempotency key", ErrorCode.INVALID_IDEMPOTENCY_KEY,
        w -> w.gate.authorize(w.alice, GenerationRequest.image("standard", "720p"), null));
    b.invalid("walking the ledger with no sink", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.forEachEntry(w.alice, LedgerQuery.firstPage(10), null));
    b.invalid("walking the ledger with no query", ErrorCode.INVALID_ARGUMENT,
        w -> w.credits.forEachEntry(w.alice, null, e -> { }));
    b.invalid("a time range without a start", ErrorCode.INVALID_ARGUMENT, w -> LedgerQuery.between(null, T0, 10));
    b.invalid("a generation history over no credit service", ErrorCode.INVALID_CONFIGURATION,
        w -> new io.preprompt.credits.gate.GenerationHistory(null));
    b.invalid("entitlements that list a null model", ErrorCode.INVALID_CONFIGURATION,
        w -> Entitlements.builder().models("standard", null));

    // ----------------------------------------------------------------------------- billing events
    b.invalid("a paid cycle with a negative number", ErrorCode.INVALID_ARGUMENT,
        w -> w.plans.handle(new BillingEvent.CyclePaid("evt-1", w.alice, -1)));
    b.invalid("a paid cycle a thousand years ahead", ErrorCode.INVALID_ARGUMENT,
        w -> w.plans.handle(new BillingEvent.CyclePaid("evt-1", w.alice, 12_001)));
    b.invalid("a failed payment with a negative cycle", ErrorCode.INVALID_ARGUMENT,
        w -> w.plans.handle(new BillingEvent.PaymentFailed("evt-1", w.alice, -3)));
    b.invalid("a payment for an ordered pack_500 that names pack_1500", ErrorCode.PAYMENT_MISMATCH,
        w -> w.plans.handle(new BillingEvent.PackPaid("evt-1", w.alice, "pack_1500", w.openOrder.paymentReference(),
            1_200, "USD")));
    b.invalid("a payment for an open order of less than its price", ErrorCode.PAYMENT_MISMATCH,
        w -> w.plans.handle(new BillingEvent.PackPaid("evt-1", w.alice, "pack_500", w.openOrder.paymentReference(),
            499, "USD")));
    b.invalid("a payment for an open order in another currency", ErrorCode.PAYMENT_MISMATCH,
        w -> w.plans.handle(new BillingEvent.PackPaid("evt-1", w.alice, "pack_500", w.openOrder.paymentReference(),
            500, "EUR")));
    b.invalid("a payment with a made-up reference", ErrorCode.PAYMENT_MISMATCH,
        w -> w.plans.handle(new BillingEvent.PackPaid("evt-1", w.alice, "pack_500", "ext-ref-1", 500, "USD")));
    b.invalid("a payment naming bob with alice's order", ErrorCode.PAYMENT_MISMATCH,
        w -> w.plans.handle(new BillingEvent.PackPaid("evt-1", w.bob, "pack_500", w.openOrder.paymentReference(),
            500, "USD")));
    b.row("a payment reference granted once, sent again for another pack", IdempotencyConflictException.class,
        ErrorCode.IDEMPOTENCY_CONFLICT,
        w -> w.plans.handle(new BillingEvent.PackPaid("evt-2", w.alice, "pack_1500", w.paidOrder.paymentReference(),
            1_200, "USD")));
    b.invalid("a pack payment for an unknown pack", ErrorCode.UNKNOWN_PACK,
        w -> w.plans.handle(new BillingEvent.PackPaid("evt-1", w.alice, "pack_1m", "ref-1", 100, "USD")));
    b.invalid("a pack payment with a negative amount", ErrorCode.INVALID_ARGUMENT,
        w -> w.plans.handle(new BillingEvent.PackPaid("evt-1", w.alice, "pack_500", "ref-1", -1, "USD")));
    b.invalid("a pack payment without a currency", ErrorCode.INVALID_ARGUMENT,
        w -> w.plans.handle(new BillingEvent.PackPaid("evt-1", w.alice, "pack_500", "ref-1", 500, null)));
    b.row("a paid cycle that starts next month", StateException.class,
        ErrorCode.CYCLE_NOT_STARTED, w -> w.plans.handle(new BillingEvent.CyclePaid("evt-1", w.alice, 1)));
    b.invalid("a grant under a key in the library's namespace", ErrorCode.INVALID_IDEMPOTENCY_KEY,
        w -> w.credits.grant(w.alice, LotSource.PROMOTION, CreditAmount.of(5), null, IdempotencyKey.of("~evt.evt-1")));
    b.invalid("a pack order under a key in the library's namespace", ErrorCode.INVALID_IDEMPOTENCY_KEY,
        w -> w.plans.buyPack(w.alice, "pack_500", IdempotencyKey.reserved("pay", "x")));
    b.invalid("a hold under a key in the library's namespace", ErrorCode.INVALID_IDEMPOTENCY_KEY,
        w -> w.credits.hold(HoldRequest.of(w.alice, CreditAmount.of(5), IdempotencyKey.of("~k"))));
    b.invalid("an account opened under a key in the library's namespace", ErrorCode.INVALID_IDEMPOTENCY_KEY,
        w -> w.credits.openAccount(AccountId.of("carol"), IdempotencyKey.of("~open")));
    b.invalid("a billing event with an empty event id", ErrorCode.INVALID_ARGUMENT,
        w -> w.plans.handle(new BillingEvent.CyclePaid("", w.alice, 1)));
    b.invalid("a billing event with a null event id", ErrorCode.INVALID_ARGUMENT,
        w -> w.plans.handle(new BillingEvent.CyclePaid(null, w.alice, 1)));
    b.invalid("a billing event with spaces in its event id", ErrorCode.INVALID_ARGUMENT,
        w -> w.plans.handle(new BillingEvent.CyclePaid("evt 1", w.alice, 1)));
    b.invalid("a billing event without an account", ErrorCode.INVALID_ACCOUNT_ID,
        w -> w.plans.handle(new BillingEvent.CyclePaid("evt-1", null, 1)));
    b.invalid("a pack payment without a payment reference", ErrorCode.INVALID_ARGUMENT,
        w -> w.plans.handle(new BillingEvent.PackPaid("evt-1", w.alice, "pack_small", " ", 500, "USD")));
    b.invalid("a cancellation without an effective time", ErrorCode.INVALID_ARGUMENT,
        w -> w.plans.handle(new BillingEvent.SubscriptionCancelled("evt-1", w.alice, null)));
    b.invalid("a cancellation effective after year 9999", ErrorCode.INVALID_ARGUMENT,
        w -> w.plans.handle(new BillingEvent.SubscriptionCancelled("evt-1", w.alice, Instant.MAX)));
    b.invalid("a null billing event", ErrorCode.INVALID_ARGUMENT, w -> w.plans.handle(null));
    b.row("a paid period that starts next month", StateException.class, ErrorCode.BILLING_PERIOD_NOT_STARTED,
        w -> w.plans.handle(new BillingEvent.PeriodPaid("evt-1", w.alice, "studio", T0.plus(Duration.ofDays(31)),
            T0.plus(Duration.ofDays(61)), "in_1", 1_200, "USD")));
    b.row("a first paid period that starts next month", StateException.class, ErrorCode.BILLING_PERIOD_NOT_STARTED,
        w -> w.plans.handle(new BillingEvent.PeriodPaid("evt-1", w.bob, "studio", T0.plus(Duration.ofDays(31)),
            T0.plus(Duration.ofDays(61)), "in_1", 1_200, "USD")));
    b.invalid("a paid period whose end is not its cycle's end", ErrorCode.BILLING_PERIOD_MISMATCH,
        w -> w.plans.handle(new BillingEvent.PeriodPaid("evt-1", w.alice, "studio", T0, T0.plus(Duration.ofDays(30)),
            "in_1", 1_200, "USD")));
    b.invalid("a paid period that starts at no cycle's start", ErrorCode.BILLING_PERIOD_MISMATCH,
        w -> w.plans.handle(new BillingEvent.PeriodPaid("evt-1", w.alice, "studio", T0.plusSeconds(1),
            T0.plus(Duration.ofDays(31)), "in_1", 1_200, "USD")));
    b.invalid("a first paid period of a week", ErrorCode.BILLING_PERIOD_MISMATCH,
        w -> w.plans.handle(new BillingEvent.PeriodPaid("evt-1", w.bob, "studio", T0, T0.plus(Duration.ofDays(7)),
            "in_1", 1_200, "USD")));
    b.invalid("a first paid period for an unknown tier", ErrorCode.UNKNOWN_TIER,
        w -> w.plans.handle(new BillingEvent.PeriodPaid("evt-1", w.bob, "studio_max", T0, T0.plus(Duration.ofDays(31)),
            "in_1", 1_200, "USD")));
    b.invalid("a paid period that ends before it starts", ErrorCode.INVALID_ARGUMENT,
        w -> w.plans.handle(new BillingEvent.PeriodPaid("evt-1", w.alice, "studio", T0, T0.minusSeconds(1), "in_1",
            1_200, "USD")));
    b.invalid("a paid period with a negative amount", ErrorCode.INVALID_ARGUMENT,
        w -> w.plans.handle(new BillingEvent.PeriodPaid("evt-1", w.alice, "studio", T0, T0.plus(Duration.ofDays(31)),
            "in_1", -1, "USD")));
    b.invalid("a paid period with a malformed currency", ErrorCode.INVALID_ARGUMENT,
        w -> w.plans.handle(new BillingEvent.PeriodPaid("evt-1", w.alice, "studio", T0, T0.plus(Duration.ofDays(31)),
            "in_1", 1_200, "US$")));
    b.invalid("a failed period payment whose end is not its cycle's end", ErrorCode.BILLING_PERIOD_MISMATCH,
        w -> w.plans.handle(new BillingEvent.PeriodPaymentFailed("evt-1", w.alice, T0, T0.plus(Duration.ofDays(30)))));
    b.invalid("a plan change to an unknown tier", ErrorCode.UNKNOWN_TIER,
        w -> w.plans.handle(new BillingEvent.PlanChanged("evt-1", w.alice, "studio_max", T0)));
    b.invalid("a plan change to the free tier", ErrorCode.INVALID_ARGUMENT,
        w -> w.plans.handle(new BillingEvent.PlanChanged("evt-1", w.alice, "free", T0)));
    b.row("a plan change for an account without a subscription", StateException.class, ErrorCode.SUBSCRIPTION_REQUIRED,
        w -> w.plans.handle(new BillingEvent.PlanChanged("evt-1", w.bob, "studio", T0)));
    b.invalid("a refund of a made-up payment", ErrorCode.UNKNOWN_PAYMENT,
        w -> w.plans.handle(new BillingEvent.Refunded("evt-1", w.alice, "ch_made_up", 500, 500)));
    b.invalid("a refund naming bob of alice's pack payment", ErrorCode.UNKNOWN_PAYMENT,
        w -> w.plans.handle(new BillingEvent.Refunded("evt-1", w.bob, w.paidOrder.paymentReference(), 500, 500)));
    b.invalid("a refund of an order never paid", ErrorCode.UNKNOWN_PAYMENT,
        w -> w.plans.handle(new BillingEvent.Refunded("evt-1", w.alice, w.openOrder.paymentReference(), 500, 500)));
    b.invalid("a refund of more than was paid", ErrorCode.INVALID_ARGUMENT,
        w -> w.plans.handle(new BillingEvent.Refunded("evt-1", w.alice, w.paidOrder.paymentReference(), 501, 500)));
    b.invalid("a refund of nothing", ErrorCode.INVALID_ARGUMENT,
        w -> w.plans.handle(new BillingEvent.Refunded("evt-1", w.alice, w.paidOrder.paymentReference(), 0, 500)));
    b.row("a paid cycle for an account never opened", UnknownAccountException.class, ErrorCode.ACCOUNT_NOT_FOUND,
        w -> w.plans.handle(new BillingEvent.CyclePaid("evt-1", w.nobody, 1)));
    b.row("a billing event id reused for another kind of event", IdempotencyConflictException.class,
        ErrorCode.IDEMPOTENCY_CONFLICT, w -> w.plans.handle(new BillingEvent.PaymentFailed("evt-alice-0", w.alice, 0)));
    return rows;
  }

  /** Adds rows; {@code invalid} is the common case of an {@link InvalidRequestException}. */
  private record Builder(List<Row> rows) {
    void row(String input, Class<? extends CreditsException> type, ErrorCode code, Consumer<World> call) {
      rows.add(new Row(input, type, code, call));
    }

    void invalid(String input, ErrorCode code, Consumer<World> call) {
      row(input, InvalidRequestException.class, code, call);
    }
  }
}
