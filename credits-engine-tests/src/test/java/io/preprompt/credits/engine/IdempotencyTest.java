package io.preprompt.credits.engine;

import static io.preprompt.credits.engine.Expect.failsWithoutChange;
import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.GrantReceipt;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Release;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.IdempotencyConflictException;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.testkit.CreditsScenario.ScenarioAccount;
import io.preprompt.credits.testkit.CreditsScenario;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Idempotency keys")
class IdempotencyTest {
  final CreditsScenario scenario = new CreditsScenario();
  final CreditService service = scenario.service();
  final ScenarioAccount alice = scenario.account("alice");
  final IdempotencyKey key = IdempotencyKey.of("req-1");

  @BeforeEach
  void signup() {
    alice.grant(LotSource.SIGNUP_GRANT, 200);
  }

  void conflict(ThrowingCallable call, String field) {
    IdempotencyConflictException e = failsWithoutChange(scenario, alice, call, IdempotencyConflictException.class,
        ErrorCode.IDEMPOTENCY_CONFLICT);
    assertThat(e.field()).isEqualTo(field);
    assertThat(e.key()).isEqualTo(key);
  }

  int ledgerSize() {
    return alice.ledger().size();
  }

  @Nested
  @DisplayName("Same key, same parameters: the first result again, no second effect")
  class Replays {
    @Test
    void grant_replayed_sameLotOneEntry() {
      Instant expiry = scenario.now().plus(Duration.ofDays(3));
      GrantReceipt first = service.grant(alice.id(), LotSource.PACK, CreditAmount.of(50), expiry, key);
      Map<String, Object> after = scenario.store().dump(alice.id());
      scenario.advance(Duration.ofMinutes(5));
      GrantReceipt again = service.grant(alice.id(), LotSource.PACK, CreditAmount.of(50), expiry, key);
      assertThat(again).isEqualTo(first);
      assertThat(scenario.store().dump(alice.id())).isEqualTo(after);
      assertThat(alice.available()).isEqualTo(250);
    }

    @Test
    void grant_replayedAfterExpiryPassed_stillReplays() {
      Instant expiry = scenario.now().plus(Duration.ofMinutes(1));
      GrantReceipt first = service.grant(alice.id(), LotSource.PROMOTION, CreditAmount.of(5), expiry, key);
      scenario.advance(Duration.ofHours(1));
      assertThat(service.grant(alice.id(), LotSource.PROMOTION, CreditAmount.of(5), expiry, key)).isEqualTo(first);
    }

    @Test
    void hold_replayed_sameHoldIdNoSecondHold() {
      HoldRequest request = HoldRequest.of(alice.id(), CreditAmount.of(30), key).withMetadata("model", "m1");
      Hold first = service.hold(request);
      int entries = ledgerSize();
      Hold again = service.hold(request);
      assertThat(again).isEqualTo(first);
      assertThat(again.id()).isEqualTo(first.id());
      assertThat(ledgerSize()).isEqualTo(entries);
      assertThat(alice.held()).isEqualTo(30);
    }

    @Test
    void hold_replayedAfterItSettled_returnsTheFirstResult() {
      HoldRequest request = HoldRequest.of(alice.id(), CreditAmount.of(30), key);
      Hold first = service.hold(request);
      alice.settle(first);
      Hold again = service.hold(request);
      assertThat(again).isEqualTo(first);
      assertThat(again.state()).isEqualTo(HoldState.ACTIVE);
      assertThat(alice.available()).isEqualTo(170);
    }

    @Test
    void settle_replayed_noSecondSettle() {
      Hold hold = alice.hold(30);
      Settlement first = service.settle(alice.id(), hold.id(), CreditAmount.of(20), key);
      int entries = ledgerSize();
      scenario.advance(Duration.ofMinutes(1));
      Settlement again = service.settle(alice.id(), hold.id(), CreditAmount.of(20), key);
      assertThat(again).isEqualTo(first);
      assertThat(ledgerSize()).isEqualTo(entries);
      assertThat(alice.available()).isEqualTo(180);
    }

    @Test
    void settle_replayedAfterDeadline_replaysInsteadOfExpired() {
      Hold hold = alice.hold(30);
      Settlement first = service.settle(alice.id(), hold.id(), key);
      scenario.advance(Duration.ofDays(1));
      assertThat(service.settle(alice.id(), hold.id(), key)).isEqualTo(first);
    }

    @Test
    void release_replayed_noSecondRelease() {
      Hold hold = alice.hold(30);
      Release first = service.release(alice.id(), hold.id(), "failed", key);
      int entries = ledgerSize();
      Release again = service.release(alice.id(), hold.id(), "failed", key);
      assertThat(again).isEqualTo(first);
      assertThat(ledgerSize()).isEqualTo(entries);
      assertThat(alice.available()).isEqualTo(200);
    }

    @Test
    void sameKey_otherAccount_isIndependent() {
      ScenarioAccount bob = scenario.account("bob");
      service.grant(alice.id(), LotSource.PACK, CreditAmount.of(1), null, key);
      GrantReceipt bobs = service.grant(bob.id(), LotSource.PACK, CreditAmount.of(7), null, key);
      assertThat(bobs.amount()).isEqualTo(7);
      assertThat(bob.available()).isEqualTo(7);
      assertThat(alice.available()).isEqualTo(201);
    }
  }

