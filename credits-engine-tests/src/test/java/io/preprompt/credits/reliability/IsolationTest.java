package io.preprompt.credits.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.GrantReceipt;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.UnknownHoldException;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerPage;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.ledger.Reconciliation;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * One account can never see, end or read another account's holds, history or idempotent results
 * through any API, and hold ids cannot be guessed. Alice is the caller throughout; Bob is the victim,
 * with an active hold, a settled one, ledger entries and keys of his own.
 */
@DisplayName("Isolation between accounts")
class IsolationTest {
  private static final Instant T0 = Instant.parse("2026-05-04T12:00:00Z");
  private final MutableClock clock = new MutableClock(T0);
  private final InMemoryCreditStore store = new InMemoryCreditStore();
  private final Credits all = Credits.builder().store(store).clock(clock).build();
  private final CreditService credits = all.credits();
  private final PlanService plans = all.plans();
  private final GenerationGate gate = all.gate();
  private final AccountId alice = AccountId.of("alice");
  private final AccountId bob = AccountId.of("bob");
  private Hold bobsActive;
  private Hold bobsSettled;
  private Hold alicesActive;
  private Settlement bobsSettlement;

  @BeforeEach
  void twoAccounts() {
    credits.openAccount(alice, IdempotencyKey.of("open"));
    credits.openAccount(bob, IdempotencyKey.of("open"));
    credits.grant(alice, LotSource.PACK, CreditAmount.of(500), null, IdempotencyKey.of("grant-1"));
    credits.grant(bob, LotSource.PACK, CreditAmount.of(700), null, Map.of("secret", "bob's"),
        IdempotencyKey.of("grant-1"));
    bobsActive = credits.hold(HoldRequest.of(bob, CreditAmount.of(40), IdempotencyKey.of("gen-1"))
        .withMetadata("prompt", "bob's private prompt"));
    bobsSettled = credits.hold(HoldRequest.of(bob, CreditAmount.of(30), IdempotencyKey.of("gen-2")));
    bobsSettlement = credits.settle(bob, bobsSettled.id(), CreditAmount.of(25), IdempotencyKey.of("gen-2-done"));
    alicesActive = credits.hold(HoldRequest.of(alice, CreditAmount.of(10), IdempotencyKey.of("alice-gen")));
  }

  /** Every account's stored state, for "Bob's account did not change" assertions. */
  private Map<String, Object> snapshot() {
    Map<String, Object> all = new TreeMap<>();
    store.accountIds().forEach(id -> all.put(id.value(), store.dump(id)));
    return all;
  }

