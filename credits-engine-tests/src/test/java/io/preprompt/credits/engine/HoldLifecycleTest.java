package io.preprompt.credits.engine;

import static io.preprompt.credits.engine.Expect.failsWithoutChange;
import static io.preprompt.credits.engine.Expect.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Release;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.HoldStateException;
import io.preprompt.credits.core.InsufficientCreditsException;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.UnknownHoldException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.testkit.CreditsScenario.ScenarioAccount;
import io.preprompt.credits.testkit.CreditsScenario;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Two-phase holds")
class HoldLifecycleTest {
  final CreditsScenario scenario = new CreditsScenario(
      CreditsConfig.builder().defaultHoldTtl(Duration.ofMinutes(15)).maxHoldTtl(Duration.ofHours(2)).build());
  final ScenarioAccount alice = scenario.account("alice");

  @BeforeEach
  void signup() {
    alice.grant(LotSource.SIGNUP_GRANT, 200);
  }

  @Nested
  @DisplayName("Holding")
  class Holding {
    @Test
    @DisplayName("held credits leave available and show as held")
    void hold_movesAvailableToHeld() {
      Hold hold = alice.hold(30);
      assertThat(hold.state()).isEqualTo(HoldState.ACTIVE);
      assertThat(hold.amount()).isEqualTo(30);
      assertThat(hold.createdAt()).isEqualTo(scenario.now());
      assertThat(hold.deadline()).isEqualTo(scenario.now().plus(Duration.ofMinutes(15)));
      assertThat(hold.ended()).isEmpty();
      assertThat(alice.available()).isEqualTo(170);
      assertThat(alice.held()).isEqualTo(30);
      assertThat(alice.balance().activeHolds()).isEqualTo(1);
      assertThat(alice.find(hold)).contains(hold);
    }

    @Test
    @DisplayName("the ttl asked for sets the deadline")
    void hold_withTtl_setsDeadline() {
      Hold hold = alice.hold(1, Duration.ofHours(2));
      assertThat(hold.deadline()).isEqualTo(scenario.now().plus(Duration.ofHours(2)));
    }

    @Test
    @DisplayName("holding everything available succeeds; one more credit is refused")
    void hold_exactlyAvailable_succeeds() {
      alice.hold(200);
      assertThat(alice.available()).isZero();
      InsufficientCreditsException e = failsWithoutChange(scenario, alice, () -> alice.hold(1),
          InsufficientCreditsException.class, ErrorCode.INSUFFICIENT_CREDITS);
      assertThat(e.available()).isZero();
      assertThat(e.shortfall()).isEqualTo(1);
    }

    @Test
    @DisplayName("more than available fails with INSUFFICIENT_CREDITS naming available and shortfall")
    void hold_insufficient_reportsShortfall() {
      alice.hold(50);
      InsufficientCreditsException e = failsWithoutChange(scenario, alice, () -> alice.hold(180),
          InsufficientCreditsException.class, ErrorCode.INSUFFICIENT_CREDITS);
      assertThat(e.available()).isEqualTo(150);
      assertThat(e.requested()).isEqualTo(180);
      assertThat(e.shortfall()).isEqualTo(30);
      assertThat(alice.available()).isEqualTo(150);
      assertThat(alice.held()).isEqualTo(50);
    }

