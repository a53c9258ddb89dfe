package io.preprompt.credits.gate;

import static io.preprompt.credits.gate.TokenPricingTest.CHAT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.CreditsException;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.HoldStateException;
import io.preprompt.credits.core.IdempotencyConflictException;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.plans.Entitlements;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.plans.Tier;
import io.preprompt.credits.plans.TierCatalog;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The gate on token-priced and flat calls: authorize, settle from the actual usage, history and usage. */
@DisplayName("The gate on language-model calls")
class ChatCompletionGateTest {
  private final MutableClock clock = MutableClock.at("2026-05-04T12:00:00Z");
  private final InMemoryCreditStore store = new InMemoryCreditStore();
  /** Free: chat-mini only for chat, the media models as before; Studio: chat-pro too. */
  private final TierCatalog tiers = TierCatalog.builder()
      .tier(Tier.free("free", "Free", Entitlements.builder().resolutions("720p").maxClipSeconds(5).maxVariants(2)
          .models("standard", "mod-1", "ocr-1").modelsFor("CHAT", "chat-mini").build()))
      .tier(Tier.paid("studio", "Studio", 1_000, Entitlements.builder().resolutions("720p", "1080p")
          .maxClipSeconds(10).maxVariants(4).models("standard", "pro", "mod-1").modelsFor("CHAT", "chat-mini", "chat-pro")
          .build()))
      .build();
  private final Credits all = Credits.builder().store(store).clock(clock).rateCard(TokenPricingTest.card())
      .tiers(tiers).build();
  private final CreditService credits = all.credits();
  private final PlanService plans = all.plans();
  private final GenerationGate gate = all.gate();
  private final AccountId maya = AccountId.of("maya");
  private Instant start;
  private int keys;

  private IdempotencyKey key() {
    return IdempotencyKey.of("k" + (++keys));
  }

  @BeforeEach
  void signUp() {
    start = clock.instant();
    credits.openAccount(maya, key());
    plans.verifyEmail(maya, key());
  }

  private Hold authorized(GenerationRequest r) {
    Authorization a = gate.authorize(maya, r, key());
    assertThat(a).isInstanceOf(Authorization.Authorized.class);
    return ((Authorization.Authorized) a).holds().get(0);
  }

  private long available() {
    return credits.balance(maya).available();
  }

