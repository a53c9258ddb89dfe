package io.preprompt.credits.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.IdempotencyConflictException;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.plans.BillingEvent;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class GenerationGateTest {
  private final MutableClock clock = MutableClock.at("2026-05-04T12:00:00Z");
  private final InMemoryCreditStore store = new InMemoryCreditStore();
  private final List<long[]> lowSignals = new ArrayList<>();
  private final Credits all = Credits.builder().store(store).clock(clock)
      .lowBalanceListener((account, available, typical, threshold) -> lowSignals.add(new long[] {available, typical}))
      .build();
  private final CreditService credits = all.credits();
  private final PlanService plans = all.plans();
  private final GenerationGate gate = all.gate();
  private final RateCard card = RateCard.defaults();
  private final AccountId maya = AccountId.of("maya");
  private int keys;

  private IdempotencyKey key() {
    return IdempotencyKey.of("k" + (++keys));
  }

  @BeforeEach
  void signUp() {
    credits.openAccount(maya, key());
    plans.verifyEmail(maya, key());
  }

  @Nested
  @DisplayName("The rate card")
  class RateCards {
    @Test
    @DisplayName("prices each kind as hand-computed, rounding up once per item")
    void handComputed() {
      // 8000 mc * 3/2 (1080p) * 2 variants * 1/2 (reshot) = 12000 mc = 12 credits
      assertThat(card.estimate(GenerationRequest.image("standard", "1080p").withVariants(2).asReshot()).credits())
          .isEqualTo(12);
      // 5000 + 7 s * 4000 = 33000 mc = 33 credits
      assertThat(card.estimate(GenerationRequest.clip("standard", "720p", 7)).credits()).isEqualTo(33);
      // 1000 + 3 s * 600 = 2800 mc -> 2.8 credits -> rounded up to 3
      assertThat(card.estimate(GenerationRequest.voice("pro", 3)).credits()).isEqualTo(3);
      // 2000 + 10 s * 500 = 7000 mc = 7 credits
      assertThat(card.estimate(GenerationRequest.music("standard", 10)).credits()).isEqualTo(7);
      // (8000 + 6500) * 3/2 = 21750 mc -> 22 credits
      Estimate clip = card.estimate(GenerationRequest.clip("pro", "1080p", 1));
      assertThat(clip.credits()).isEqualTo(22);
      assertThat(clip.rateCardVersion()).isEqualTo("2026-11");
      assertThat(clip.lines()).extracting(EstimateLine::label)
          .containsExactly("base", "per-second", "resolution", "rounding");
    }

    @Test
    @DisplayName("an exact whole amount is not rounded up; a third of a millicredit is")
    void roundingEdges() {
      RateCard thirds = RateCard.of("t", List.of(ModelRate.perCall(GenerationKind.IMAGE, "m", 1_000,
          Map.of("a", Ratio.of(1, 3), "b", Ratio.ONE))), Ratio.of(1, 3));
      assertThat(thirds.estimate(GenerationRequest.image("m", "b")).credits()).isEqualTo(1);
      assertThat(thirds.estimate(GenerationRequest.image("m", "a")).credits()).isEqualTo(1);
      assertThat(thirds.estimate(GenerationRequest.image("m", "a").withVariants(3)).credits()).isEqualTo(1);
      assertThat(thirds.estimate(GenerationRequest.image("m", "a").withVariants(4)).credits()).isEqualTo(2);
    }

    @Test
    @DisplayName("an unknown model or resolution is a typed error")
    void unknown() {
      assertThatThrownBy(() -> card.estimate(GenerationRequest.image("nope", "720p")))
          .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_MODEL));
      assertThatThrownBy(() -> card.estimate(GenerationRequest.image("standard", "8k")))
          .isInstanceOfSatisfying(InvalidRequestException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_RESOLUTION));
    }

    @Test
    @DisplayName("tells how many more of a generation a balance affords")
    void affordable() {
      assertThat(card.affordable(200, GenerationRequest.image("standard", "720p"))).isEqualTo(25);
    }
  }

  @Test
  @DisplayName("200 free credits cover a ten-beat scene with two Actors and a Set, with room for reshots")
  void freeCreditsCoverAScene() {
    List<GenerationRequest> scene = new ArrayList<>();
    scene.add(GenerationRequest.image("standard", "720p")); // Actor 1
    scene.add(GenerationRequest.image("standard", "720p")); // Actor 2
    scene.add(GenerationRequest.image("standard", "720p")); // Set
    for (int beat = 0; beat < 10; beat++) {
      scene.add(GenerationRequest.image("standard", "720p"));
    }
    for (int reshot = 0; reshot < 6; reshot++) {
      scene.add(GenerationRequest.image("standard", "720p").asReshot());
    }
    // 13 images x 8 + 6 reshots x 4 = 128 credits
    assertThat(card.estimateBatch(scene).totalCredits()).isEqualTo(128);
    Authorization a = gate.authorizeBatch(maya, scene, key());
    assertThat(a).isInstanceOf(Authorization.Authorized.class);
    assertThat(credits.balance(maya).available()).isEqualTo(72);
  }

  @Test
  @DisplayName("a blocked generation surfaces balance, estimate, shortfall and the paid tiers, and holds nothing")
  void blockedGeneration() {
    gate.removeCredits(maya, CreditAmount.of(180), "test: spend down to 20", key());
    Map<String, Object> before = store.dump(maya);
    Authorization.InsufficientCredits refused = (Authorization.InsufficientCredits) gate.authorize(maya,
        GenerationRequest.clip("standard", "720p", 5), key());
    System.out.println("Blocked generation, as the app would show it: balance " + refused.available()
        + " credits, this generation would cost " + refused.estimate() + " (short by " + refused.shortfall()
        + "); paid tiers: " + refused.offer().tiers().stream().map(t -> t.tier().name() + " " + t.monthlyAllowance()
            + "/month" + (t.coversShortfall() ? " (covers it)" : "")).toList());
    assertThat(refused.estimate()).isEqualTo(25);
    assertThat(refused.available()).isEqualTo(20);
    assertThat(refused.shortfall()).isEqualTo(5);
    assertThat(refused.offer().tiers()).hasSize(3).allMatch(UpgradeOffer.TierOption::coversShortfall);
    assertThat(refused.offer().packs()).isEmpty();
    assertThat(store.dump(maya)).isEqualTo(before);
  }

  @Test
  @DisplayName("failed and blocked generations cost nothing; a succeeded one costs its actual cost")
  void outcomes() {
    var failed = (Authorization.Authorized) gate.authorize(maya, GenerationRequest.image("standard", "720p"), key());
    gate.failed(maya, failed.hold().id(), "model timeout", key());
    var blocked = (Authorization.Authorized) gate.authorize(maya, GenerationRequest.image("standard", "720p"), key());
    gate.blocked(maya, blocked.hold().id(), key());
    assertThat(credits.balance(maya).available()).isEqualTo(200);
    var ok = (Authorization.Authorized) gate.authorize(maya, GenerationRequest.clip("standard", "720p", 5), key());
    assertThat(ok.total()).isEqualTo(25);
    assertThat(gate.succeeded(maya, ok.hold().id(), CreditAmount.of(21), key()).returned()).isEqualTo(4);
    assertThat(credits.balance(maya).available()).isEqualTo(179);
  }

  @Test
  @DisplayName("a hold left idle is released by the sweep after its kind's deadline")
  void idleHoldReleased() {
    var a = (Authorization.Authorized) gate.authorize(maya, GenerationRequest.clip("standard", "720p", 5), key());
    clock.advance(Duration.ofMinutes(15));
    assertThat(credits.sweep().holdsExpired()).isZero();
    clock.advance(Duration.ofSeconds(1));
    assertThat(credits.sweep().holdsExpired()).isEqualTo(1);
    assertThat(gate.hold(maya, a.hold().id())).get().extracting(h -> h.state()).isEqualTo(HoldState.EXPIRED);
    assertThat(credits.balance(maya).available()).isEqualTo(200);
  }

  @Test
  @DisplayName("an option outside the tier answers with the lowest tier that allows it")
  void notInTier() {
    Authorization a = gate.authorize(maya, GenerationRequest.image("standard", "4k"), key());
    assertThat(a).isInstanceOfSatisfying(Authorization.NotInTier.class, n -> {
      assertThat(n.option()).isEqualTo("resolution=4k");
      assertThat(n.lowestTier().id()).isEqualTo("studio_plus");
    });
    plans.subscribe(maya, "studio_plus", key());
    plans.handle(new BillingEvent.CyclePaid("e1", maya, 0));
    assertThat(gate.authorize(maya, GenerationRequest.image("standard", "4k"), key()))
        .isInstanceOf(Authorization.Authorized.class);
  }

  @Test
  @DisplayName("the low-balance signal fires when an authorization leaves less than the threshold")
  void lowBalance() {
    gate.authorize(maya, GenerationRequest.image("standard", "720p"), key()); // 192 left
    assertThat(lowSignals).isEmpty();
    gate.removeCredits(maya, CreditAmount.of(130), "test: spend down", key()); // 62 left
    gate.authorize(maya, GenerationRequest.image("standard", "720p"), key()); // 54 left
    assertThat(lowSignals).isEmpty();
    gate.authorize(maya, GenerationRequest.image("standard", "720p"), key()); // 46 left
    assertThat(lowSignals).hasSize(1);
    assertThat(lowSignals.get(0)[0]).isEqualTo(46);
  }

  @Test
  @DisplayName("support adjustments grant or remove credits idempotently")
  void adjustments() {
    IdempotencyKey k = key();
    assertThat(gate.addCredits(maya, CreditAmount.of(50), "goodwill", k)).isEqualTo(250);
    assertThat(gate.addCredits(maya, CreditAmount.of(50), "goodwill", k)).isEqualTo(250);
    assertThat(gate.removeCredits(maya, CreditAmount.of(30), "duplicate charge", key())).isEqualTo(220);
    assertThatThrownBy(() -> gate.removeCredits(maya, CreditAmount.of(50), "goodwill", k))
        .isInstanceOf(IdempotencyConflictException.class);
    assertThat(credits.reconcile(maya).consistent()).isTrue();
  }

  @Test
  @DisplayName("batch authorization is all-or-nothing under concurrency")
  void batchAllOrNothing() throws Exception {
    List<GenerationRequest> batch = List.of(GenerationRequest.image("standard", "720p"),
        GenerationRequest.image("standard", "720p"), GenerationRequest.image("standard", "720p"));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    AtomicInteger authorized = new AtomicInteger();
    AtomicLong heldHolds = new AtomicLong();
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int thread = t;
      futures.add(pool.submit(() -> {
        for (int i = 0; i < 5; i++) {
          Authorization a = gate.authorizeBatch(maya, batch, IdempotencyKey.of("batch-" + thread + "-" + i));
          if (a instanceof Authorization.Authorized ok) {
            authorized.incrementAndGet();
            heldHolds.addAndGet(ok.holds().size());
          } else {
            assertThat(a).isInstanceOf(Authorization.InsufficientCredits.class);
          }
        }
      }));
    }
    for (Future<?> f : futures) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    // 200 credits / 24 per batch = 8 batches fit; each fits whole or not at all
    assertThat(authorized.get()).isEqualTo(8);
    assertThat(heldHolds.get()).isEqualTo(24);
    assertThat(credits.balance(maya).held()).isEqualTo(192);
    assertThat(credits.balance(maya).activeHolds()).isEqualTo(24);
    assertThat(credits.reconcile(maya).consistent()).isTrue();
  }
}
