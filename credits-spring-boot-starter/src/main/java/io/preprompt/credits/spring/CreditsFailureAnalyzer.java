package io.preprompt.credits.spring;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link CreditsConfigurationException} at startup into Spring Boot's "APPLICATION FAILED
 * TO START" report, naming the property and what to do.
 */
public final class CreditsFailureAnalyzer extends AbstractFailureAnalyzer<CreditsConfigurationException> {

  /** Creates the analyzer; Spring Boot calls it. */
  public CreditsFailureAnalyzer() {}

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, CreditsConfigurationException cause) {
    return new FailureAnalysis("PrePrompt Credits cannot start: " + cause.getMessage(),
        "Fix the property '" + cause.property() + "' in your application configuration"
            + " (the credits.* properties are listed in the starter's README).", cause);
  }
}
