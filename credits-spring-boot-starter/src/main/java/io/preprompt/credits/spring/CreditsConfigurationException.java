package io.preprompt.credits.spring;

/**
 * A {@code credits.*} setting (or the data source the library needs) is missing or wrong. Thrown at
 * startup, before the library writes anything; the message names the property and why.
 */
public final class CreditsConfigurationException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /** The property at fault, for example {@code credits.packs[0].price-minor}. */
  private final String property;

  /**
   * Creates the exception.
   *
   * @param property the property at fault
   * @param reason why it is wrong
   * @param cause what the library reported, or null
   */
  public CreditsConfigurationException(String property, String reason, @org.jspecify.annotations.Nullable Throwable cause) {
    super(property + ": " + reason, cause);
    this.property = property;
  }

  /**
   * Returns the property at fault.
   *
   * @return its full name, for example {@code credits.engine.default-hold-ttl}
   */
  public String property() {
    return property;
  }
}
