package io.preprompt.credits;

import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.gate.GateConfig;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.LowBalanceListener;
import io.preprompt.credits.gate.RateCard;
import io.preprompt.credits.internal.Engine;
import io.preprompt.credits.internal.Gate;
import io.preprompt.credits.internal.Plans;
import io.preprompt.credits.ledger.CreditsListener;
import io.preprompt.credits.plans.Pack;
import io.preprompt.credits.plans.PackCatalog;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.plans.PlansConfig;
import io.preprompt.credits.plans.TierCatalog;
import io.preprompt.credits.spi.BillingGateway;
import io.preprompt.credits.spi.CreditStore;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The library's front door: one builder takes the store, the clock, the settings, the catalogs, the
 * rate card, the billing gateway and the listeners once, and gives the three services built over
 * them, which share one engine:
 *
 * <pre>{@code
 * Credits credits = Credits.builder()
 *     .store(store)                   // JdbcCreditStore.create(dataSource, config) in production
 *     .billing(billing)               // your payment provider's gateway
 *     .build();                       // once, at startup; thread-safe
 * credits.credits().openAccount(user, IdempotencyKey.of("signup-42"));
 * credits.plans().verifyEmail(user, IdempotencyKey.of("verify-42"));   // +200 free credits
 * }</pre>
 *
 * <p>The services are interfaces or final classes a host may wrap in its own decorators (metrics,
 * tracing, a proxy): the plan service and the gate never look behind the credit service they are
 * handed out with. Build once and share: everything here is thread-safe.
 */
public final class Credits {
  private final CreditService credits;
  private final PlanService plans;
  private final GenerationGate gate;

  private Credits(CreditService credits, PlanService plans, GenerationGate gate) {
    this.credits = credits;
    this.plans = plans;
    this.gate = gate;
  }

  /**
   * Starts a builder; a store is required, everything else has a default.
   *
   * @return a builder with the system clock, {@link CreditsConfig#defaults()}, the default tier and
   *     pack catalogs, {@link PlansConfig#defaults()}, {@link RateCard#defaults()},
   *     {@link GateConfig#defaults()}, {@link BillingGateway#none()} and no listeners
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the balance, hold and ledger service.
   *
   * @return the credit service
   */
  public CreditService credits() {
    return credits;
  }

  /**
   * Returns the tiers, signup grant, cycles, packs and billing service.
   *
   * @return the plan service
   */
  public PlanService plans() {
    return plans;
  }

  /**
   * Returns the generation gate: estimates, authorizations, upgrade offers, generation history.
   *
   * @return the gate
   */
  public GenerationGate gate() {
    return gate;
  }

  /** Builds {@link Credits}; each setter checks its value at once. */
  public static final class Builder {
    /** The store, clock, settings and listeners of the credit service, checked there. */
    private final CreditServiceBuilder credits = new CreditServiceBuilder();
    private TierCatalog tiers = TierCatalog.defaults();
    private PackCatalog packs = PackCatalog.defaults();
    private PlansConfig plansConfig = PlansConfig.defaults();
    private RateCard rateCard = RateCard.defaults();
    private GateConfig gateConfig = GateConfig.defaults();
    private BillingGateway billing = BillingGateway.none();
    private final List<LowBalanceListener> lowBalanceListeners = new ArrayList<>();

    private Builder() {}

    private static <T> T required(@Nullable T value, String what) {
      if (value == null) {
        throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, what + " must not be null");
      }
      return value;
    }

    /**
     * Sets the store (required).
     *
     * @param store the persistence port implementation
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for null
     */
    public Builder store(CreditStore store) {
      credits.store(store);
      return this;
    }

    /**
     * Sets the clock; tests pass the testkit's controllable clock.
     *
     * @param clock the time source
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for null
     */
    public Builder clock(InstantSource clock) {
      credits.clock(clock);
      return this;
    }

    /**
     * Sets the engine settings (commit attempts, hold lifetimes, sweep batches).
     *
     * @param config the settings
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for null
     */
    public Builder config(CreditsConfig config) {
      credits.config(config);
      return this;
    }

    /**
     * Sets whether a keyed call may run on an account as this process's own last commit left it,
     * without reading it first: on by default, safe with any store (see
     * {@link CreditServiceBuilder#reuseCommittedAccounts}).
     *
     * @param reuse false to read the account before every call
     * @return this builder
     */
    public Builder reuseCommittedAccounts(boolean reuse) {
      credits.reuseCommittedAccounts(reuse);
      return this;
    }

    /**
     * Adds a listener told the new balance after each committed change.
     *
     * @param listener the listener
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for null
     */
    public Builder listener(CreditsListener listener) {
      credits.listener(listener);
      return this;
    }

    /**
     * Sets the tier catalog.
     *
     * @param tiers the tiers
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for null
     */
    public Builder tiers(TierCatalog tiers) {
      this.tiers = required(tiers, "tier catalog");
      return this;
    }

    /**
     * Sets the pack catalog.
     *
     * @param packs the packs
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for null
     */
    public Builder packs(PackCatalog packs) {
      this.packs = required(packs, "pack catalog");
      return this;
    }

    /**
     * Sets the plan settings (signup grant, upgrade policy, billing time zone, renewal batches).
     *
     * @param plans the settings
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for null
     */
    public Builder plans(PlansConfig plans) {
      this.plansConfig = required(plans, "plans config");
      return this;
    }

    /**
     * Sets the rate card the gate prices generations with.
     *
     * @param rateCard the prices
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for null
     */
    public Builder rateCard(RateCard rateCard) {
      this.rateCard = required(rateCard, "rate card");
      return this;
    }

    /**
     * Sets the gate's settings (hold deadlines, low-balance threshold).
     *
     * @param gate the settings
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for null
     */
    public Builder gate(GateConfig gate) {
      this.gateConfig = required(gate, "gate config");
      return this;
    }

    /**
     * Sets the host's billing system, which the plan service asks to charge.
     *
     * @param billing the gateway
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for null
     */
    public Builder billing(BillingGateway billing) {
      this.billing = required(billing, "billing gateway");
      return this;
    }

    /**
     * Adds a listener told when an authorization leaves an account low.
     *
     * @param listener the listener
     * @return this builder
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} for null
     */
    public Builder lowBalanceListener(LowBalanceListener listener) {
      lowBalanceListeners.add(required(listener, "low-balance listener"));
      return this;
    }

    /**
     * Builds the three services over one engine.
     *
     * @return the library
     * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} when no store was set,
     *     or when a pack is sold only to a tier the tier catalog does not have
     */
    public Credits build() {
      for (Pack pack : packs.packs()) {
        for (String tier : pack.tiers()) {
          if (tiers.find(tier).isEmpty()) {
            throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "pack " + pack.id()
                + " is sold to tier " + tier + ", which the tier catalog does not have");
          }
        }
      }
      Engine engine = credits.engine();
      Plans plans = new Plans(engine, tiers, packs, plansConfig, billing);
      GenerationGate gate = new Gate(engine, plans, rateCard, gateConfig, lowBalanceListeners);
      return new Credits(new EngineCreditService(engine), plans, gate);
    }
  }
}
