package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.ConcurrentUpdateException;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.testkit.MutableClock;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A lock wait that times out is another writer holding the account: a retryable conflict, not a store failure. */
@DisplayName("JdbcCreditStore on PostgreSQL when a lock wait times out")
class PostgresLockTimeoutTest {
  private static final AccountId ALICE = AccountId.of("alice");

  @Test
  @DisplayName("lock_not_available (55P03) and H2's lock timeout (HYT00) are conflicts; other states are not")
  void classification() {
    assertThat(JdbcCreditStore.isConflict(new SQLException("lock timeout", "55P03"))).isTrue();
    assertThat(JdbcCreditStore.isConflict(new SQLException("Timeout trying to lock table", "HYT00"))).isTrue();
    assertThat(JdbcCreditStore.isConflict(new SQLException("terminated", "57P01"))).isFalse();
    assertThat(JdbcCreditStore.isConflict(new SQLException("no state"))).isFalse();
  }

  @Test
  @Timeout(60)
  @DisplayName("a commit blocked past lock_timeout is retried, surfaces as CONCURRENT_UPDATE, changes nothing, and succeeds once the lock is gone")
  void lockTimeoutIsAConflict() throws Exception {
    Databases.Target target = Databases.POSTGRESQL.fresh();
    MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
    CreditService credits = CreditService.builder().store(target.store()).clock(clock).build();
    credits.openAccount(ALICE, IdempotencyKey.of("open"));
    credits.grant(ALICE, LotSource.PACK, CreditAmount.of(100), null, IdempotencyKey.of("grant"));
    // The host configured a short lock_timeout on its connections.
    String url = PostgresServer.get().url() + "&options=-c%20lock_timeout%3D150ms";
    CreditService impatient = CreditService.builder()
        .store(JdbcCreditStore.create(TestDataSource.unpooled(url), target.config())).clock(clock)
        .config(CreditsConfig.builder().maxCommitAttempts(3).build()).build();
    HoldRequest request = HoldRequest.of(ALICE, CreditAmount.of(30), IdempotencyKey.of("gen-1"));
    long versionBefore = version(target);

    try (Connection locker = PostgresServer.get().connect()) {
      locker.setAutoCommit(false);
      try (PreparedStatement ps = locker.prepareStatement(
          "SELECT version FROM " + target.config().table("accounts") + " WHERE id = ? FOR UPDATE")) {
        ps.setString(1, ALICE.value());
        ps.executeQuery().close();
      }
      assertThatThrownBy(() -> impatient.hold(request)).isInstanceOfSatisfying(ConcurrentUpdateException.class,
          e -> assertThat(e.code()).isEqualTo(ErrorCode.CONCURRENT_UPDATE));
      locker.rollback();
    }

    assertThat(version(target)).isEqualTo(versionBefore);
    assertThat(target.store().findIdempotencyRecord(ALICE, request.key())).isEmpty();
    assertThat(impatient.hold(request).amount()).isEqualTo(30);
    assertThat(credits.balance(ALICE).available()).isEqualTo(70);
    assertThat(credits.reconcile(ALICE).consistent()).isTrue();
  }

  private static long version(Databases.Target target) {
    return target.store().load(ALICE, HoldSelection.allActive()).orElseThrow().account().version();
  }
}