  @Test
  @DisplayName("walk-through: estimate from the prompt and the most it may write, hold, settle from the reported usage")
  void chatCompletion() {
    // 1. The prompt has 3000 tokens; the call may write at most 4000. chat-mini: 500 mc + 0.15 and 0.6 mc a token.
    GenerationRequest worstCase = GenerationRequest.tokens(CHAT, "chat-mini", 3_000, 4_000);
    Estimate estimate = gate.rateCard().estimate(worstCase);
    // 500 + 3000 x 0.15 + 4000 x 0.6 = 500 + 450 + 2400 = 3350 mc -> 4 credits
    assertThat(estimate.credits()).isEqualTo(4);
    assertThat(estimate.lines()).extracting(EstimateLine::detail).contains("input tokens: 3000 x 150000 mc/1M",
        "output tokens: 4000 x 600000 mc/1M");
    long before = available();

    // 2. Authorize: the worst case is held, with what was asked for in the hold's description.
    Hold hold = authorized(worstCase);
    assertThat(hold.amount()).isEqualTo(4);
    assertThat(hold.deadline()).isEqualTo(clock.instant().plus(GateConfig.DEFAULT_HOLD_DEADLINE));
    assertThat(hold.metadata()).containsEntry("kind", "CHAT").containsEntry("model", "chat-mini")
        .containsEntry("q.input_tokens", "3000").containsEntry("q.output_tokens", "4000")
        .containsEntry("estimate", "4").containsEntry("rateCard", "2026-11-llm");
    assertThat(available()).isEqualTo(before - 4);

    // 3. The model streamed 1100 tokens and reported its usage: settle that, the rest returns.
    clock.advance(Duration.ofSeconds(20));
    GenerationRequest actual = GenerationRequest.tokens(CHAT, "chat-mini", 3_000, 1_100);
    // 500 + 450 + 660 = 1610 mc -> 2 credits
    Settlement s = gate.succeeded(maya, hold.id(), actual, key());
    assertThat(s.settled()).isEqualTo(2);
    assertThat(s.returned()).isEqualTo(2);
    assertThat(available()).isEqualTo(before - 2);
    assertThat(gate.hold(maya, hold.id()).orElseThrow().state()).isEqualTo(HoldState.SETTLED);

    // 4. The ledger's settle records the actual quantities; history and usage report them.
    List<LedgerEntry> settles = credits.history(maya, LedgerQuery.between(start, clock.instant().plusSeconds(1), 100))
        .entries().stream().filter(e -> e.type() == EntryType.SETTLE).toList();
    assertThat(settles).isNotEmpty().allSatisfy(e -> assertThat(e.metadata()).containsEntry("q.output_tokens", "1100")
        .containsEntry("q.input_tokens", "3000").containsEntry("usage", "actual").containsEntry("actual", "2"));
    GenerationRecord record = gate.history().generations(maya, start, clock.instant().plusSeconds(1)).get(0);
    assertThat(record.kind()).isEqualTo(CHAT);
    assertThat(record.model()).isEqualTo("chat-mini");
    assertThat(record.estimate()).isEqualTo(4);
    assertThat(record.actual()).isEqualTo(2);
    assertThat(record.outcome()).isEqualTo(GenerationOutcome.SUCCEEDED);
    assertThat(record.quantities()).containsEntry(PriceDimension.OUTPUT_TOKENS, 4_000L)
        .containsEntry(PriceDimension.INPUT_TOKENS, 3_000L);
    assertThat(record.actualQuantities()).containsEntry(PriceDimension.OUTPUT_TOKENS, 1_100L)
        .containsEntry(PriceDimension.INPUT_TOKENS, 3_000L);
    UsageReport usage = gate.history().usage(maya, start, clock.instant().plusSeconds(1));
    assertThat(usage.of(CHAT)).isEqualTo(new KindUsage(CHAT, 2, 1));
    assertThat(usage.of(CHAT, "chat-mini").quantities()).containsExactly(
        Map.entry(PriceDimension.INPUT_TOKENS, 3_000L), Map.entry(PriceDimension.OUTPUT_TOKENS, 1_100L));
  }

