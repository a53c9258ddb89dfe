package io.preprompt.credits.testkit.sim;

import io.preprompt.credits.core.ErrorCode;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What a passing {@link Simulation} run did.
 *
 * @param seed the seed
 * @param threaded whether clients ran on their own threads
 * @param clients logical clients
 * @param accounts accounts they shared
 * @param operations operations run
 * @param operationsByKind operations run, by kind
 * @param acknowledged calls that returned a result (first results and replays)
 * @param rejected calls refused with a typed error (insufficient credits, wrong hold state, ...)
 * @param rejectedByCode refused calls, by error code
 * @param unknownOutcomes calls whose outcome became unknown to the caller through a store error
 * @param resolvedByRetry unknown outcomes resolved afterwards by a retry with the same key
 * @param replaysVerified retries of acknowledged calls that returned the first result again
 * @param conflictsRefused same key, other parameters, refused with {@code IDEMPOTENCY_CONFLICT}
 * @param faultsInjected faults that fired, by kind
 * @param checkpoints invariant checkpoints passed (including the final ones)
 * @param invariantChecks individual invariant checks performed and passed
 * @param topUpsBought automatic top-ups ordered (a fall below an account's threshold that bought a pack)
 * @param topUpsSkipped falls below a threshold that bought nothing because the month's cap would have been passed
 * @param elapsed wall time of the run
 */
public record SimulationReport(long seed, boolean threaded, int clients, int accounts, long operations,
    Map<String, Long> operationsByKind, long acknowledged, long rejected, Map<ErrorCode, Long> rejectedByCode, long unknownOutcomes, long resolvedByRetry,
    long replaysVerified, long conflictsRefused, Map<FaultKind, Long> faultsInjected, long checkpoints,
    long invariantChecks, long topUpsBought, long topUpsSkipped, Duration elapsed) {

  /**
   * Copies the maps.
   *
   * @param seed the seed
   * @param threaded whether clients ran on their own threads
   * @param clients logical clients
   * @param accounts accounts they shared
   * @param operations operations run
   * @param operationsByKind operations run, by kind
   * @param acknowledged calls that returned a result (first results and replays)
   * @param rejected calls refused with a typed error (insufficient credits, wrong hold state, ...)
   * @param rejectedByCode refused calls, by error code
   * @param unknownOutcomes calls whose outcome became unknown to the caller through a store error
   * @param resolvedByRetry unknown outcomes resolved afterwards by a retry with the same key
   * @param replaysVerified retries of acknowledged calls that returned the first result again
   * @param conflictsRefused same key, other parameters, refused with {@code IDEMPOTENCY_CONFLICT}
   * @param faultsInjected faults that fired, by kind
   * @param checkpoints invariant checkpoints passed (including the final ones)
   * @param invariantChecks individual invariant checks performed and passed
   * @param topUpsBought automatic top-ups ordered (a fall below an account's threshold that bought a pack)
   * @param topUpsSkipped falls below a threshold that bought nothing because the month's cap would have been
   *     passed
   * @param elapsed wall time of the run
   */
  public SimulationReport {
    operationsByKind = Map.copyOf(operationsByKind);
    faultsInjected = Map.copyOf(faultsInjected);
    rejectedByCode = Map.copyOf(rejectedByCode);
    Objects.requireNonNull(elapsed, "elapsed");
  }

  /**
   * Returns how many faults fired in total.
   *
   * @return the sum over kinds
   */
  public long totalFaults() {
    return faultsInjected.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Returns a one-paragraph summary for test logs.
   *
   * @return the summary
   */
  public String summary() {
    return "seed " + seed + (threaded ? " (threads)" : " (deterministic)") + ": " + operations + " operations by "
        + clients + " clients on " + accounts + " accounts in " + elapsed.toMillis() + " ms; " + acknowledged
         + " acknowledged, " + rejected + " rejected " + rejectedByCode + ", " + unknownOutcomes + " unknown (" + resolvedByRetry
        + " resolved by retry), " + replaysVerified + " replays verified, " + conflictsRefused
        + " conflicts refused; faults " + faultsInjected + "; " + checkpoints + " checkpoints, " + invariantChecks
        + " invariant checks; top-ups " + topUpsBought + " bought, " + topUpsSkipped + " skipped at the cap; by kind "
        + operationsByKind;
  }
}
