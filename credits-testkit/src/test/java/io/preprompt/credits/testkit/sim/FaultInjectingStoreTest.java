package io.preprompt.credits.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.StoreException;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("FaultInjectingStore")
class FaultInjectingStoreTest {
  private final InMemoryCreditStore inner = new InMemoryCreditStore();
  private final FaultInjectingStore store = new FaultInjectingStore(inner, Duration.ofMillis(20));
  /** Reads every call, so read faults meet every call. */
  private final CreditService credits = CreditService.builder().store(store)
      .clock(MutableClock.at("2026-03-01T00:00:00Z")).reuseCommittedAccounts(false).build();
  private final AccountId account = AccountId.of("a");

  @BeforeEach
  void open() {
    credits.openAccount(account, IdempotencyKey.of("open"));
    credits.grant(account, LotSource.PROMOTION, CreditAmount.of(100), null, IdempotencyKey.of("g1"));
  }

  private long version() {
    return inner.load(account, HoldSelection.allActive()).orElseThrow().account().version();
  }

  @Test
  @DisplayName("a fault before commit surfaces as STORE_FAILURE, NOT_APPLIED, and writes nothing")
  void failBeforeCommit_nothingWritten() {
    long before = version();
    store.arm(FaultKind.FAIL_BEFORE_COMMIT);
    assertThatThrownBy(() -> credits.grant(account, LotSource.PROMOTION, CreditAmount.of(5), null, IdempotencyKey.of("g2")))
        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.outcome())
            .isEqualTo(StoreException.Outcome.NOT_APPLIED))
        .extracting(e -> ((StoreException) e).code()).isEqualTo(ErrorCode.STORE_FAILURE);
    assertThat(store.disarm()).isEqualTo(FaultKind.FAIL_BEFORE_COMMIT);
    assertThat(version()).isEqualTo(before);
    assertThat(inner.findIdempotencyRecord(account, IdempotencyKey.of("g2"))).isEmpty();
  }

  @Test
  @DisplayName("a fault after commit writes the change, loses the result (UNKNOWN), and a retry with the key replays it")
  void failAfterCommit_writtenAndReplayed() {
    long before = version();
    store.arm(FaultKind.FAIL_AFTER_COMMIT);
    assertThatThrownBy(() -> credits.grant(account, LotSource.PROMOTION, CreditAmount.of(5), null, IdempotencyKey.of("g2")))
        .isInstanceOfSatisfying(StoreException.class, e -> assertThat(e.outcome())
            .isEqualTo(StoreException.Outcome.UNKNOWN));
    assertThat(store.disarm()).isEqualTo(FaultKind.FAIL_AFTER_COMMIT);
    assertThat(version()).isEqualTo(before + 1);
    credits.grant(account, LotSource.PROMOTION, CreditAmount.of(5), null, IdempotencyKey.of("g2"));
    assertThat(version()).isEqualTo(before + 1);
    assertThat(credits.balance(account).available()).isEqualTo(105);
  }

  @Test
  @DisplayName("a stale read hands out an older snapshot, the version check rejects it, and the engine retries")
  void staleRead_rejectedAndRetried() {
    long seen = store.load(account, HoldSelection.allActive()).orElseThrow().account().version();
    credits.grant(account, LotSource.PROMOTION, CreditAmount.of(5), null, IdempotencyKey.of("g2"));
    store.arm(FaultKind.STALE_READ);
    AccountSnapshot stale = store.load(account, HoldSelection.allActive()).orElseThrow();
    assertThat(stale.account().version()).isLessThanOrEqualTo(seen).isLessThan(version());
    assertThat(store.disarm()).isEqualTo(FaultKind.STALE_READ);

    store.arm(FaultKind.STALE_READ);
    credits.grant(account, LotSource.PROMOTION, CreditAmount.of(7), null, IdempotencyKey.of("g3"));
    assertThat(store.disarm()).isEqualTo(FaultKind.STALE_READ);
    assertThat(credits.balance(account).available()).isEqualTo(112);
    assertThat(credits.reconcile(account).consistent()).isTrue();
  }

  @Test
  @DisplayName("a slow commit is delayed and then written")
  void slowCommit_delayed() {
    store.arm(FaultKind.SLOW_COMMIT);
    long t0 = System.nanoTime();
    credits.grant(account, LotSource.PROMOTION, CreditAmount.of(5), null, IdempotencyKey.of("g2"));
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofMillis(20).toNanos());
    assertThat(store.disarm()).isEqualTo(FaultKind.SLOW_COMMIT);
    assertThat(credits.balance(account).available()).isEqualTo(105);
  }

  @Test
  @DisplayName("nothing fires while disarmed, and the counts say what fired")
  void disarmed_passesThrough() {
    credits.grant(account, LotSource.PROMOTION, CreditAmount.of(5), null, IdempotencyKey.of("g2"));
    assertThat(store.disarm()).isNull();
    store.arm(FaultKind.FAIL_BEFORE_COMMIT);
    assertThatThrownBy(() -> credits.grant(account, LotSource.PROMOTION, CreditAmount.of(5), null, IdempotencyKey.of("g3")))
        .isInstanceOf(StoreException.class);
    store.disarm();
    assertThat(store.injected()).containsEntry(FaultKind.FAIL_BEFORE_COMMIT, 1L).containsEntry(FaultKind.STALE_READ, 0L);
  }

  @Nested
  @DisplayName("configuration")
  class Configuration {
    @Test
    @DisplayName("fault probabilities outside [0, 1] or adding up to more than 1 are refused")
    void badProbabilities_refused() {
      assertThatThrownBy(() -> FaultPlan.builder().staleRead(-0.1)).isInstanceOf(InvalidRequestException.class)
          .extracting(e -> ((InvalidRequestException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThatThrownBy(() -> FaultPlan.builder().failAfterCommit(Double.NaN)).isInstanceOf(InvalidRequestException.class);
      assertThatThrownBy(() -> FaultPlan.builder().failAfterCommit(0.6).failBeforeCommit(0.6).build())
          .isInstanceOf(InvalidRequestException.class);
      assertThatThrownBy(() -> FaultPlan.builder().slowCommit(0.1, Duration.ofSeconds(2)))
          .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    @DisplayName("a simulation needs a store factory and sane sizes")
    void badSimulation_refused() {
      assertThatThrownBy(() -> Simulation.builder().build()).isInstanceOf(InvalidRequestException.class)
          .extracting(e -> ((InvalidRequestException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThatThrownBy(() -> Simulation.builder().clients(0)).isInstanceOf(InvalidRequestException.class);
      assertThatThrownBy(() -> Simulation.builder().accounts(65)).isInstanceOf(InvalidRequestException.class);
      assertThatThrownBy(() -> Simulation.builder().operations(-1)).isInstanceOf(InvalidRequestException.class);
      assertThatThrownBy(() -> Simulation.builder().checkpointEvery(0)).isInstanceOf(InvalidRequestException.class);
      assertThatThrownBy(() -> Simulation.builder().shrinking(Duration.ofMinutes(11), 10))
          .isInstanceOf(InvalidRequestException.class);
    }
  }
}