  @Test
  @DisplayName("walk-through: a streamed call outgrows its estimate, extends its hold, settles above the estimate")
  void streamedCall_extendsAndSettlesAboveTheEstimate() {
    // 1. Estimate from the prompt (3000 tokens) and the answer expected (2000 tokens):
    //    500 + 3000 x 0.15 + 2000 x 0.6 = 2150 mc -> 3 credits.
    GenerationRequest expected = GenerationRequest.tokens(CHAT, "chat-mini", 3_000, 2_000);
    assertThat(gate.rateCard().estimate(expected).credits()).isEqualTo(3);
    long before = available();
    Hold hold = authorized(expected);
    assertThat(hold.amount()).isEqualTo(3);

    // 2. The stream passes 2000 tokens and goes on: extend by what 4000 would cost more than held.
    clock.advance(Duration.ofSeconds(5));
    long more = gate.rateCard().estimate(GenerationRequest.tokens(CHAT, "chat-mini", 3_000, 4_000)).credits()
        - hold.amount();
    assertThat(more).isEqualTo(1);
    IdempotencyKey extendKey = key();
    Authorization extended = gate.extend(maya, hold.id(), CreditAmount.of(more), extendKey);
    assertThat(extended).isInstanceOfSatisfying(Authorization.Authorized.class,
        a -> assertThat(a.holds()).singleElement().extracting(Hold::amount).isEqualTo(4L));
    assertThat(gate.extend(maya, hold.id(), CreditAmount.of(more), extendKey)).as("the same key replays")
        .isEqualTo(extended);
    assertThat(available()).isEqualTo(before - 4);

    // 3. It ends at 5200 tokens: 500 + 450 + 3120 = 4070 mc -> 5 credits, one above the hold. Under the
    //    default policy the difference comes from the balance.
    clock.advance(Duration.ofSeconds(20));
    Settlement s = gate.succeeded(maya, hold.id(), GenerationRequest.tokens(CHAT, "chat-mini", 3_000, 5_200), key());
    assertThat(s.requested()).isEqualTo(5);
    assertThat(s.charged()).isEqualTo(5);
    assertThat(s.uncollected()).isZero();
    assertThat(s.debtIncurred()).isZero();
    assertThat(available()).isEqualTo(before - 5);

    // 4. History tells the story: estimated 3, held 4, charged 5, from 5200 output tokens.
    GenerationRecord record = gate.history().generations(maya, start, clock.instant().plusSeconds(1)).get(0);
    assertThat(record.estimate()).isEqualTo(3);
    assertThat(record.held()).isEqualTo(4);
    assertThat(record.actual()).isEqualTo(5);
    assertThat(record.chargeDiffersFromEstimate()).isTrue();
    assertThat(record.actualQuantities()).containsEntry(PriceDimension.OUTPUT_TOKENS, 5_200L);
    UsageReport usage = gate.history().usage(maya, start, clock.instant().plusSeconds(1));
    assertThat(usage.of(CHAT, "chat-mini").credits()).isEqualTo(5);
    assertThat(usage.of(CHAT, "chat-mini").quantity(PriceDimension.OUTPUT_TOKENS)).isEqualTo(5_200);
    assertThat(credits.reconcile(maya).consistent()).isTrue();
  }

  @Test
  @DisplayName("an extension or a difference the balance cannot cover names the shortfall and the offer")
  void extensionAndOverage_refusedWithTheOffer() {
    Hold hold = authorized(GenerationRequest.tokens(CHAT, "chat-mini", 1_000, 1_000));
    long left = available();
    Map<String, Object> before = store.dump(maya);

    Authorization refused = gate.extend(maya, hold.id(), CreditAmount.of(left + 7), key());
    assertThat(refused).isInstanceOfSatisfying(Authorization.InsufficientCredits.class, r -> {
      assertThat(r.available()).isEqualTo(left);
      assertThat(r.estimate()).isEqualTo(left + 7);
      assertThat(r.shortfall()).isEqualTo(7);
      assertThat(r.offer().tiers()).extracting(o -> o.tier().id()).contains("studio");
    });

    // The call wrote far more than held: refused with the same numbers and offer; the hold stays active.
    GenerationRequest runaway = GenerationRequest.tokens(CHAT, "chat-mini", 1_000, 100_000_000L);
    long price = gate.rateCard().estimate(runaway).credits();
    OverageRefusedException e = (OverageRefusedException) catchThrowable(
        () -> gate.succeeded(maya, hold.id(), runaway, key()));
    assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_CREDITS);
    assertThat(e.requested()).isEqualTo(price - hold.amount());
    assertThat(e.shortfall()).isEqualTo(price - hold.amount() - left);
    assertThat(e.blocked().shortfall()).isEqualTo(e.shortfall());
    assertThat(e.offer().tiers()).extracting(o -> o.tier().id()).contains("studio");
    assertThat(store.dump(maya)).isEqualTo(before);
    assertThat(gate.hold(maya, hold.id()).orElseThrow().state()).isEqualTo(HoldState.ACTIVE);

