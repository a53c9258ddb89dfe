package io.preprompt.credits.testkit.sim;

import java.util.List;

/**
 * A simulation found an invariant broken. The message names the seed, the broken invariant and the
 * shortest operation history the shrinker found that still breaks one; re-running the simulation
 * with the same seed and settings reproduces it.
 */
public final class SimulationFailure extends AssertionError {
  private static final long serialVersionUID = 1L;

  /** The failing run's seed. */
  private final long seed;
  /** The operations that break an invariant, as replayed (shrunk when possible). */
  private final List<String> history;
  /** Whether the history was shrunk (a threaded race shows the history as it ran). */
  private final boolean shrunk;

  SimulationFailure(String message, long seed, List<String> history, boolean shrunk, Throwable cause) {
    super(message, cause);
    this.seed = seed;
    this.history = List.copyOf(history);
    this.shrunk = shrunk;
  }

  /**
   * Returns the seed of the failing run.
   *
   * @return the seed
   */
  public long seed() {
    return seed;
  }

  /**
   * Returns the reported history, one operation per line, in the order they ran.
   *
   * @return the operations
   */
  public List<String> history() {
    return history;
  }

  /**
   * Tells whether the history was shrunk (replayed single-threaded and minimised) or is the history
   * as a threaded run executed it.
   *
   * @return true when shrunk
   */
  public boolean shrunk() {
    return shrunk;
  }
}
