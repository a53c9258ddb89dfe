package io.preprompt.credits.core;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Immutable engine settings. Start from {@link #defaults()} or {@link #builder()}; each builder
 * method checks its value at once.
 *
 * <p>Equal when every setting is.
 */
public final class CreditsConfig {

  /** The longest hold ttl: a year, so that a deadline added to any instant never overflows. */
  public static final Duration LONGEST_HOLD_TTL = Duration.ofDays(366);

  private final Duration defaultHoldTtl;
  private final Duration maxHoldTtl;
  private final int maxCommitAttempts;
  private final int sweepBatchSize;
  private final OveragePolicy overagePolicy;

  private CreditsConfig(@Nullable Duration defaultHoldTtl, @Nullable Duration maxHoldTtl, int maxCommitAttempts,
      int sweepBatchSize, @Nullable OveragePolicy overagePolicy) {
    if (overagePolicy == null) {
      throw bad("overagePolicy is required");
    }
    if (defaultHoldTtl == null || maxHoldTtl == null) {
      throw bad("defaultHoldTtl and maxHoldTtl are required");
    }
    if (defaultHoldTtl.isNegative() || defaultHoldTtl.isZero()) {
      throw bad("defaultHoldTtl must be positive, was " + defaultHoldTtl);
    }
    if (maxHoldTtl.compareTo(LONGEST_HOLD_TTL) > 0) {
      throw bad("maxHoldTtl must be at most " + LONGEST_HOLD_TTL + ", was " + maxHoldTtl);
    }
    if (maxHoldTtl.compareTo(defaultHoldTtl) < 0) {
      throw bad("maxHoldTtl " + maxHoldTtl + " is shorter than defaultHoldTtl " + defaultHoldTtl);
    }
    if (maxCommitAttempts < 1 || maxCommitAttempts > 1000) {
      throw bad("maxCommitAttempts must be 1..1000, was " + maxCommitAttempts);
    }
    if (sweepBatchSize < 1 || sweepBatchSize > 100_000) {
      throw bad("sweepBatchSize must be 1..100000, was " + sweepBatchSize);
    }
    this.defaultHoldTtl = defaultHoldTtl;
    this.maxHoldTtl = maxHoldTtl;
    this.maxCommitAttempts = maxCommitAttempts;
    this.sweepBatchSize = sweepBatchSize;
    this.overagePolicy = overagePolicy;
  }

  /**
   * Returns how long a hold may stay unanswered when the request names no ttl.
   *
   * @return the default ttl, positive
   */
  public Duration defaultHoldTtl() {
    return defaultHoldTtl;
  }

  /**
   * Returns the longest ttl a request may ask for.
   *
   * @return the longest ttl, at most {@link #LONGEST_HOLD_TTL}
   */
  public Duration maxHoldTtl() {
    return maxHoldTtl;
  }

  /**
   * Returns how many times an operation is tried when other writers change the account meanwhile.
   *
   * @return the attempts, 1..1000
   */
  public int maxCommitAttempts() {
    return maxCommitAttempts;
  }

  /**
   * Returns how many overdue holds or accounts one sweep call handles at most.
   *
   * @return the batch size, 1..100000
   */
  public int sweepBatchSize() {
    return sweepBatchSize;
  }

  /**
   * Returns the overage policy of accounts that have none of their own and whose tier names none.
   *
   * @return the default overage policy, {@link OveragePolicy#refuse()} unless set
   */
  public OveragePolicy overagePolicy() {
    return overagePolicy;
  }

  /**
   * Compares by value: every setting.
   *
   * @param o the other object
   * @return true when it is a config with the same settings
   */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof CreditsConfig c && defaultHoldTtl.equals(c.defaultHoldTtl) && maxHoldTtl.equals(c.maxHoldTtl)
        && maxCommitAttempts == c.maxCommitAttempts && sweepBatchSize == c.sweepBatchSize
        && overagePolicy.equals(c.overagePolicy);
  }

  @Override
  public int hashCode() {
    return Objects.hash(defaultHoldTtl, maxHoldTtl, maxCommitAttempts, sweepBatchSize, overagePolicy);
  }

  @Override
  public String toString() {
    return "CreditsConfig[defaultHoldTtl=" + defaultHoldTtl + ", maxHoldTtl=" + maxHoldTtl + ", maxCommitAttempts="
        + maxCommitAttempts + ", sweepBatchSize=" + sweepBatchSize + ", overagePolicy=" + overagePolicy + "]";
  }

  private static InvalidRequestException bad(String message) {
    return new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, message);
  }

  /**
   * Returns the defaults: holds live 15 minutes (at most 7 days), 32 commit attempts, sweeps of 500,
   * settles above their hold refused.
   *
   * @return the default settings
   */
  public static CreditsConfig defaults() {
    return new CreditsConfig(Duration.ofMinutes(15), Duration.ofDays(7), 32, 500, OveragePolicy.refuse());
  }

  /**
   * Returns a builder starting from the defaults.
   *
   * @return a builder
   */
  public static Builder builder() {
    return new Builder(defaults());
  }

  /** Builds a {@link CreditsConfig}; every setter checks its value at once. */
  public static final class Builder {
    private CreditsConfig config;

    private Builder(CreditsConfig start) {
      this.config = start;
    }

    /**
     * Sets the default hold ttl.
     *
     * @param ttl a positive duration; the max ttl grows to it when shorter
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when null, not positive
     *     or longer than {@link CreditsConfig#LONGEST_HOLD_TTL}
     */
    public Builder defaultHoldTtl(Duration ttl) {
      if (ttl == null) {
        throw bad("defaultHoldTtl is required");
      }
      Duration max = config.maxHoldTtl.compareTo(ttl) < 0 ? ttl : config.maxHoldTtl;
      config = new CreditsConfig(ttl, max, config.maxCommitAttempts, config.sweepBatchSize, config.overagePolicy);
      return this;
    }

    /**
     * Sets the longest ttl a hold may ask for.
     *
     * @param ttl at least the default ttl, at most {@link CreditsConfig#LONGEST_HOLD_TTL}
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when null, shorter than
     *     the default ttl or longer than {@link CreditsConfig#LONGEST_HOLD_TTL}
     */
    public Builder maxHoldTtl(Duration ttl) {
      config = new CreditsConfig(config.defaultHoldTtl, ttl, config.maxCommitAttempts, config.sweepBatchSize,
          config.overagePolicy);
      return this;
    }

    /**
     * Sets how many times an operation is tried under contention.
     *
     * @param attempts 1..1000
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when out of range
     */
    public Builder maxCommitAttempts(int attempts) {
      config = new CreditsConfig(config.defaultHoldTtl, config.maxHoldTtl, attempts, config.sweepBatchSize,
          config.overagePolicy);
      return this;
    }

    /**
     * Sets the sweep batch size.
     *
     * @param size 1..100000
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when out of range
     */
    public Builder sweepBatchSize(int size) {
      config = new CreditsConfig(config.defaultHoldTtl, config.maxHoldTtl, config.maxCommitAttempts, size,
          config.overagePolicy);
      return this;
    }

    /**
     * Sets the overage policy of accounts that have none of their own and whose tier names none.
     *
     * @param policy the policy
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when null
     */
    public Builder overagePolicy(OveragePolicy policy) {
      config = new CreditsConfig(config.defaultHoldTtl, config.maxHoldTtl, config.maxCommitAttempts,
          config.sweepBatchSize, policy);
      return this;
    }

    /**
     * Returns the settings.
     *
     * @return the config
     */
    public CreditsConfig build() {
      return config;
    }
  }
}
