package io.preprompt.credits.testkit.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.spi.CreditStore;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The checker is itself tested: deliberately broken stores must be caught within a bounded number of
 * operations, and the failure must name the seed and a shrunk history.
 */
@DisplayName("The simulation catches broken stores")
class BrokenStoreSimulationTest {

  private static SimulationFailure failure(Supplier<CreditStore> store, long seed, FaultPlan faults) {
    Simulation sim = Simulation.builder().store(store).seed(seed).clients(4).accounts(2).operations(3_000)
        .checkpointEvery(250).faults(faults).shrinking(Duration.ofSeconds(15), 300).build();
    SimulationFailure f = expectFailure(sim);
    System.out.println(f.getMessage());
    return f;
  }

  private static SimulationFailure expectFailure(Simulation sim) {
    SimulationReport report;
    try {
      report = sim.run();
    } catch (SimulationFailure f) {
      return f;
    }
    throw new AssertionError("the broken store was not caught: " + report.summary());
  }

  private static void assertShrunk(SimulationFailure f, long seed) {
    assertThat(f.seed()).isEqualTo(seed);
    assertThat(f.getMessage()).contains("seed " + seed).contains("shortest failing history found");
    assertThat(f.shrunk()).isTrue();
    assertThat(f.history()).isNotEmpty().hasSizeLessThan(60);
    for (String op : f.history()) {
      assertThat(f.getMessage()).contains(op);
    }
  }

  @Test
  @DisplayName("a store that writes back without a version check loses an update under stale reads")
  void versionBlindStore_staleReads_caught() {
    SimulationFailure f = failure(VersionBlindStore::new, 11, FaultPlan.builder().staleRead(0.2).build());
    assertShrunk(f, 11);
  }

  @Test
  @DisplayName("a store that writes back without a version check loses an update when clients race on threads")
  void versionBlindStore_threads_caught() {
    Simulation sim = Simulation.builder().store(VersionBlindStore::new).seed(21).clients(8).accounts(1)
        .operations(8_000).checkpointEvery(400).threads(true)
        .faults(FaultPlan.builder().slowCommit(0.3, Duration.ofMillis(1)).build())
        .shrinking(Duration.ofSeconds(10), 200).build();
    SimulationFailure f = expectFailure(sim);
    System.out.println(f.getMessage());
    assertThat(f.seed()).isEqualTo(21);
    assertThat(f.getMessage()).contains("seed 21").contains("(threads, 8 clients");
    assertThat(f.history()).isNotEmpty();
  }

  @Test
  @DisplayName("a store that drops idempotency records applies a retried call twice")
  void droppedIdempotencyRecords_caught() {
    SimulationFailure f = failure(BrokenStores.DropsIdempotencyRecords::new, 12, FaultPlan.defaults());
    assertShrunk(f, 12);
  }

  @Test
  @DisplayName("a failing seed fails again with the same shrunk history")
  void failingSeed_reproducible() {
    SimulationFailure first = failure(BrokenStores.DropsIdempotencyRecords::new, 14, FaultPlan.defaults());
    SimulationFailure again = failure(BrokenStores.DropsIdempotencyRecords::new, 14, FaultPlan.defaults());
    assertThat(again.history()).isEqualTo(first.history());
  }

  @Test
  @DisplayName("a store that loses a ledger entry no longer replays to its state")
  void lostLedgerEntry_caught() {
    SimulationFailure f = failure(BrokenStores.LosesLedgerEntries::new, 13, FaultPlan.none());
    assertShrunk(f, 13);
  }
}
