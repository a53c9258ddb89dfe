package io.preprompt.credits.testkit;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.CreditServiceBuilder;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.GrantReceipt;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Release;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.ledger.CreditsListener;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.ledger.Reconciliation;
import io.preprompt.credits.spi.CreditStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A test fixture that makes credit tests read like the help page: one controllable clock, one
 * {@link InMemoryCreditStore} and one {@link CreditService} over them, and accounts with short verbs.
 *
 * <pre>{@code
 * CreditsScenario scenario = new CreditsScenario();
 * var alice = scenario.account("alice");
 * alice.grant(LotSource.SIGNUP_GRANT, 200);
 * Hold hold = alice.hold(30);
 * alice.settle(hold, 25);                      // 5 credits return
 * assertThat(alice.available()).isEqualTo(175);
 * }</pre>
 *
 * <p>Every mutating call gets a fresh idempotency key ({@code scenario-1}, {@code scenario-2}, ...);
 * tests about idempotency call {@link #service()} with their own keys. The clock starts at
 * {@link #DEFAULT_START} and only moves when the test moves it. Thread-safe as far as the service is.
 */
public final class CreditsScenario {
  /** Where the clock starts: 2026-01-15T10:00:00Z. */
  public static final Instant DEFAULT_START = Instant.parse("2026-01-15T10:00:00Z");

  private final MutableClock clock;
  private final InMemoryCreditStore store;
  private final CreditService service;
  private final AtomicLong keys = new AtomicLong();

  /** Creates a scenario with the default engine settings. */
  public CreditsScenario() {
    this(CreditsConfig.defaults());
  }

  /**
   * Creates a scenario with the given engine settings.
   *
   * @param config the engine settings
   */
  public CreditsScenario(CreditsConfig config) {
    this(config, UnaryOperator.identity(), List.of());
  }

  /**
   * Creates a scenario whose service sees the in-memory store through a decorator (a test double
   * that fails, conflicts or tampers) and tells the given listeners about commits.
   *
   * @param config the engine settings
   * @param storeDecorator wraps the in-memory store before the service gets it
   * @param listeners listeners registered on the service
   */
  public CreditsScenario(CreditsConfig config, UnaryOperator<CreditStore> storeDecorator,
      List<? extends CreditsListener> listeners) {
    this(config, storeDecorator, listeners, true);
  }

  /**
   * Creates a scenario as {@link #CreditsScenario(CreditsConfig, UnaryOperator, List)} does, and
   * says whether the service may run a call on the account as its own last commit left it
   * ({@link CreditServiceBuilder#reuseCommittedAccounts}); false makes every call read the store,
   * for tests that count or break reads.
   *
   * @param config the engine settings
   * @param storeDecorator wraps the in-memory store before the service gets it
   * @param listeners listeners registered on the service
   * @param reuseCommittedAccounts false to read the account before every call
   */
  public CreditsScenario(CreditsConfig config, UnaryOperator<CreditStore> storeDecorator,
      List<? extends CreditsListener> listeners, boolean reuseCommittedAccounts) {
    this.clock = new MutableClock(DEFAULT_START);
    this.store = new InMemoryCreditStore();
    CreditServiceBuilder builder = CreditService.builder()
        .store(Objects.requireNonNull(storeDecorator.apply(store), "decorated store"))
        .clock(clock)
        .config(config)
        .reuseCommittedAccounts(reuseCommittedAccounts);
    listeners.forEach(builder::listener);
    this.service = builder.build();
  }

  /**
   * Returns the clock the service reads.
   *
   * @return the clock
   */
  public MutableClock clock() {
    return clock;
  }

  /**
   * Returns the service under test.
   *
   * @return the service
   */
  public CreditService service() {
    return service;
  }

  /**
   * Returns the in-memory store behind the service (undecorated), for {@link InMemoryCreditStore#dump}.
   *
   * @return the store
   */
  public InMemoryCreditStore store() {
    return store;
  }

  /**
   * Returns the current time.
   *
   * @return now, as the service sees it
   */
  public Instant now() {
    return clock.instant();
  }

  /**
   * Moves the clock forward.
   *
   * @param duration how far, not negative
   * @return the new time
   */
  public Instant advance(Duration duration) {
    return clock.advance(duration);
  }

  /**
   * Returns a fresh idempotency key, unique within this scenario.
   *
   * @return the key
   */
  public IdempotencyKey nextKey() {
    return IdempotencyKey.of("scenario-" + keys.incrementAndGet());
  }

  /**
   * Opens the account (if it is not open yet) and returns a helper for it.
   *
   * @param id the account id
   * @return the account helper
   * @throws io.preprompt.credits.core.InvalidRequestException when the id is malformed
   */
  public ScenarioAccount account(String id) {
    AccountId account = AccountId.of(id);
    service.openAccount(account, nextKey());
    return new ScenarioAccount(account);
  }

  /**
   * One account of the scenario, with short verbs for the service's calls. Each call uses a fresh
   * key and throws whatever the service throws.
   */
  public final class ScenarioAccount {
    private final AccountId id;

    private ScenarioAccount(AccountId id) {
      this.id = id;
    }

    /**
     * Returns the account id.
     *
     * @return the id
     */
    public AccountId id() {
      return id;
    }

    /**
     * Grants credits that never expire.
     *
     * @param source where they come from
     * @param credits how many, positive
     * @return the receipt
     */
    public GrantReceipt grant(LotSource source, long credits) {
      return grant(source, credits, null);
    }

    /**
     * Grants credits with an optional expiry.
     *
     * @param source where they come from
     * @param credits how many, positive
     * @param expiresAt when they expire, or {@code null} for never
     * @return the receipt
     */
    public GrantReceipt grant(LotSource source, long credits, @Nullable Instant expiresAt) {
      return service.grant(id, source, CreditAmount.of(credits), expiresAt, nextKey());
    }

    /**
     * Grants a monthly allowance that expires after the given time.
     *
     * @param credits how many, positive
     * @param expiresIn how long from now until they expire
     * @return the receipt
     */
    public GrantReceipt grantExpiring(long credits, Duration expiresIn) {
      return grantExpiring(credits, now().plus(expiresIn));
    }

    /**
     * Grants a monthly allowance that expires at the given instant.
     *
     * @param credits how many, positive
     * @param expiresAt when they expire
     * @return the receipt
     */
    public GrantReceipt grantExpiring(long credits, Instant expiresAt) {
      return grant(LotSource.MONTHLY_ALLOWANCE, credits, expiresAt);
    }

    /**
     * Holds credits with the default ttl.
     *
     * @param credits how many, positive
     * @return the active hold
     */
    public Hold hold(long credits) {
      return service.hold(HoldRequest.of(id, CreditAmount.of(credits), nextKey()));
    }

    /**
     * Holds credits for at most the given time.
     *
     * @param credits how many, positive
     * @param ttl how long the hold may stay unanswered
     * @return the active hold
     */
    public Hold hold(long credits, Duration ttl) {
      return service.hold(HoldRequest.of(id, CreditAmount.of(credits), nextKey()).withTtl(ttl));
    }

    /**
     * Settles the whole hold.
     *
     * @param hold the hold
     * @return the settlement
     */
    public Settlement settle(Hold hold) {
      return service.settle(id, hold.id(), nextKey());
    }

    /**
     * Settles part of a hold; the rest returns.
     *
     * @param hold the hold
     * @param credits how many to spend
     * @return the settlement
     */
    public Settlement settle(Hold hold, long credits) {
      return service.settle(id, hold.id(), CreditAmount.of(credits), nextKey());
    }

    /**
     * Releases a hold (the generation failed).
     *
     * @param hold the hold
     * @return the release
     */
    public Release release(Hold hold) {
      return service.release(id, hold.id(), "failed", nextKey());
    }

    /**
     * Returns the hold as it stands now.
     *
     * @param hold the hold
     * @return the current hold, empty when the account has no such hold
     */
    public Optional<Hold> find(Hold hold) {
      return service.findHold(id, hold.id());
    }

    /**
     * Returns the balance view now.
     *
     * @return the balance
     */
    public BalanceView balance() {
      return service.balance(id);
    }

    /**
     * Returns the credits available now.
     *
     * @return available credits
     */
    public long available() {
      return balance().available();
    }

    /**
     * Returns the credits held now.
     *
     * @return held credits
     */
    public long held() {
      return balance().held();
    }

    /**
     * Returns the whole ledger of the account, in sequence order.
     *
     * @return every entry
     */
    public List<LedgerEntry> ledger() {
      List<LedgerEntry> all = new ArrayList<>();
      service.forEachEntry(id, LedgerQuery.firstPage(LedgerQuery.MAX_LIMIT), all::add);
      return all;
    }

    /**
     * Recomputes the account from its ledger.
     *
     * @return the reconciliation
     */
    public Reconciliation reconcile() {
      return service.reconcile(id);
    }

    @Override
    public String toString() {
      return "ScenarioAccount[" + id + "]";
    }
  }
}
