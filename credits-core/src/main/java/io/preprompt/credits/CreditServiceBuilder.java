package io.preprompt.credits;

import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.internal.Engine;
import io.preprompt.credits.ledger.CreditsListener;
import io.preprompt.credits.spi.CreditStore;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Builds a {@link CreditService}. A store is required; the clock defaults to the system clock. */
public final class CreditServiceBuilder {
  private @Nullable CreditStore store;
  private InstantSource clock = InstantSource.system();
  private CreditsConfig config = CreditsConfig.defaults();
  private final List<CreditsListener> listeners = new ArrayList<>();
  private boolean reuseCommittedAccounts = true;

  CreditServiceBuilder() {}

  private static <T> T required(@Nullable T value, String what) {
    if (value == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, what + " must not be null");
    }
    return value;
  }

  /**
   * Sets the store.
   *
   * @param store the persistence port implementation
   * @return this builder
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for null
   */
  public CreditServiceBuilder store(CreditStore store) {
    this.store = required(store, "store");
    return this;
  }

  /**
   * Sets the clock; tests pass the testkit's controllable clock.
   *
   * @param clock the time source
   * @return this builder
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for null
   */
  public CreditServiceBuilder clock(InstantSource clock) {
    this.clock = required(clock, "clock");
    return this;
  }

  /**
   * Sets the engine settings.
   *
   * @param config the settings
   * @return this builder
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for null
   */
  public CreditServiceBuilder config(CreditsConfig config) {
    this.config = required(config, "config");
    return this;
  }

  /**
   * Adds a listener told after each commit.
   *
   * @param listener the listener
   * @return this builder
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for null
   */
  public CreditServiceBuilder listener(CreditsListener listener) {
    listeners.add(required(listener, "listener"));
    return this;
  }

  /**
   * Sets whether a keyed call may run on an account as this process's own last commit left it,
   * without reading it first (on by default). It saves a store read per call on accounts one
   * instance mostly serves, and is safe with any store: the call commits against the version it ran
   * on, so when anything else wrote the account meanwhile (another instance, another service), the
   * store refuses the commit and the call is run again on a fresh read. A copy is never reused when it
   * may lack what a call needs (the hold it settles, a hold past its deadline), nor after a commit the
   * store made inside its host's transaction ({@link io.preprompt.credits.spi.CommitOutcome#WRITTEN_IN_HOST_TRANSACTION}),
   * which the host may still roll back. Turn it off to make every call read.
   *
   * @param reuse false to read the account before every call
   * @return this builder
   */
  public CreditServiceBuilder reuseCommittedAccounts(boolean reuse) {
    this.reuseCommittedAccounts = reuse;
    return this;
  }

  /**
   * Builds the service.
   *
   * @return the service
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when no store was set
   */
  public CreditService build() {
    return new EngineCreditService(engine());
  }

  /** Builds the engine; {@link Credits.Builder} builds the plan service and the gate over it. */
  Engine engine() {
    if (store == null) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "a CreditStore is required");
    }
    return new Engine(store, clock, config, listeners, HoldId::random, reuseCommittedAccounts);
  }
}
