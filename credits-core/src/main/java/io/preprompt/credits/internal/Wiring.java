package io.preprompt.credits.internal;

import io.preprompt.credits.gate.GateConfig;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.LowBalanceListener;
import io.preprompt.credits.gate.RateCard;
import io.preprompt.credits.plans.PackCatalog;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.plans.PlansConfig;
import io.preprompt.credits.plans.TierCatalog;
import io.preprompt.credits.spi.BillingGateway;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How the front door builds the plan service and the gate over the engine without a public
 * constructor that names the engine: each of them hands its factory here when its class loads
 * (the JDK's own "shared secrets" pattern). Internal: not exported, not supported.
 */
public final class Wiring {
  private Wiring() {}

  /** Builds a plan service over an engine. */
  @FunctionalInterface
  public interface PlansFactory {
    /**
     * Builds the service.
     *
     * @param engine the engine
     * @param tiers the tiers
     * @param packs the packs
     * @param config the settings
     * @param gateway the billing gateway
     * @return the service
     */
    PlanService create(Engine engine, TierCatalog tiers, PackCatalog packs, PlansConfig config, BillingGateway gateway);
  }

  /** Builds a gate over an engine. */
  @FunctionalInterface
  public interface GateFactory {
    /**
     * Builds the gate.
     *
     * @param engine the engine
     * @param plans the plan service over the same engine
     * @param rateCard the prices
     * @param config the settings
     * @param listeners the low-balance listeners
     * @return the gate
     */
    GenerationGate create(Engine engine, PlanService plans, RateCard rateCard, GateConfig config,
        List<LowBalanceListener> listeners);
  }

  private static volatile @Nullable PlansFactory plans;
  private static volatile @Nullable GateFactory gates;

  /**
   * Registers the plan service's factory; called once, by its class initializer.
   *
   * @param factory the factory
   */
  public static void plans(PlansFactory factory) {
    plans = factory;
  }

  /**
   * Registers the gate's factory; called once, by its class initializer.
   *
   * @param factory the factory
   */
  public static void gates(GateFactory factory) {
    gates = factory;
  }

  /**
   * Builds a plan service over the engine.
   *
   * @param engine the engine
   * @param tiers the tiers
   * @param packs the packs
   * @param config the settings
   * @param gateway the billing gateway
   * @return the service
   */
  public static PlanService newPlans(Engine engine, TierCatalog tiers, PackCatalog packs, PlansConfig config,
      BillingGateway gateway) {
    PlansFactory f = plans;
    if (f == null) {
      initialize(PlanService.class);
      f = plans;
    }
    return java.util.Objects.requireNonNull(f, "PlanService did not register").create(engine, tiers, packs, config,
        gateway);
  }

  /**
   * Builds a gate over the engine.
   *
   * @param engine the engine
   * @param plans the plan service over the same engine
   * @param rateCard the prices
   * @param config the settings
   * @param listeners the low-balance listeners
   * @return the gate
   */
  public static GenerationGate newGate(Engine engine, PlanService plans, RateCard rateCard, GateConfig config,
      List<LowBalanceListener> listeners) {
    GateFactory f = gates;
    if (f == null) {
      initialize(GenerationGate.class);
      f = gates;
    }
    return java.util.Objects.requireNonNull(f, "GenerationGate did not register").create(engine, plans, rateCard,
        config, listeners);
  }

  private static void initialize(Class<?> type) {
    try {
      Class.forName(type.getName(), true, type.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }
}
