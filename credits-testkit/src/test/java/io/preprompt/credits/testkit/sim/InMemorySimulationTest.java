package io.preprompt.credits.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The simulation on the in-memory store, as CI runs it: 104,000 operations over seven seeds, five
 * deterministic and two with every client on its own thread, all fault kinds armed.
 */
@DisplayName("The simulation on the in-memory store")
class InMemorySimulationTest {

  /**
   * Odd seeds run on the store as it comes (core reuses committed snapshots and reads only after a
   * refused commit), even seeds on one that core reads before every call, so stale and failing reads
   * meet keyed calls too.
   */
  private static SimulationReport run(long seed, int operations, boolean threads) {
    SimulationReport report = Simulation.builder().store(InMemoryCreditStore::new).reuseCommittedAccounts(seed % 2 == 1)
        .seed(seed).clients(8).accounts(3)
        .operations(operations).checkpointEvery(1_000).threads(threads).faults(FaultPlan.defaults()).build().run();
    System.out.println(report.summary());
    return report;
  }

  private static void assertExercised(SimulationReport report, int operations) {
    assertThat(report.operations()).isEqualTo(operations);
    for (FaultKind kind : FaultKind.values()) {
      assertThat(report.faultsInjected().get(kind)).as("faults of kind %s", kind).isPositive();
    }
    assertThat(report.unknownOutcomes()).isPositive();
    assertThat(report.resolvedByRetry()).isEqualTo(report.unknownOutcomes());
    assertThat(report.replaysVerified()).isPositive();
    assertThat(report.conflictsRefused()).isPositive();
    assertThat(report.rejectedByCode()).containsKeys(ErrorCode.INSUFFICIENT_CREDITS,
        ErrorCode.HOLD_EXPIRED, ErrorCode.HOLD_ALREADY_SETTLED,
        ErrorCode.PACKS_REQUIRE_PAID_TIER, ErrorCode.PAYMENT_MISMATCH, ErrorCode.CYCLE_NOT_STARTED,
        ErrorCode.UNKNOWN_TIER, ErrorCode.TOP_UP_CAP_BELOW_PACK, ErrorCode.PACK_NOT_FOR_TIER);
    assertThat(report.operationsByKind()).containsKeys("EnableTopUp", "DisableTopUp", "DeliverTopUp");
    assertThat(report.topUpsBought()).as("automatic top-ups bought").isPositive();
    assertThat(report.checkpoints()).isGreaterThanOrEqualTo(operations / 1_000);
    assertThat(report.invariantChecks()).isGreaterThan(operations);
  }

  @Nested
  @DisplayName("with a deterministic interleaving of the clients")
  class Deterministic {
    @Test
    @DisplayName("keeps every invariant over 5 seeds of 16,000 operations with faults")
    void fiveSeeds() {
      long total = 0;
      long skipped = 0;
      for (long seed : List.of(101L, 102L, 103L, 104L, 105L)) {
        SimulationReport report = run(seed, 16_000, false);
        assertExercised(report, 16_000);
        total += report.operations();
        skipped += report.topUpsSkipped();
      }
      assertThat(total).isEqualTo(80_000);
      assertThat(skipped).as("falls below a top-up threshold that the month's cap refused").isPositive();
    }

    @Test
    @DisplayName("is reproducible: the same seed gives the same run")
    void sameSeed_sameRun() {
      SimulationReport first = run(7, 3_000, false);
      SimulationReport second = run(7, 3_000, false);
      assertThat(second.operationsByKind()).isEqualTo(first.operationsByKind());
      assertThat(second.acknowledged()).isEqualTo(first.acknowledged());
      assertThat(second.rejectedByCode()).isEqualTo(first.rejectedByCode());
      assertThat(second.unknownOutcomes()).isEqualTo(first.unknownOutcomes());
      assertThat(second.faultsInjected()).isEqualTo(first.faultsInjected());
      assertThat(second.invariantChecks()).isEqualTo(first.invariantChecks());
      SimulationReport other = run(8, 3_000, false);
      assertThat(other.operationsByKind()).isNotEqualTo(first.operationsByKind());
    }
  }

  @Nested
  @DisplayName("with every client on its own thread")
  class Threads {
    @Test
    @DisplayName("keeps every invariant over 2 seeds of 12,000 operations by 8 racing clients on 3 accounts")
    void twoSeeds() {
      for (long seed : List.of(201L, 202L)) {
        assertExercised(run(seed, 12_000, true), 12_000);
      }
    }
  }
}