    // The app settles what was held instead.
    assertThat(gate.succeeded(maya, hold.id(), CreditAmount.of(hold.amount()), key()).settled())
        .isEqualTo(hold.amount());
  }

  @Test
  @DisplayName("settling from the usage is exactly-once: same key same usage replays, another usage conflicts")
  void settleFromUsage_exactlyOnce() {
    Hold hold = authorized(GenerationRequest.tokens(CHAT, "chat-mini", 1_000, 4_000));
    IdempotencyKey done = key();
    GenerationRequest actual = GenerationRequest.tokens(CHAT, "chat-mini", 1_000, 900);
    Settlement first = gate.succeeded(maya, hold.id(), actual, done);
    long after = available();
    assertThat(gate.succeeded(maya, hold.id(), actual, done)).isEqualTo(first);
    assertThat(catchThrowable(() -> gate.succeeded(maya, hold.id(), actual.with(PriceDimension.OUTPUT_TOKENS, 901),
        done))).isInstanceOf(IdempotencyConflictException.class);
    assertThat(catchThrowable(() -> gate.succeeded(maya, hold.id(), actual, key())))
        .isInstanceOf(HoldStateException.class);
    assertThat(available()).isEqualTo(after);
  }

  @Test
  @DisplayName("a usage priced above the hold, of another model or kind, or unpriced is refused; nothing changes")
  void settleFromUsage_refusals() {
    Hold hold = authorized(GenerationRequest.tokens(CHAT, "chat-mini", 1_000, 1_000));
    Map<String, Object> before = store.dump(maya);
    assertThat(catchThrowable(() -> gate.succeeded(maya, hold.id(),
        GenerationRequest.tokens(CHAT, "chat-mini", 1_000, 1_000_000_000L), key())))
        .isInstanceOfSatisfying(OverageRefusedException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_CREDITS);
          assertThat(e.hold()).isEqualTo(hold.id());
          assertThat(e.shortfall()).isPositive().isEqualTo(e.blocked().shortfall());
          assertThat(e.blocked().estimate()).isEqualTo(e.requested());
        });
    assertThat(code(() -> gate.succeeded(maya, hold.id(), GenerationRequest.tokens(CHAT, "chat-pro", 1_000, 10),
        key()))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(code(() -> gate.succeeded(maya, hold.id(), GenerationRequest.of(TokenPricingTest.MODERATION, "chat-mini"),
        key()))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(code(() -> gate.succeeded(maya, hold.id(),
        GenerationRequest.tokens(CHAT, "chat-mini", 1_000, 10).withReasoningTokens(50), key())))
        .isEqualTo(ErrorCode.UNKNOWN_PRICE_DIMENSION);
    assertThat(store.dump(maya)).isEqualTo(before);
    HoldId raw = credits.hold(HoldRequest.of(maya, CreditAmount.of(3), key())).id();
    Map<String, Object> withRaw = store.dump(maya);
    assertThat(code(() -> gate.succeeded(maya, raw, GenerationRequest.tokens(CHAT, "chat-mini", 1, 1), key())))
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(store.dump(maya)).isEqualTo(withRaw);
    credits.release(maya, raw, "test", key());
    assertThat(gate.hold(maya, hold.id()).orElseThrow().state()).isEqualTo(HoldState.ACTIVE);
  }

  @Test
  @DisplayName("a usage priced at zero credits releases the hold as a success at no cost")
  void settleFromUsage_zero() {
    Hold hold = authorized(GenerationRequest.of(TokenPricingTest.OCR, "ocr-1").with(TokenPricingTest.PAGES, 4));
    long before = available();
    Settlement s = gate.succeeded(maya, hold.id(), GenerationRequest.of(TokenPricingTest.OCR, "ocr-1"), key());
    assertThat(s.settled()).isZero();
    assertThat(available()).isEqualTo(before + 1);
    GenerationRecord r = gate.history().generations(maya, start, clock.instant().plusSeconds(1)).get(0);
    assertThat(r.outcome()).isEqualTo(GenerationOutcome.SUCCEEDED);
    assertThat(r.quantities()).containsExactly(Map.entry(TokenPricingTest.PAGES, 4L));
    assertThat(r.actualQuantities()).isEmpty();
    assertThat(gate.history().usage(maya, start, clock.instant().plusSeconds(1)).of(TokenPricingTest.OCR))
        .isEqualTo(new KindUsage(TokenPricingTest.OCR, 0, 1));
  }

  @Nested
  @DisplayName("Tier entitlements")
  class Tiers {
    @Test
    @DisplayName("a kind with its own model list is decided by it: the free tier gets chat-mini, not chat-pro")
    void modelsPerKind() {
      assertThat(gate.authorize(maya, GenerationRequest.tokens(CHAT, "chat-mini", 10, 10), key()))
          .isInstanceOf(Authorization.Authorized.class);
      Authorization pro = gate.authorize(maya, GenerationRequest.tokens(CHAT, "chat-pro", 10, 10), key());
      assertThat(pro).isInstanceOfSatisfying(Authorization.NotInTier.class, n -> {
        assertThat(n.option()).isEqualTo("model=chat-pro");
        assertThat(n.lowestTier().id()).isEqualTo("studio");
      });
      // A kind without a list of its own uses the tier's models, as media always did.
      assertThat(gate.authorize(maya, GenerationRequest.of(TokenPricingTest.MODERATION, "mod-1"), key()))
          .isInstanceOf(Authorization.Authorized.class);
      assertThat(gate.authorize(maya, GenerationRequest.image("pro", "720p"), key()))
          .isInstanceOf(Authorization.NotInTier.class);
      assertThat(tiers.free().entitlements().models("CHAT")).containsExactly("chat-mini");
      assertThat(tiers.free().entitlements().models("IMAGE")).containsExactlyInAnyOrder("standard", "mod-1", "ocr-1");
    }

    @Test
    @DisplayName("a token call the balance cannot cover gets the shortfall and the upgrade offer")
    void insufficient() {
      Authorization a = gate.authorize(maya, GenerationRequest.tokens(CHAT, "chat-mini", 1_000_000, 1_000_000), key());
      // 500 + 150000 + 600000 mc = 750.5 -> 751 credits, 200 available
      assertThat(a).isInstanceOfSatisfying(Authorization.InsufficientCredits.class, i -> {
        assertThat(i.estimate()).isEqualTo(751);
        assertThat(i.shortfall()).isEqualTo(751 - 200);
        assertThat(i.offer().tiers()).isNotEmpty();
      });
      assertThat(available()).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("usage by kind and model: media and token models side by side, summing actual or requested quantities")
  void usageByKindAndModel() {
    gate.succeeded(maya, authorized(GenerationRequest.image("standard", "720p")).id(), CreditAmount.of(8), key());
    gate.succeeded(maya, authorized(GenerationRequest.clip("standard", "720p", 5)).id(), CreditAmount.of(25), key());
    Hold a = authorized(GenerationRequest.tokens(CHAT, "chat-mini", 2_000, 3_000).withCachedInputTokens(0));
    gate.succeeded(maya, a.id(), GenerationRequest.tokens(CHAT, "chat-mini", 2_000, 1_000), key());
    // Settled by amount: the requested quantities count.
    Hold b = authorized(GenerationRequest.tokens(CHAT, "chat-mini", 500, 500));
    gate.succeeded(maya, b.id(), CreditAmount.of(1), key());
    gate.failed(maya, authorized(GenerationRequest.tokens(CHAT, "chat-mini", 1, 1)).id(), "timeout", key());
    gate.succeeded(maya, authorized(GenerationRequest.of(TokenPricingTest.MODERATION, "mod-1")).id(),
        GenerationRequest.of(TokenPricingTest.MODERATION, "mod-1"), key());

    UsageReport usage = gate.history().usage(maya, start, clock.instant().plusSeconds(1));

    assertThat(usage.byKind().keySet()).containsExactly(GenerationKind.IMAGE, GenerationKind.VIDEO_CLIP,
        GenerationKind.VOICE_LINE, GenerationKind.MUSIC_CUE, CHAT, TokenPricingTest.MODERATION, TokenPricingTest.OCR);
    assertThat(usage.of(GenerationKind.VOICE_LINE)).isEqualTo(new KindUsage(GenerationKind.VOICE_LINE, 0, 0));
    // chat: 500 + 300 + 600 = 1400 mc -> 2 credits, plus 1 by amount
    assertThat(usage.of(CHAT)).isEqualTo(new KindUsage(CHAT, 3, 2));
    assertThat(usage.byModel()).extracting(u -> u.kind() + "/" + u.model()).containsExactly("CHAT/chat-mini",
        "IMAGE/standard", "MODERATION/mod-1", "VIDEO_CLIP/standard");
    ModelUsage chat = usage.of(CHAT, "chat-mini");
    assertThat(chat.credits()).isEqualTo(3);
    assertThat(chat.generations()).isEqualTo(2);
    assertThat(chat.quantity(PriceDimension.INPUT_TOKENS)).isEqualTo(2_500);
    assertThat(chat.quantity(PriceDimension.OUTPUT_TOKENS)).isEqualTo(1_500);
    assertThat(usage.of(GenerationKind.VIDEO_CLIP, "standard").quantities())
        .containsExactly(Map.entry(PriceDimension.SECONDS, 5L));
    assertThat(usage.of(TokenPricingTest.MODERATION, "mod-1")).isEqualTo(
        new ModelUsage(TokenPricingTest.MODERATION, "mod-1", 2, 1, Map.of()));
    assertThat(usage.of(CHAT, "chat-pro")).isEqualTo(new ModelUsage(CHAT, "chat-pro", 0, 0, Map.of()));
    assertThat(usage.totalCredits()).isEqualTo(200 - available());
  }

  @Test
  @DisplayName("16 app instances settle chat calls at once: every call is charged its usage once, nothing lost")
  void concurrentCallsSettleFromUsage() throws Exception {
    credits.grant(maya, io.preprompt.credits.balance.LotSource.PACK, CreditAmount.of(10_000), null, key());
    int threads = 16;
    List<Hold> holds = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      holds.add(authorized(GenerationRequest.tokens(CHAT, "chat-mini", 10_000, 10_000)));
    }
    long afterHolds = available();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    try {
      List<Future<List<Long>>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int self = t;
        results.add(pool.submit(() -> {
          go.await();
          // Each settles its own hold and races to settle its neighbour's with another key: one of the
          // two settles of every hold wins, the other finds it ended.
          List<Long> won = new ArrayList<>();
          for (int h : new int[] {self, (self + 1) % threads}) {
            try {
              won.add(gate.succeeded(maya, holds.get(h).id(),
                  GenerationRequest.tokens(CHAT, "chat-mini", 10_000, 1_000 + h), IdempotencyKey.of("s" + self + "-" + h))
                  .settled());
            } catch (HoldStateException ended) {
              // the neighbour got there first
            }
          }
          return won;
        }));
      }
      go.countDown();
      long settled = 0;
      int wins = 0;
      for (Future<List<Long>> f : results) {
        for (long s : f.get(30, TimeUnit.SECONDS)) {
          settled += s;
          wins++;
        }
      }
      assertThat(wins).isEqualTo(threads);
      // each: 500 + 1500 + (1000 + h) x 0.6 mc -> 3 credits (at most 2000 + 609.6 mc)
      assertThat(settled).isEqualTo(3L * threads);
      long held = holds.get(0).amount() * threads;
      assertThat(available()).isEqualTo(afterHolds + held - settled);
      assertThat(gate.history().usage(maya, start, clock.instant().plusSeconds(1)).of(CHAT))
          .isEqualTo(new KindUsage(CHAT, settled, threads));
      assertThat(credits.reconcile(maya).consistent()).isTrue();
    } finally {
      pool.shutdownNow();
    }
  }

  private static ErrorCode code(Runnable call) {
    Throwable t = catchThrowable(call::run);
    assertThat(t).isInstanceOf(InvalidRequestException.class);
    return ((CreditsException) t).code();
  }
}
