package io.preprompt.credits.testkit.sim;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * How often a {@link Simulation} arms each {@link FaultKind} for an operation. Each operation gets at
 * most one fault, drawn from the seed when the operation is generated, so a run and its shrunk
 * histories see the same faults. Immutable; start from {@link #none()}, {@link #defaults()} or
 * {@link #builder()}.
 */
public final class FaultPlan {
  private final Map<FaultKind, Double> probabilities;
  private final Duration slowCommit;

  private FaultPlan(Map<FaultKind, Double> probabilities, Duration slowCommit) {
    this.probabilities = Map.copyOf(probabilities);
    this.slowCommit = slowCommit;
  }

  /**
   * Returns a plan without faults.
   *
   * @return the plan
   */
  public static FaultPlan none() {
    return builder().build();
  }

  /**
   * Returns a plan that arms a fault for about one operation in five: 4% fail before commit, 4% fail
   * after commit, 2% slow commits of 1 ms, 4% stale reads, 3% billing gateway requests that throw,
   * 2% that answer twenty minutes late.
   *
   * @return the plan
   */
  public static FaultPlan defaults() {
    return builder().failBeforeCommit(0.04).failAfterCommit(0.04).slowCommit(0.02, Duration.ofMillis(1))
        .staleRead(0.04).gatewayRefuses(0.03).gatewaySlow(0.02).build();
  }

  /**
   * Starts a plan without faults.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the probability that an operation gets this fault.
   *
   * @param kind the fault
   * @return a probability in [0, 1]
   */
  public double probability(FaultKind kind) {
    return probabilities.getOrDefault(kind, 0.0);
  }

  /**
   * Returns how long a slow commit is delayed.
   *
   * @return the delay
   */
  public Duration slowCommit() {
    return slowCommit;
  }

  /**
   * Draws the fault for one operation.
   *
   * @param random the generator's random source
   * @return the fault, or {@code null} for none
   */
  @Nullable FaultKind draw(Random random) {
    double r = random.nextDouble();
    for (FaultKind kind : FaultKind.values()) {
      r -= probability(kind);
      if (r < 0) {
        return kind;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "FaultPlan" + probabilities + " slowCommit=" + slowCommit;
  }

  /** Builds a {@link FaultPlan}; each setter checks its value at once. */
  public static final class Builder {
    private final Map<FaultKind, Double> probabilities = new EnumMap<>(FaultKind.class);
    private Duration slowCommit = Duration.ofMillis(1);

    private Builder() {}

    /**
     * Sets the probability of a fault before commit.
     *
     * @param p probability in [0, 1]
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} outside [0, 1]
     */
    public Builder failBeforeCommit(double p) {
      return set(FaultKind.FAIL_BEFORE_COMMIT, p);
    }

    /**
     * Sets the probability of a fault after commit (written, result lost).
     *
     * @param p probability in [0, 1]
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} outside [0, 1]
     */
    public Builder failAfterCommit(double p) {
      return set(FaultKind.FAIL_AFTER_COMMIT, p);
    }

    /**
     * Sets the probability and length of a slow commit.
     *
     * @param p probability in [0, 1]
     * @param delay how long the commit is delayed, 0 to 1 second
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for a probability
     *     outside [0, 1] or a delay outside 0 to 1 second
     */
    public Builder slowCommit(double p, Duration delay) {
      Objects.requireNonNull(delay, "delay");
      if (delay.isNegative() || delay.compareTo(Duration.ofSeconds(1)) > 0) {
        throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
            "slow commit delay must be 0..1s, was " + delay);
      }
      this.slowCommit = delay;
      return set(FaultKind.SLOW_COMMIT, p);
    }

    /**
     * Sets the probability of a stale read.
     *
     * @param p probability in [0, 1]
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} outside [0, 1]
     */
    public Builder staleRead(double p) {
      return set(FaultKind.STALE_READ, p);
    }

    /**
     * Sets the probability that an operation's first billing gateway request throws.
     *
     * @param p the probability, in [0, 1]
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when out of range
     */
    public Builder gatewayRefuses(double p) {
      return set(FaultKind.GATEWAY_REFUSES, p);
    }

    /**
     * Sets the probability that an operation's first billing gateway request is slow: it answers
     * twenty minutes later on the simulation's clock.
     *
     * @param p the probability, in [0, 1]
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when out of range
     */
    public Builder gatewaySlow(double p) {
      return set(FaultKind.GATEWAY_SLOW, p);
    }

    private Builder set(FaultKind kind, double p) {
      if (!(p >= 0 && p <= 1)) {
        throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
            "probability of " + kind + " must be in [0, 1], was " + p);
      }
      probabilities.put(kind, p);
      return this;
    }

    /**
     * Builds the plan.
     *
     * @return the plan
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when the
     *     probabilities add up to more than 1
     */
    public FaultPlan build() {
      double sum = 0;
      for (double p : probabilities.values()) {
        sum += p;
      }
      if (sum > 1.0 + 1e-9) {
        throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION,
            "fault probabilities add up to " + sum + ", more than 1");
      }
      return new FaultPlan(probabilities, slowCommit);
    }
  }
}