    @Test
    @DisplayName("a ttl above the configured maximum fails with INVALID_ARGUMENT")
    void hold_ttlAboveMax_invalidArgument() {
      failsWithoutChange(scenario, alice, () -> alice.hold(10, Duration.ofHours(2).plusNanos(1)),
          InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("a null request is refused with INVALID_ARGUMENT")
    void hold_null_invalidArgument() {
      failure(() -> scenario.service().hold(null), InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("the generation's metadata is kept on the hold and its ledger entries")
    void hold_metadata_recorded() {
      Hold hold = scenario.service().hold(HoldRequest.of(alice.id(), CreditAmount.of(12), scenario.nextKey())
          .withMetadata("kind", "image").withMetadata("model", "flux"));
      assertThat(hold.metadata()).containsExactlyInAnyOrderEntriesOf(Map.of("kind", "image", "model", "flux"));
      assertThat(alice.ledger()).filteredOn(e -> e.type() == EntryType.HOLD)
          .allSatisfy(e -> assertThat(e.metadata()).containsEntry("model", "flux"));
    }
  }

  @Nested
  @DisplayName("Settling")
  class Settling {
    @Test
    @DisplayName("settling the whole hold spends it")
    void settle_full_spendsAll() {
      Hold hold = alice.hold(30);
      Settlement s = alice.settle(hold);
      assertThat(s.settled()).isEqualTo(30);
      assertThat(s.returned()).isZero();
      assertThat(s.expiredOnReturn()).isZero();
      assertThat(s.hold()).isEqualTo(hold.id());
      assertThat(alice.available()).isEqualTo(170);
      assertThat(alice.held()).isZero();
      assertThat(alice.find(hold)).get().satisfies(h -> {
        assertThat(h.state()).isEqualTo(HoldState.SETTLED);
        assertThat(h.settled()).isEqualTo(30);
        assertThat(h.endedAt()).isEqualTo(scenario.now());
      });
      assertThat(alice.reconcile().settled()).isEqualTo(30);
    }

    @Test
    @DisplayName("settling less than held returns the rest to available")
    void settle_partial_returnsRest() {
      Hold hold = alice.hold(30);
      Settlement s = alice.settle(hold, 22);
      assertThat(s.settled()).isEqualTo(22);
      assertThat(s.returned()).isEqualTo(8);
      assertThat(alice.available()).isEqualTo(178);
      assertThat(alice.held()).isZero();
      assertThat(alice.ledger()).extracting(LedgerEntry::type)
          .containsExactly(EntryType.GRANT, EntryType.HOLD, EntryType.SETTLE, EntryType.RELEASE);
    }

    @Test
    @DisplayName("a partial settle spends in allocation order and returns to the later lots")
    void settle_partialAcrossLots_spendsInAllocationOrder() {
      var pack = alice.grant(LotSource.PACK, 100);
      Hold hold = alice.hold(250);
      alice.settle(hold, 210);
      assertThat(alice.balance().lots()).singleElement().satisfies(lot -> {
        assertThat(lot.id()).isEqualTo(pack.lot());
        assertThat(lot.remaining()).isEqualTo(90);
        assertThat(lot.reserved()).isZero();
      });
    }

    @Test
    @DisplayName("settling more than held draws the difference from the balance under the default policy")
    void settle_moreThanHeld_drawsFromAvailable() {
      Hold hold = alice.hold(30);
      Settlement s = alice.settle(hold, 31);
      assertThat(s.settled()).isEqualTo(31);
      assertThat(s.uncollected()).isZero();
      assertThat(s.debtIncurred()).isZero();
      assertThat(alice.available()).isEqualTo(200 - 31);
      assertThat(alice.held()).isZero();
    }

    @Test
    @DisplayName("settling more than held and available fails with INSUFFICIENT_CREDITS and the hold stays active")
    void settle_moreThanHeldAndAvailable_holdStaysActive() {
      Hold hold = alice.hold(30);
      InsufficientCreditsException e = failsWithoutChange(scenario, alice, () -> alice.settle(hold, 30 + 171),
          InsufficientCreditsException.class, ErrorCode.INSUFFICIENT_CREDITS);
      assertThat(e.available()).isEqualTo(170);
      assertThat(e.requested()).isEqualTo(171);
      assertThat(e.shortfall()).isEqualTo(1);
      assertThat(alice.find(hold)).get().extracting(Hold::state).isEqualTo(HoldState.ACTIVE);
      assertThat(alice.held()).isEqualTo(30);
      assertThat(alice.settle(hold, 30 + 170).settled()).isEqualTo(200);
      assertThat(alice.available()).isZero();
    }
  }

  @Nested
  @DisplayName("Releasing")
  class Releasing {
    @Test
    @DisplayName("a release returns everything and records the reason")
    void release_returnsAll() {
      Hold hold = alice.hold(30);
      Release r = scenario.service().release(alice.id(), hold.id(), "blocked by moderation", scenario.nextKey());
      assertThat(r.returned()).isEqualTo(30);
      assertThat(r.expiredOnReturn()).isZero();
      assertThat(alice.available()).isEqualTo(200);
      assertThat(alice.held()).isZero();
      assertThat(alice.find(hold)).get().extracting(Hold::state).isEqualTo(HoldState.RELEASED);
      assertThat(alice.ledger()).last().satisfies(e -> {
        assertThat(e.type()).isEqualTo(EntryType.RELEASE);
        assertThat(e.metadata()).containsEntry("reason", "blocked by moderation");
      });
    }

    @Test
    @DisplayName("a null or oversized reason is refused with INVALID_ARGUMENT")
    void release_badReason_invalidArgument() {
      Hold hold = alice.hold(30);
      failsWithoutChange(scenario, alice, () -> scenario.service().release(alice.id(), hold.id(), null,
          scenario.nextKey()), InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT);
      failsWithoutChange(scenario, alice, () -> scenario.service().release(alice.id(), hold.id(), "x".repeat(257),
          scenario.nextKey()), InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT);
    }
  }

  @Nested
  @DisplayName("A hold ends exactly once")
  class EndsOnce {
    Hold hold;

    @BeforeEach
    void placeHold() {
      hold = alice.hold(30);
    }

    @Test
    @DisplayName("after a settle, settle and release answer HOLD_ALREADY_SETTLED")
    void settled_thenAnything_alreadySettled() {
      alice.settle(hold, 10);
      HoldStateException e = failsWithoutChange(scenario, alice, () -> alice.settle(hold),
          HoldStateException.class, ErrorCode.HOLD_ALREADY_SETTLED);
      assertThat(e.state()).isEqualTo(HoldState.SETTLED);
      assertThat(e.holdId()).isEqualTo(hold.id());
      failsWithoutChange(scenario, alice, () -> alice.release(hold),
          HoldStateException.class, ErrorCode.HOLD_ALREADY_SETTLED);
      assertThat(alice.available()).isEqualTo(190);
    }

    @Test
    @DisplayName("after a release, settle and release answer HOLD_ALREADY_RELEASED")
    void released_thenAnything_alreadyReleased() {
      alice.release(hold);
      failsWithoutChange(scenario, alice, () -> alice.settle(hold, 5),
          HoldStateException.class, ErrorCode.HOLD_ALREADY_RELEASED);
      failsWithoutChange(scenario, alice, () -> alice.release(hold),
          HoldStateException.class, ErrorCode.HOLD_ALREADY_RELEASED);
      assertThat(alice.available()).isEqualTo(200);
    }

    @Test
    @DisplayName("after expiry, settle and release answer HOLD_EXPIRED, before and after the expiry is stored")
    void expired_thenAnything_holdExpired() {
      scenario.advance(Duration.ofMinutes(16));
      failsWithoutChange(scenario, alice, () -> alice.settle(hold),
          HoldStateException.class, ErrorCode.HOLD_EXPIRED);
      failsWithoutChange(scenario, alice, () -> alice.release(hold),
          HoldStateException.class, ErrorCode.HOLD_EXPIRED);
      scenario.service().sweep();
      assertThat(scenario.store().findHold(alice.id(), hold.id())).get().extracting(Hold::state)
          .isEqualTo(HoldState.EXPIRED);
      failsWithoutChange(scenario, alice, () -> alice.settle(hold),
          HoldStateException.class, ErrorCode.HOLD_EXPIRED);
      assertThat(alice.available()).isEqualTo(200);
    }

    @Test
    @DisplayName("an unknown hold id answers HOLD_NOT_FOUND")
    void unknownHold_holdNotFound() {
      HoldId ghost = HoldId.random();
      failsWithoutChange(scenario, alice, () -> scenario.service().settle(alice.id(), ghost, scenario.nextKey()),
          UnknownHoldException.class, ErrorCode.HOLD_NOT_FOUND);
      failsWithoutChange(scenario, alice, () -> scenario.service().release(alice.id(), ghost, "", scenario.nextKey()),
          UnknownHoldException.class, ErrorCode.HOLD_NOT_FOUND);
      assertThat(scenario.service().findHold(alice.id(), ghost)).isEmpty();
    }

    @Test
    @DisplayName("another account's hold answers HOLD_NOT_FOUND and is left alone")
    void otherAccountsHold_holdNotFound() {
      ScenarioAccount mallory = scenario.account("mallory");
      mallory.grant(LotSource.SIGNUP_GRANT, 200);
      var aliceBefore = scenario.store().dump(alice.id());
      failsWithoutChange(scenario, mallory, () -> mallory.settle(hold),
          UnknownHoldException.class, ErrorCode.HOLD_NOT_FOUND);
      failsWithoutChange(scenario, mallory, () -> mallory.release(hold),
          UnknownHoldException.class, ErrorCode.HOLD_NOT_FOUND);
      assertThat(mallory.find(hold)).isEmpty();
      assertThat(scenario.store().dump(alice.id())).isEqualTo(aliceBefore);
      assertThat(alice.find(hold)).get().extracting(Hold::state).isEqualTo(HoldState.ACTIVE);
    }

    @Test
    @DisplayName("null ids are refused with typed errors")
    void nullIds_typedErrors() {
      failure(() -> scenario.service().settle(alice.id(), null, scenario.nextKey()),
          InvalidRequestException.class, ErrorCode.INVALID_HOLD_ID);
      failure(() -> scenario.service().settle(null, hold.id(), scenario.nextKey()),
          InvalidRequestException.class, ErrorCode.INVALID_ACCOUNT_ID);
      failure(() -> scenario.service().release(alice.id(), hold.id(), "", null),
          InvalidRequestException.class, ErrorCode.INVALID_IDEMPOTENCY_KEY);
    }
  }

  @Nested
  @DisplayName("Deadlines are never enforced early")
  class Deadlines {
    @Test
    @DisplayName("settling exactly at the deadline succeeds")
    void settle_atDeadline_succeeds() {
      Hold hold = alice.hold(30);
      scenario.clock().set(hold.deadline());
      assertThat(alice.find(hold)).get().extracting(Hold::state).isEqualTo(HoldState.ACTIVE);
      assertThat(scenario.service().sweep().holdsExpired()).isZero();
      assertThat(alice.settle(hold).settled()).isEqualTo(30);
    }

    @Test
    @DisplayName("releasing exactly at the deadline succeeds")
    void release_atDeadline_succeeds() {
      Hold hold = alice.hold(30);
      scenario.clock().set(hold.deadline());
      assertThat(alice.release(hold).returned()).isEqualTo(30);
    }

    @Test
    @DisplayName("one microsecond after the deadline the hold has expired (time is kept in microseconds)")
    void settle_oneMicroAfterDeadline_holdExpired() {
      Hold hold = alice.hold(30);
      scenario.clock().set(hold.deadline().plusNanos(999));
      assertThat(alice.find(hold)).get().extracting(Hold::state).isEqualTo(HoldState.ACTIVE);
      scenario.clock().set(hold.deadline().plusNanos(1_000));
      assertThat(alice.find(hold)).get().extracting(Hold::state).isEqualTo(HoldState.EXPIRED);
      failsWithoutChange(scenario, alice, () -> alice.settle(hold),
          HoldStateException.class, ErrorCode.HOLD_EXPIRED);
      assertThat(alice.available()).isEqualTo(200);
    }
  }
}
