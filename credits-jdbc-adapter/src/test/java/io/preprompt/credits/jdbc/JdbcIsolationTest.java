package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.UnknownHoldException;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.spi.IdempotencyRecord;
import io.preprompt.credits.testkit.MutableClock;
import java.time.Instant;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Isolation between accounts on the JDBC store, where every lookup must carry the account in its
 * {@code WHERE} clause: one account cannot see, end or read another's holds, ledger or keys.
 */
@DisplayName("JdbcCreditStore keeps accounts apart")
class JdbcIsolationTest {
  private static final Instant T0 = Instant.parse("2026-05-04T12:00:00Z");
  private static final AccountId ALICE = AccountId.of("alice");
  private static final AccountId BOB = AccountId.of("bob");

  @ParameterizedTest(name = "on {0}")
  @EnumSource(Databases.class)
  @DisplayName("another account's hold, ledger and idempotency keys are invisible through every call")
  void accountsAreIsolated(Databases database) {
    Databases.Target target = database.fresh();
    JdbcCreditStore store = target.store();
    CreditService credits = CreditService.builder().store(store).clock(new MutableClock(T0)).build();
    credits.openAccount(ALICE, IdempotencyKey.of("open"));
    credits.openAccount(BOB, IdempotencyKey.of("open"));
    credits.grant(ALICE, LotSource.PACK, CreditAmount.of(100), null, IdempotencyKey.of("grant"));
    credits.grant(BOB, LotSource.PACK, CreditAmount.of(900), null, IdempotencyKey.of("grant"));
    Hold bobs = credits.hold(HoldRequest.of(BOB, CreditAmount.of(40), IdempotencyKey.of("gen-1"))
        .withMetadata("prompt", "bob's"));
    long bobsVersion = store.load(BOB, HoldSelection.allActive()).orElseThrow().account().version();

    // The store itself answers only within the account.
    assertThat(store.findHold(ALICE, bobs.id())).isEmpty();
    assertThat(store.findHold(BOB, bobs.id())).contains(bobs);
    assertThat(store.findIdempotencyRecord(ALICE, IdempotencyKey.of("gen-1"))).isEmpty();
    assertThat(store.findIdempotencyRecord(ALICE, IdempotencyKey.of("grant"))).map(IdempotencyRecord::result)
        .isNotEqualTo(store.findIdempotencyRecord(BOB, IdempotencyKey.of("grant")).map(IdempotencyRecord::result));
    assertThat(store.readLedger(ALICE, LedgerQuery.firstPage(100))).extracting(LedgerEntry::account)
        .containsOnly(ALICE);

    // And so does the service.
    assertThat(credits.findHold(ALICE, bobs.id())).isEmpty();
    holdNotFound(() -> credits.settle(ALICE, bobs.id(), IdempotencyKey.of("steal-1")));
    holdNotFound(() -> credits.release(ALICE, bobs.id(), "mine", IdempotencyKey.of("steal-2")));
    List<LedgerEntry> history = credits.history(ALICE, LedgerQuery.firstPage(100)).entries();
    assertThat(history).extracting(LedgerEntry::amount).containsExactly(100L);
    assertThat(history).allSatisfy(e -> assertThat(e.account()).isEqualTo(ALICE));
    assertThat(credits.reconcile(ALICE).granted()).isEqualTo(100);
    assertThat(credits.balance(ALICE).held()).isZero();

    // Bob's key and parameters on Alice's account make Alice a hold of her own.
    Hold alices = credits.hold(HoldRequest.of(ALICE, CreditAmount.of(40), IdempotencyKey.of("gen-1"))
        .withMetadata("prompt", "bob's"));
    assertThat(alices.id()).isNotEqualTo(bobs.id());
    assertThat(alices.account()).isEqualTo(ALICE);
    assertThat(store.load(BOB, HoldSelection.allActive()).orElseThrow().account().version())
        .isEqualTo(bobsVersion);
    assertThat(credits.findHold(BOB, bobs.id())).contains(bobs);
  }

  private static void holdNotFound(ThrowingCallable call) {
    assertThatThrownBy(call).isInstanceOfSatisfying(UnknownHoldException.class,
        e -> assertThat(e.code()).isEqualTo(ErrorCode.HOLD_NOT_FOUND));
  }
}
