package io.preprompt.credits.examples.studio;

import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The app's own settings, from {@code studio.*}.
 *
 * @param generationTime how long the fake model takes, so the held credits show in the header
 * @param paymentDelay how long the simulated payment provider takes to confirm a charge
 * @param tierPrices the monthly price of each paid tier in minor units (cents), shown on the pages;
 *     the billing provider owns the real prices
 * @param currency the currency of the prices
 */
@ConfigurationProperties("studio")
record StudioProperties(@DefaultValue("1500ms") Duration generationTime, @DefaultValue("1s") Duration paymentDelay,
    @DefaultValue Map<String, Long> tierPrices, @DefaultValue("USD") String currency) {

  StudioProperties {
    if (generationTime.isNegative() || paymentDelay.isNegative()) {
      throw new IllegalArgumentException("studio.generation-time and studio.payment-delay must not be negative");
    }
    tierPrices = Map.copyOf(tierPrices);
  }
}