  private void holdNotFound(ThrowingCallable call) {
    Map<String, Object> before = snapshot();
    assertThatThrownBy(call).isInstanceOfSatisfying(UnknownHoldException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.HOLD_NOT_FOUND));
    assertThat(snapshot()).isEqualTo(before);
  }

  @Nested
  @DisplayName("another account's hold")
  class OtherAccountsHold {
    @Test
    @DisplayName("cannot be found, active or ended, through the credit service or the gate")
    void cannotBeSeen() {
      assertThat(credits.findHold(alice, bobsActive.id())).isEmpty();
      assertThat(credits.findHold(alice, bobsSettled.id())).isEmpty();
      assertThat(gate.hold(alice, bobsActive.id())).isEmpty();
      // The control: Bob sees both, so the empty answers above are about ownership, not existence.
      assertThat(credits.findHold(bob, bobsActive.id())).isPresent();
      assertThat(credits.findHold(bob, bobsSettled.id())).isPresent();
    }

    @Test
    @DisplayName("cannot be settled, released, succeeded, failed or blocked, and nothing changes")
    void cannotBeEnded() {
      holdNotFound(() -> credits.settle(alice, bobsActive.id(), IdempotencyKey.of("steal-1")));
      holdNotFound(() -> credits.settle(alice, bobsActive.id(), CreditAmount.of(1), IdempotencyKey.of("steal-2")));
      holdNotFound(() -> credits.release(alice, bobsActive.id(), "mine", IdempotencyKey.of("steal-3")));
      holdNotFound(() -> gate.succeeded(alice, bobsActive.id(), CreditAmount.of(5), IdempotencyKey.of("steal-4")));
      holdNotFound(() -> gate.failed(alice, bobsActive.id(), "oops", IdempotencyKey.of("steal-5")));
      holdNotFound(() -> gate.blocked(alice, bobsActive.id(), IdempotencyKey.of("steal-6")));
      // An ended hold of Bob's does not even reveal its state to Alice: not found, not "already settled".
      holdNotFound(() -> credits.release(alice, bobsSettled.id(), "mine", IdempotencyKey.of("steal-7")));
      assertThat(credits.findHold(bob, bobsActive.id()).orElseThrow()).isEqualTo(bobsActive);
    }

    @Test
    @DisplayName("is not counted in the caller's balance")
    void notInBalance() {
      BalanceView view = credits.balance(alice);
      assertThat(view.account()).isEqualTo(alice);
      assertThat(view.held()).isEqualTo(10);
      assertThat(view.available()).isEqualTo(490);
      assertThat(view.lots()).allSatisfy(lot -> assertThat(lot.granted()).isEqualTo(500));
    }
  }

  @Nested
  @DisplayName("another account's history")
  class OtherAccountsHistory {
    @Test
    @DisplayName("does not appear in the caller's history, by page, by cursor or by time range")
    void notInHistory() {
      Set<HoldId> bobsHolds = Set.of(bobsActive.id(), bobsSettled.id());
      List<LedgerQuery> queries = List.of(LedgerQuery.firstPage(LedgerQuery.MAX_LIMIT),
          LedgerQuery.after(0, LedgerQuery.MAX_LIMIT), LedgerQuery.after(1, LedgerQuery.MAX_LIMIT),
          LedgerQuery.between(T0.minusSeconds(60), T0.plusSeconds(60), LedgerQuery.MAX_LIMIT));
      for (LedgerQuery query : queries) {
        LedgerPage page = credits.history(alice, query);
        assertThat(page.entries()).as("alice's history for %s", query).isNotEmpty().allSatisfy(e -> {
          assertThat(e.account()).isEqualTo(alice);
          assertThat(e.hold() == null || !bobsHolds.contains(e.hold())).isTrue();
          assertThat(e.metadata()).doesNotContainKey("secret").doesNotContainValue("bob's private prompt");
        });
      }
      // Alice's ledger is exactly her own two entries: a grant and a hold (opening writes none).
      assertThat(credits.history(alice, LedgerQuery.firstPage(100)).entries()).extracting(LedgerEntry::amount)
          .containsExactly(500L, 10L);
    }

    @Test
    @DisplayName("does not enter the caller's reconciliation")
    void notInReconciliation() {
      Reconciliation r = credits.reconcile(alice);
      assertThat(r.account()).isEqualTo(alice);
      assertThat(r.consistent()).isTrue();
      assertThat(r.granted()).isEqualTo(500);
      assertThat(r.held()).isEqualTo(10);
      assertThat(r.settled()).isZero();
      assertThat(r.entriesReplayed()).isEqualTo(2);
    }
  }

  @Nested
  @DisplayName("another account's idempotency keys")
  class OtherAccountsKeys {
    @Test
    @DisplayName("replaying Bob's key and parameters on Alice's account gives Alice her own new hold, not Bob's")
    void holdKey() {
      Map<String, Object> bobBefore = store.dump(bob);
      Hold mine = credits.hold(HoldRequest.of(alice, CreditAmount.of(40), IdempotencyKey.of("gen-1"))
          .withMetadata("prompt", "bob's private prompt"));
      assertThat(mine.id()).isNotEqualTo(bobsActive.id());
      assertThat(mine.account()).isEqualTo(alice);
      assertThat(credits.balance(alice).held()).isEqualTo(50);
      assertThat(store.dump(bob)).isEqualTo(bobBefore);
    }

    @Test
    @DisplayName("Bob's grant key with other parameters is no conflict for Alice, and reveals nothing")
    void grantKey() {
      GrantReceipt receipt = credits.grant(alice, LotSource.PACK, CreditAmount.of(3), null,
          IdempotencyKey.of("grant-1-other"));
      assertThat(receipt.account()).isEqualTo(alice);
      // "grant-1" is Alice's own key too: replaying hers returns her receipt, never Bob's 700.
      GrantReceipt again = credits.grant(alice, LotSource.PACK, CreditAmount.of(500), null,
          IdempotencyKey.of("grant-1"));
      assertThat(again.account()).isEqualTo(alice);
      assertThat(again.amount()).isEqualTo(500);
    }

    @Test
    @DisplayName("Bob's settle key used on Alice's own hold settles Alice's hold, not a replay of Bob's settlement")
    void settleKey() {
      Settlement mine = credits.settle(alice, alicesActive.id(), CreditAmount.of(5), IdempotencyKey.of("gen-2-done"));
      assertThat(mine).isNotEqualTo(bobsSettlement);
      assertThat(mine.account()).isEqualTo(alice);
      assertThat(mine.hold()).isEqualTo(alicesActive.id());
      // Sent with Bob's hold, Alice's key now names her own settlement: a conflict, not Bob's result.
      assertThatThrownBy(() -> credits.settle(alice, bobsSettled.id(), CreditAmount.of(25),
          IdempotencyKey.of("gen-2-done"))).isInstanceOfSatisfying(
              io.preprompt.credits.core.IdempotencyConflictException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.IDEMPOTENCY_CONFLICT));
    }

    @Test
    @DisplayName("an authorization key of Bob's authorizes Alice's own generation")
    void gateKey() {
      plans.verifyEmail(bob, IdempotencyKey.of("verify"));
      plans.verifyEmail(alice, IdempotencyKey.of("verify"));
      GenerationRequest image = GenerationRequest.image("standard", "720p");
      Authorization bobs = gate.authorize(bob, image, IdempotencyKey.of("scene-1"));
      Authorization alices = gate.authorize(alice, image, IdempotencyKey.of("scene-1"));
      assertThat(bobs).isInstanceOf(Authorization.Authorized.class);
      assertThat(alices).isInstanceOfSatisfying(Authorization.Authorized.class,
          a -> assertThat(a.holds()).allSatisfy(h -> assertThat(h.account()).isEqualTo(alice)));
      assertThat(alices).isNotEqualTo(bobs);
    }
  }

  @Nested
  @DisplayName("hold ids")
  class HoldIds {
    private static final int COUNT = 100_000;

    @Test
    @DisplayName("are h_ and 128 random bits in hex: 10^5 ids all distinct, every bit balanced, no sequence")
    void unguessable() {
      Set<String> seen = new HashSet<>(COUNT * 2);
      long[] ones = new long[128];
      long totalOnes = 0;
      long distanceSum = 0;
      BigInteger previous = null;
      for (int i = 0; i < COUNT; i++) {
        String id = HoldId.random().value();
        assertThat(id).matches("h_[0-9a-f]{32}");
        assertThat(seen.add(id)).as("id %s is new", id).isTrue();
        BigInteger bits = new BigInteger(id.substring(2), 16);
        for (int b = 0; b < 128; b++) {
          if (bits.testBit(b)) {
            ones[b]++;
          }
        }
        totalOnes += bits.bitCount();
        if (previous != null) {
          distanceSum += previous.xor(bits).bitCount();
          // No sequential pattern: consecutive ids are not a small step apart.
          assertThat(bits.subtract(previous).abs().bitLength()).as("step from the previous id").isGreaterThan(64);
        }
        previous = bits;
      }
      // Each bit is one in half the ids: with 10^5 ids the standard deviation is 158, so 1,000 is >6 sigma.
      for (int b = 0; b < 128; b++) {
        assertThat(ones[b]).as("ids with bit %d set", b).isBetween(COUNT / 2L - 1_000, COUNT / 2L + 1_000);
      }
      // All 1.28*10^7 bits: standard deviation 1,789; 10,000 is >5 sigma.
      assertThat(totalOnes).isBetween(64L * COUNT - 10_000, 64L * COUNT + 10_000);
      // Consecutive ids differ in 64 bits on average (standard deviation of the mean 0.018).
      assertThat(distanceSum / (double) (COUNT - 1)).isBetween(63.8, 64.2);
    }

    @Test
    @DisplayName("the engine gives every hold such an id")
    void engineHolds() {
      credits.grant(alice, LotSource.PACK, CreditAmount.of(10_000), null, IdempotencyKey.of("more"));
      Set<HoldId> ids = new HashSet<>();
      for (int i = 0; i < 1_000; i++) {
        Hold h = credits.hold(HoldRequest.of(alice, CreditAmount.of(1), IdempotencyKey.of("h-" + i))
            .withTtl(Duration.ofMinutes(1)));
        assertThat(h.id().value()).matches("h_[0-9a-f]{32}");
        ids.add(h.id());
      }
      assertThat(ids).hasSize(1_000).doesNotContain(bobsActive.id(), bobsSettled.id(), alicesActive.id());
    }
  }
}
