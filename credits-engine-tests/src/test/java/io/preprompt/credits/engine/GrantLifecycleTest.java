package io.preprompt.credits.engine;

import static io.preprompt.credits.engine.Expect.failsWithoutChange;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.ExpiryChange;
import io.preprompt.credits.balance.GrantReceipt;
import io.preprompt.credits.balance.GrantVoid;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.IdempotencyConflictException;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InsufficientCreditsException;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.StateException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.testkit.CreditsScenario;
import io.preprompt.credits.testkit.CreditsScenario.ScenarioAccount;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Grant lifecycle: future starts, voids, expiry changes")
class GrantLifecycleTest {
  final CreditsScenario scenario = new CreditsScenario();
  final CreditService service = scenario.service();
  final ScenarioAccount alice = scenario.account("alice");

  GrantReceipt grantStarting(long credits, Instant start, Instant expiry, String key) {
    return service.grantStarting(alice.id(), LotSource.PROMOTION, CreditAmount.of(credits), start, expiry, Map.of(),
        IdempotencyKey.of(key));
  }

  LedgerEntry last() {
    List<LedgerEntry> ledger = alice.ledger();
    return ledger.get(ledger.size() - 1);
  }

  @Nested
  @DisplayName("A grant with a future start")
  class FutureStart {
    @Test
    @DisplayName("is upcoming, not available, before its start and available after it, with no write")
    void futureGrant_becomesAvailableAtStart() {
      alice.grant(LotSource.SIGNUP_GRANT, 10);
      Instant start = scenario.now().plus(Duration.ofDays(3));
      GrantReceipt receipt = grantStarting(100, start, null, "promo-1");

      BalanceView before = alice.balance();
      assertThat(before.available()).isEqualTo(10);
      assertThat(before.upcoming()).isEqualTo(100);
      assertThat(before.freeCredits()).isEqualTo(10);
      assertThat(before.lots()).extracting(Lot::id, Lot::grantedAt).contains(tuple(receipt.lot(), start));
      assertThat(receipt.grantedAt()).isEqualTo(start);

      Map<String, Object> stored = scenario.store().dump(alice.id());
      scenario.advance(Duration.ofDays(3));
      BalanceView after = alice.balance();
      assertThat(after.available()).isEqualTo(110);
      assertThat(after.upcoming()).isZero();
      assertThat(scenario.store().dump(alice.id())).as("nothing written at the start").isEqualTo(stored);
      assertThat(alice.reconcile().consistent()).isTrue();
    }

    @Test
    @DisplayName("is not drawn by holds before its start: a hold past the started credits is refused")
    void hold_beforeStart_insufficient() {
      alice.grant(LotSource.SIGNUP_GRANT, 10);
      grantStarting(100, scenario.now().plus(Duration.ofMinutes(1)), null, "promo-1");

      Hold small = alice.hold(10);
      assertThat(small.allocations()).hasSize(1);
      failsWithoutChange(scenario, alice, () -> alice.hold(1), InsufficientCreditsException.class,
          ErrorCode.INSUFFICIENT_CREDITS);

      scenario.advance(Duration.ofMinutes(1));
      assertThat(alice.hold(100).amount()).isEqualTo(100);
      assertThat(alice.available()).isZero();
    }

    @Test
    @DisplayName("records the call's time on its ledger entry and the start in the metadata")
    void ledger_keepsCallTimeAndStart() {
      Instant now = scenario.now();
      Instant start = now.plus(Duration.ofDays(1));
      grantStarting(50, start, start.plus(Duration.ofDays(30)), "promo-1");

      assertThat(last().type()).isEqualTo(EntryType.GRANT);
      assertThat(last().at()).isEqualTo(now);
      assertThat(last().metadata()).containsEntry("startsAt", start.toString());
    }

