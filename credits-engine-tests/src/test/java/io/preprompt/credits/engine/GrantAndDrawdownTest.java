package io.preprompt.credits.engine;

import static io.preprompt.credits.engine.Expect.failsWithoutChange;
import static io.preprompt.credits.engine.Expect.failure;
import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.balance.Allocation;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.GrantReceipt;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.UnknownAccountException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.testkit.CreditsScenario.ScenarioAccount;
import io.preprompt.credits.testkit.CreditsScenario;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Grants and the drawdown order")
class GrantAndDrawdownTest {
  final CreditsScenario scenario = new CreditsScenario();
  final ScenarioAccount alice = scenario.account("alice");

  long remaining(LotId lot) {
    return alice.balance().lots().stream().filter(l -> l.id().equals(lot)).mapToLong(Lot::remaining).sum();
  }

  @Nested
  @DisplayName("Opening accounts")
  class Opening {
    @Test
    @DisplayName("a new account starts with a zero balance and an empty ledger")
    void newAccount_isEmpty() {
      BalanceView b = alice.balance();
      assertThat(b.available()).isZero();
      assertThat(b.held()).isZero();
      assertThat(b.lots()).isEmpty();
      assertThat(alice.ledger()).isEmpty();
      assertThat(alice.reconcile().consistent()).isTrue();
    }

    @Test
    @DisplayName("opening an existing account with another key changes nothing and says so")
    void openAccount_existing_returnsFalse() {
      alice.grant(LotSource.SIGNUP_GRANT, 10);
      Map<String, Object> before = scenario.store().dump(alice.id());
      assertThat(scenario.service().openAccount(alice.id(), IdempotencyKey.of("other"))).isFalse();
      assertThat(scenario.store().dump(alice.id())).isEqualTo(before);
    }

    @Test
    @DisplayName("opening again with the same key replays the first answer")
    void openAccount_sameKey_replaysTrue() {
      AccountId bob = AccountId.of("bob");
      IdempotencyKey key = IdempotencyKey.of("open-bob");
      assertThat(scenario.service().openAccount(bob, key)).isTrue();
      assertThat(scenario.service().openAccount(bob, key)).isTrue();
    }
  }

  @Nested
  @DisplayName("Granting")
  class Granting {
    @Test
    @DisplayName("a grant creates a lot with its source, amount and expiry, and a GRANT entry")
    void grant_createsLotAndEntry() {
      Instant expiry = scenario.now().plus(Duration.ofDays(30));
      GrantReceipt receipt = alice.grant(LotSource.MONTHLY_ALLOWANCE, 500, expiry);

      assertThat(receipt.amount()).isEqualTo(500);
      assertThat(receipt.source()).isEqualTo(LotSource.MONTHLY_ALLOWANCE);
      assertThat(receipt.grantedAt()).isEqualTo(scenario.now());
      assertThat(receipt.expiresAt()).isEqualTo(expiry);
      BalanceView b = alice.balance();
      assertThat(b.available()).isEqualTo(500);
      assertThat(b.allowanceCredits()).isEqualTo(500);
      assertThat(b.lots()).singleElement().satisfies(lot -> {
        assertThat(lot.id()).isEqualTo(receipt.lot());
        assertThat(lot.granted()).isEqualTo(500);
        assertThat(lot.remaining()).isEqualTo(500);
        assertThat(lot.reserved()).isZero();
        assertThat(lot.expiry()).contains(expiry);
      });
      assertThat(alice.ledger()).singleElement().satisfies(e -> {
        assertThat(e.type()).isEqualTo(EntryType.GRANT);
        assertThat(e.amount()).isEqualTo(500);
        assertThat(e.lot()).isEqualTo(receipt.lot());
        assertThat(e.sequence()).isEqualTo(1);
      });
    }

    @Test
    @DisplayName("the balance view splits available credits into free, pack and allowance")
    void balance_splitsBySource() {
      alice.grant(LotSource.SIGNUP_GRANT, 200);
      alice.grant(LotSource.PROMOTION, 20);
      alice.grant(LotSource.PACK, 1000);
      alice.grantExpiring(300, Duration.ofDays(30));
      alice.grant(LotSource.PRORATION, 7, scenario.now().plus(Duration.ofDays(30)));
      BalanceView b = alice.balance();
      assertThat(b.freeCredits()).isEqualTo(220);
      assertThat(b.packCredits()).isEqualTo(1000);
      assertThat(b.allowanceCredits()).isEqualTo(307);
      assertThat(b.available()).isEqualTo(1527);
    }

    @Test
    @DisplayName("a zero amount is refused with INVALID_AMOUNT")
    void grant_zero_invalidAmount() {
      failsWithoutChange(scenario, alice, () -> scenario.service().grant(alice.id(), LotSource.PACK,
          CreditAmount.ZERO, null, scenario.nextKey()), InvalidRequestException.class, ErrorCode.INVALID_AMOUNT);
    }

    @Test
    @DisplayName("an expiry now or in the past is refused with INVALID_ARGUMENT")
    void grant_expiryNotInFuture_invalidArgument() {
      alice.grant(LotSource.SIGNUP_GRANT, 5);
      failsWithoutChange(scenario, alice, () -> alice.grant(LotSource.PROMOTION, 10, scenario.now()),
          InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT);
      failsWithoutChange(scenario, alice, () -> alice.grant(LotSource.PROMOTION, 10, scenario.now().minusNanos(1)),
          InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT);
      assertThat(alice.grant(LotSource.PROMOTION, 10, scenario.now().plusNanos(1)).amount()).isEqualTo(10);
    }

