package io.preprompt.credits.spring;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.spi.CreditStore;

/**
 * Wraps the library's pieces as the starter builds them: the store before the engine is built over
 * it, and each service before it becomes a bean. Every {@code CreditsDecorator} bean is applied, in
 * bean order; the starter's observation support is one. Each method returns what it was given by
 * default.
 */
public interface CreditsDecorator {

  /**
   * Wraps the store.
   *
   * @param store the store, or what an earlier decorator made of it
   * @return the store to use
   */
  default CreditStore store(CreditStore store) {
    return store;
  }

  /**
   * Wraps the credit service.
   *
   * @param credits the service
   * @return the service to expose
   */
  default CreditService credits(CreditService credits) {
    return credits;
  }

  /**
   * Wraps the plan service.
   *
   * @param plans the service
   * @return the service to expose
   */
  default PlanService plans(PlanService plans) {
    return plans;
  }

  /**
   * Wraps the generation gate.
   *
   * @param gate the gate
   * @return the gate to expose
   */
  default GenerationGate gate(GenerationGate gate) {
    return gate;
  }
}