    @Test
    @DisplayName("a start not after now counts at once; a start at or after the expiry is refused")
    void start_rules() {
      GrantReceipt now = grantStarting(5, scenario.now().minusSeconds(60), null, "promo-1");
      assertThat(now.grantedAt()).isEqualTo(scenario.now());
      assertThat(alice.available()).isEqualTo(5);
      assertThat(last().metadata()).doesNotContainKey("startsAt");

      Instant start = scenario.now().plus(Duration.ofDays(2));
      failsWithoutChange(scenario, alice, () -> grantStarting(5, start, start, "promo-2"),
          InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT);
      failsWithoutChange(scenario, alice, () -> grantStarting(5, start, start.minusSeconds(1), "promo-3"),
          InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT);
      failsWithoutChange(scenario, alice, () -> grantStarting(5, null, null, "promo-4"),
          InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("replays by key, and a key reused with another start or without one is a conflict")
    void replayAndConflicts() {
      Instant start = scenario.now().plus(Duration.ofDays(1));
      GrantReceipt first = grantStarting(50, start, null, "promo-1");
      scenario.advance(Duration.ofMinutes(5));
      assertThat(grantStarting(50, start, null, "promo-1")).isEqualTo(first);
      assertThat(alice.balance().upcoming()).isEqualTo(50);

      failsWithoutChange(scenario, alice, () -> grantStarting(50, start.plusSeconds(1), null, "promo-1"),
          IdempotencyConflictException.class, ErrorCode.IDEMPOTENCY_CONFLICT);
      failsWithoutChange(scenario, alice, () -> service.grant(alice.id(), LotSource.PROMOTION, CreditAmount.of(50),
          null, IdempotencyKey.of("promo-1")), IdempotencyConflictException.class, ErrorCode.IDEMPOTENCY_CONFLICT);
    }
  }

  @Nested
  @DisplayName("Voiding a grant")
  class Void {
    @Test
    @DisplayName("removes what remains as a DEBIT entry marked void, with the reason")
    void void_unspent_removesAll() {
      alice.grant(LotSource.SIGNUP_GRANT, 10);
      GrantReceipt promo = alice.grant(LotSource.PROMOTION, 100);

      GrantVoid v = service.voidGrant(alice.id(), promo.lot(), "granted by mistake", IdempotencyKey.of("void-1"));

      assertThat(v.voided()).isEqualTo(100);
      assertThat(v.held()).isZero();
      assertThat(v.used()).isZero();
      assertThat(alice.available()).isEqualTo(10);
      assertThat(last()).satisfies(e -> {
        assertThat(e.type()).isEqualTo(EntryType.DEBIT);
        assertThat(e.amount()).isEqualTo(100);
        assertThat(e.lot()).isEqualTo(promo.lot());
        assertThat(e.metadata()).containsEntry("void", "true").containsEntry("reason", "granted by mistake");
      });
      assertThat(alice.reconcile().consistent()).isTrue();
    }

    @Test
    @DisplayName("reports what was spent and held without taking it; what a hold returns later expires")
    void void_partlyUsed_reportsSpentAndHeld() {
      GrantReceipt promo = alice.grant(LotSource.PROMOTION, 100);
      alice.settle(alice.hold(30));
      Hold live = alice.hold(20);

      GrantVoid v = service.voidGrant(alice.id(), promo.lot(), "chargeback", IdempotencyKey.of("void-1"));

      assertThat(v.voided()).isEqualTo(50);
      assertThat(v.held()).isEqualTo(20);
      assertThat(v.used()).isEqualTo(30);
      assertThat(alice.available()).isZero();
      assertThat(alice.held()).isEqualTo(20);

      assertThat(alice.release(live).expiredOnReturn()).isEqualTo(20);
      assertThat(alice.available()).isZero();
      assertThat(alice.reconcile().consistent()).isTrue();
    }

    @Test
    @DisplayName("a grant that has not started yet can be voided too")
    void void_futureGrant() {
      GrantReceipt promo = grantStarting(40, scenario.now().plus(Duration.ofDays(1)), null, "promo-1");
      GrantVoid v = service.voidGrant(alice.id(), promo.lot(), "campaign cancelled", IdempotencyKey.of("void-1"));
      assertThat(v.voided()).isEqualTo(40);
      scenario.advance(Duration.ofDays(2));
      assertThat(alice.balance().available()).isZero();
      assertThat(alice.balance().upcoming()).isZero();
    }

    @Test
    @DisplayName("twice: the same key replays the first result, another key is LOT_ENDED, nothing changed")
    void void_twice() {
      GrantReceipt promo = alice.grant(LotSource.PROMOTION, 100);
      GrantVoid first = service.voidGrant(alice.id(), promo.lot(), "mistake", IdempotencyKey.of("void-1"));
      scenario.advance(Duration.ofMinutes(1));

      assertThat(service.voidGrant(alice.id(), promo.lot(), "mistake", IdempotencyKey.of("void-1"))).isEqualTo(first);
      failsWithoutChange(scenario, alice,
          () -> service.voidGrant(alice.id(), promo.lot(), "mistake", IdempotencyKey.of("void-2")),
          StateException.class, ErrorCode.LOT_ENDED);
      failsWithoutChange(scenario, alice,
          () -> service.voidGrant(alice.id(), promo.lot(), "other reason", IdempotencyKey.of("void-1")),
          IdempotencyConflictException.class, ErrorCode.IDEMPOTENCY_CONFLICT);
    }

    @Test
    @DisplayName("a lot fully held has nothing to void (LOT_ENDED); an unknown lot is LOT_NOT_FOUND")
    void void_refusals() {
      GrantReceipt promo = alice.grant(LotSource.PROMOTION, 10);
      alice.hold(10);
      failsWithoutChange(scenario, alice,
          () -> service.voidGrant(alice.id(), promo.lot(), "mistake", IdempotencyKey.of("void-1")),
          StateException.class, ErrorCode.LOT_ENDED);
      failsWithoutChange(scenario, alice,
          () -> service.voidGrant(alice.id(), new LotId(999), "mistake", IdempotencyKey.of("void-2")),
          StateException.class, ErrorCode.LOT_NOT_FOUND);
      failsWithoutChange(scenario, alice,
          () -> service.voidGrant(alice.id(), promo.lot(), " ", IdempotencyKey.of("void-3")),
          InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT);
    }
  }

  @Nested
  @DisplayName("Changing a lot's expiry")
  class ChangeExpiry {
    @Test
    @DisplayName("forward: the lot lives past its old expiry; the entry names old and new expiry and the reason")
    void forward() {
      Instant old = scenario.now().plus(Duration.ofDays(1));
      GrantReceipt lot = alice.grantExpiring(100, old);
      Instant later = scenario.now().plus(Duration.ofDays(10));

      ExpiryChange c = service.changeExpiry(alice.id(), lot.lot(), later, "goodwill", IdempotencyKey.of("exp-1"));

      assertThat(c.previousExpiry()).isEqualTo(old);
      assertThat(c.newExpiry()).isEqualTo(later);
      assertThat(last()).satisfies(e -> {
        assertThat(e.type()).isEqualTo(EntryType.EXPIRY_CHANGED);
        assertThat(e.amount()).as("remaining plus reserved").isEqualTo(100);
        assertThat(e.metadata()).containsEntry("previousExpiry", old.toString())
            .containsEntry("newExpiry", later.toString()).containsEntry("reason", "goodwill");
      });
      scenario.advance(Duration.ofDays(2));
      assertThat(alice.available()).isEqualTo(100);
      scenario.advance(Duration.ofDays(8));
      assertThat(alice.available()).isZero();
      assertThat(alice.reconcile().consistent()).isTrue();
    }

    @Test
    @DisplayName("back: the lot expires at the earlier instant")
    void back() {
      GrantReceipt lot = alice.grantExpiring(100, Duration.ofDays(30));
      service.changeExpiry(alice.id(), lot.lot(), scenario.now().plus(Duration.ofHours(1)), "trial shortened",
          IdempotencyKey.of("exp-1"));
      scenario.advance(Duration.ofHours(1));
      assertThat(alice.available()).isZero();
      assertThat(alice.reconcile().consistent()).isTrue();
    }

    @Test
    @DisplayName("none: the lot never expires, recorded as 'never'")
    void none() {
      GrantReceipt lot = alice.grantExpiring(100, Duration.ofDays(1));
      ExpiryChange c = service.changeExpiry(alice.id(), lot.lot(), null, "made permanent", IdempotencyKey.of("exp-1"));
      assertThat(c.newExpiry()).isNull();
      assertThat(last().metadata()).containsEntry("newExpiry", "never");
      scenario.advance(Duration.ofDays(400));
      assertThat(alice.available()).isEqualTo(100);
    }

    @Test
    @DisplayName("refuses an expiry not after now, or not after a future lot's start, and an expired lot")
    void refusals() {
      GrantReceipt lot = alice.grantExpiring(100, Duration.ofDays(1));
      failsWithoutChange(scenario, alice, () -> service.changeExpiry(alice.id(), lot.lot(),
          scenario.now().minusSeconds(1), "x", IdempotencyKey.of("exp-1")), InvalidRequestException.class,
          ErrorCode.INVALID_ARGUMENT);
      failsWithoutChange(scenario, alice, () -> service.changeExpiry(alice.id(), lot.lot(),
          scenario.now().plus(Duration.ofDays(1)), "x", IdempotencyKey.of("exp-2")), InvalidRequestException.class,
          ErrorCode.INVALID_ARGUMENT);
      Instant start = scenario.now().plus(Duration.ofDays(5));
      GrantReceipt future = grantStarting(10, start, null, "promo-1");
      failsWithoutChange(scenario, alice, () -> service.changeExpiry(alice.id(), future.lot(),
          start, "x", IdempotencyKey.of("exp-3")), InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT);

      scenario.advance(Duration.ofDays(1));
      alice.balance();
      failsWithoutChange(scenario, alice, () -> service.changeExpiry(alice.id(), lot.lot(), null, "revive",
          IdempotencyKey.of("exp-4")), StateException.class, ErrorCode.LOT_ENDED);
    }

    @Test
    @DisplayName("replays by key; the same key with another expiry is a conflict")
    void replayAndConflict() {
      GrantReceipt lot = alice.grantExpiring(100, Duration.ofDays(1));
      Instant later = scenario.now().plus(Duration.ofDays(3));
      ExpiryChange first = service.changeExpiry(alice.id(), lot.lot(), later, "goodwill", IdempotencyKey.of("exp-1"));
      int entries = alice.ledger().size();
      assertThat(service.changeExpiry(alice.id(), lot.lot(), later, "goodwill", IdempotencyKey.of("exp-1")))
          .isEqualTo(first);
      assertThat(alice.ledger()).hasSize(entries);
      failsWithoutChange(scenario, alice, () -> service.changeExpiry(alice.id(), lot.lot(), null, "goodwill",
          IdempotencyKey.of("exp-1")), IdempotencyConflictException.class, ErrorCode.IDEMPOTENCY_CONFLICT);
      failsWithoutChange(scenario, alice, () -> service.voidGrant(alice.id(), lot.lot(), "goodwill",
          IdempotencyKey.of("exp-1")), IdempotencyConflictException.class, ErrorCode.IDEMPOTENCY_CONFLICT);
    }

    @Test
    @DisplayName("works on a lot a hold reserved in full: the entry carries the reserved credits")
    void fullyHeldLot() {
      GrantReceipt lot = alice.grantExpiring(10, Duration.ofDays(1));
      Hold h = service.hold(HoldRequest.of(alice.id(), CreditAmount.of(10), IdempotencyKey.of("h")));
      service.changeExpiry(alice.id(), lot.lot(), null, "goodwill", IdempotencyKey.of("exp-1"));
      assertThat(last().amount()).isEqualTo(10);
      alice.release(h);
      scenario.advance(Duration.ofDays(2));
      assertThat(alice.available()).isEqualTo(10);
    }
  }
}