    @Test
    @DisplayName("granting to an account that was never opened fails with ACCOUNT_NOT_FOUND")
    void grant_unknownAccount_accountNotFound() {
      AccountId ghost = AccountId.of("ghost");
      failure(() -> scenario.service().grant(ghost, LotSource.PACK, CreditAmount.of(5), null, scenario.nextKey()),
          UnknownAccountException.class, ErrorCode.ACCOUNT_NOT_FOUND);
      assertThat(scenario.store().accountIds()).doesNotContain(ghost);
      failure(() -> scenario.service().balance(ghost), UnknownAccountException.class, ErrorCode.ACCOUNT_NOT_FOUND);
    }

    @Test
    @DisplayName("a grant that would overflow the account's totals fails with AMOUNT_OVERFLOW")
    void grant_overflow_amountOverflow() {
      alice.grant(LotSource.ADJUSTMENT, Long.MAX_VALUE);
      failsWithoutChange(scenario, alice, () -> alice.grant(LotSource.PACK, 1),
          InvalidRequestException.class, ErrorCode.AMOUNT_OVERFLOW);
      assertThat(alice.available()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    @DisplayName("null arguments are refused with typed errors")
    void grant_nullArguments_typedErrors() {
      failure(() -> scenario.service().grant(null, LotSource.PACK, CreditAmount.of(1), null, scenario.nextKey()),
          InvalidRequestException.class, ErrorCode.INVALID_ACCOUNT_ID);
      failure(() -> scenario.service().grant(alice.id(), LotSource.PACK, CreditAmount.of(1), null, null),
          InvalidRequestException.class, ErrorCode.INVALID_IDEMPOTENCY_KEY);
      failure(() -> scenario.service().grant(alice.id(), null, CreditAmount.of(1), null, scenario.nextKey()),
          InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT);
      failure(() -> scenario.service().grant(alice.id(), LotSource.PACK, null, null, scenario.nextKey()),
          InvalidRequestException.class, ErrorCode.INVALID_ARGUMENT);
    }
  }

  @Nested
  @DisplayName("Drawdown order")
  class Drawdown {
    @Test
    @DisplayName("soonest expiry is spent first, never-expiring lots last")
    void hold_soonestExpiryFirst() {
      GrantReceipt pack = alice.grant(LotSource.PACK, 100);
      GrantReceipt late = alice.grantExpiring(100, Duration.ofDays(30));
      GrantReceipt soon = alice.grant(LotSource.PROMOTION, 100, scenario.now().plus(Duration.ofDays(2)));

      Hold hold = alice.hold(250);

      assertThat(hold.allocations()).containsExactly(
          new Allocation(soon.lot(), 100), new Allocation(late.lot(), 100), new Allocation(pack.lot(), 50));
      assertThat(remaining(soon.lot())).isZero();
      assertThat(remaining(late.lot())).isZero();
      assertThat(remaining(pack.lot())).isEqualTo(50);
      assertThat(alice.balance().lots()).extracting(Lot::id).containsExactly(soon.lot(), late.lot(), pack.lot());
    }

    @Test
    @DisplayName("among equal expiry, free credits go before paid ones, even when the paid lot is older")
    void hold_equalExpiry_freeBeforePaid() {
      Instant cycleEnd = scenario.now().plus(Duration.ofDays(30));
      GrantReceipt allowance = alice.grant(LotSource.MONTHLY_ALLOWANCE, 100, cycleEnd);
      scenario.advance(Duration.ofHours(1));
      GrantReceipt promo = alice.grant(LotSource.PROMOTION, 100, cycleEnd);

      Hold hold = alice.hold(120);

      assertThat(hold.allocations()).containsExactly(new Allocation(promo.lot(), 100),
          new Allocation(allowance.lot(), 20));
      assertThat(remaining(allowance.lot())).isEqualTo(80);
    }

    @Test
    @DisplayName("never-expiring free credits go before never-expiring packs")
    void hold_noExpiry_signupBeforePack() {
      GrantReceipt pack = alice.grant(LotSource.PACK, 50);
      GrantReceipt signup = alice.grant(LotSource.SIGNUP_GRANT, 50);
      assertThat(alice.hold(60).allocations()).containsExactly(new Allocation(signup.lot(), 50),
          new Allocation(pack.lot(), 10));
    }

    @Test
    @DisplayName("among equal expiry and kind, the oldest lot goes first")
    void hold_sameKind_oldestFirst() {
      GrantReceipt first = alice.grant(LotSource.PACK, 30);
      scenario.advance(Duration.ofMinutes(1));
      GrantReceipt second = alice.grant(LotSource.PACK, 30);
      scenario.advance(Duration.ofMinutes(1));
      GrantReceipt third = alice.grant(LotSource.PACK, 30);

      assertThat(alice.hold(40).allocations()).containsExactly(new Allocation(first.lot(), 30),
          new Allocation(second.lot(), 10));
      assertThat(remaining(third.lot())).isEqualTo(30);
      assertThat(alice.hold(30).allocations()).containsExactly(new Allocation(second.lot(), 20),
          new Allocation(third.lot(), 10));
    }

    @Test
    @DisplayName("a hold writes one HOLD entry per lot it draws from")
    void hold_entriesPerLot() {
      GrantReceipt a = alice.grant(LotSource.SIGNUP_GRANT, 10);
      GrantReceipt b = alice.grant(LotSource.PACK, 10);
      Hold hold = alice.hold(15);
      assertThat(alice.ledger()).filteredOn(e -> e.type() == EntryType.HOLD)
          .extracting(e -> e.lot(), e -> e.amount(), e -> e.hold())
          .containsExactly(org.assertj.core.groups.Tuple.tuple(a.lot(), 10L, hold.id()),
              org.assertj.core.groups.Tuple.tuple(b.lot(), 5L, hold.id()));
    }
  }
}
