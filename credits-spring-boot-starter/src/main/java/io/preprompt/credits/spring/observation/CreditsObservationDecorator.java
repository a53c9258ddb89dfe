package io.preprompt.credits.spring.observation;

import io.micrometer.observation.ObservationRegistry;
import io.preprompt.credits.CreditService;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.spring.CreditsDecorator;

/**
 * Observes every call to the three services that changes an account or reads one, with one
 * {@link io.micrometer.observation.Observation} per call named {@code credits.operation}. Its
 * low-cardinality key values are {@code operation} (such as {@code hold}, {@code settle},
 * {@code authorize}, {@code buy_pack}), {@code outcome} ({@code success}; {@code refused} when the
 * library refused the call; {@code failure} when the store failed or anything else threw;
 * {@code blocked} when an authorization answered insufficient credits or not in tier) and
 * {@code error.code} (the {@link io.preprompt.credits.core.ErrorCode} name, or {@code none}); the
 * account id is a high-cardinality key value, {@code credits.account}, for traces. With Spring Boot's
 * metrics, each observation also times the call as the timer {@code credits.operation}.
 */
public class CreditsObservationDecorator implements CreditsDecorator {
  private final Observations observations;

  /**
   * Creates the decorator.
   *
   * @param registry where the observations go
   */
  public CreditsObservationDecorator(ObservationRegistry registry) {
    this.observations = new Observations(registry);
  }

  /**
   * Observes the credit service.
   *
   * @param credits the service
   * @return the observed service
   */
  @Override
  public CreditService credits(CreditService credits) {
    return new ObservedCreditService(credits, observations);
  }

  /**
   * Observes the plan service.
   *
   * @param plans the service
   * @return the observed service
   */
  @Override
  public PlanService plans(PlanService plans) {
    return new ObservedPlanService(plans, observations);
  }

  /**
   * Observes the generation gate.
   *
   * @param gate the gate
   * @return the observed gate
   */
  @Override
  public GenerationGate gate(GenerationGate gate) {
    return new ObservedGenerationGate(gate, observations);
  }
}
