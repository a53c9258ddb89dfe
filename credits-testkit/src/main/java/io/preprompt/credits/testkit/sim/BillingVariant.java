package io.preprompt.credits.testkit.sim;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.plans.BillingEvent;
import io.preprompt.credits.plans.BillingOutcome;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.spi.BillingGateway;

/**
 * How the simulation reaches the billing layer: the gateway the plan services call and the path a
 * billing event takes. The real variant changes nothing; a test swaps in a broken one (a library that
 * charges a cycle twice, or credits a payment at face value) to show the checker catches it.
 */
interface BillingVariant {
  /** The real billing layer, unchanged. */
  BillingVariant REAL = new BillingVariant() {};

  /**
   * Returns the gateway the plan services are given.
   *
   * @param gateway the simulation's gateway
   * @return the gateway to use
   */
  default BillingGateway gateway(BillingGateway gateway) {
    return gateway;
  }

  /**
   * Delivers a billing event.
   *
   * @param plans the plan service of the instance that receives it
   * @param credits that instance's credit service
   * @param event the event
   * @return what it did
   */
  default BillingOutcome handle(PlanService plans, CreditService credits, BillingEvent event) {
    return plans.handle(event);
  }
}