  @Nested
  @DisplayName("Same key, different parameters: IDEMPOTENCY_CONFLICT naming the field")
  class Conflicts {
    @Test
    void grant_differentAmount_namesAmount() {
      service.grant(alice.id(), LotSource.PACK, CreditAmount.of(50), null, key);
      conflict(() -> service.grant(alice.id(), LotSource.PACK, CreditAmount.of(51), null, key), "amount");
    }

    @Test
    void grant_differentSourceExpiryOrMetadata_namesThem() {
      Instant expiry = scenario.now().plus(Duration.ofDays(1));
      service.grant(alice.id(), LotSource.PROMOTION, CreditAmount.of(50), expiry, Map.of("campaign", "a"), key);
      conflict(() -> service.grant(alice.id(), LotSource.PACK, CreditAmount.of(50), expiry, Map.of("campaign", "a"),
          key), "source");
      conflict(() -> service.grant(alice.id(), LotSource.PROMOTION, CreditAmount.of(50), null,
          Map.of("campaign", "a"), key), "expiresAt");
      conflict(() -> service.grant(alice.id(), LotSource.PROMOTION, CreditAmount.of(50), expiry,
          Map.of("campaign", "b"), key), "metadata");
    }

    @Test
    void hold_differentAmount_namesAmount() {
      service.hold(HoldRequest.of(alice.id(), CreditAmount.of(30), key));
      conflict(() -> service.hold(HoldRequest.of(alice.id(), CreditAmount.of(31), key)), "amount");
    }

    @Test
    void hold_differentMetadata_namesMetadata() {
      service.hold(HoldRequest.of(alice.id(), CreditAmount.of(30), key).withMetadata("model", "m1"));
      conflict(() -> service.hold(HoldRequest.of(alice.id(), CreditAmount.of(30), key).withMetadata("model", "m2")),
          "metadata");
    }

    @Test
    void hold_differentTtl_namesTtl() {
      service.hold(HoldRequest.of(alice.id(), CreditAmount.of(30), key));
      conflict(() -> service.hold(HoldRequest.of(alice.id(), CreditAmount.of(30), key)
          .withTtl(Duration.ofMinutes(1))), "ttl");
    }

    @Test
    void settle_differentHold_namesHold() {
      Hold h1 = alice.hold(10);
      Hold h2 = alice.hold(10);
      service.settle(alice.id(), h1.id(), key);
      conflict(() -> service.settle(alice.id(), h2.id(), key), "hold");
      assertThat(alice.find(h2)).get().extracting(Hold::state).isEqualTo(HoldState.ACTIVE);
    }

    @Test
    void settle_differentAmount_namesAmount() {
      Hold hold = alice.hold(10);
      service.settle(alice.id(), hold.id(), CreditAmount.of(5), key);
      conflict(() -> service.settle(alice.id(), hold.id(), CreditAmount.of(6), key), "amount");
      conflict(() -> service.settle(alice.id(), hold.id(), key), "amount");
    }

    @Test
    void settle_differentMetadata_namesMetadata() {
      Hold hold = alice.hold(10);
      service.settleAll(alice.id(), hold.id(), Map.of("actual", "10"), key);
      conflict(() -> service.settleAll(alice.id(), hold.id(), Map.of("actual", "9"), key), "metadata");
    }

    @Test
    void release_differentReason_namesReason() {
      Hold hold = alice.hold(10);
      service.release(alice.id(), hold.id(), "failed", key);
      conflict(() -> service.release(alice.id(), hold.id(), "cancelled", key), "reason");
    }

    @Test
    void release_differentHold_namesHold() {
      Hold h1 = alice.hold(10);
      Hold h2 = alice.hold(10);
      service.release(alice.id(), h1.id(), "failed", key);
      conflict(() -> service.release(alice.id(), h2.id(), "failed", key), "hold");
    }

    @Test
    void keyOfAnotherOperation_namesOperation() {
      Hold hold = alice.hold(10);
      service.grant(alice.id(), LotSource.PACK, CreditAmount.of(5), null, key);
      conflict(() -> service.hold(HoldRequest.of(alice.id(), CreditAmount.of(5), key)), "operation");
      conflict(() -> service.settle(alice.id(), hold.id(), key), "operation");
      conflict(() -> service.release(alice.id(), hold.id(), "failed", key), "operation");
      conflict(() -> service.openAccount(alice.id(), key), "operation");
    }

    @Test
    void keyOfOpenAccount_usedForGrant_namesOperation() {
      IdempotencyKey openKey = IdempotencyKey.of("open-carol");
      var carol = io.preprompt.credits.core.AccountId.of("carol");
      service.openAccount(carol, openKey);
      IdempotencyConflictException e = Expect.failure(
          () -> service.grant(carol, LotSource.PACK, CreditAmount.of(5), null, openKey),
          IdempotencyConflictException.class, ErrorCode.IDEMPOTENCY_CONFLICT);
      assertThat(e.field()).isEqualTo("operation");
    }
  }
}
