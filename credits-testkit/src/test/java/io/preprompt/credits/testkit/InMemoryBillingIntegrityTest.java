package io.preprompt.credits.testkit;

import io.preprompt.credits.spi.CreditStore;
import org.junit.jupiter.api.DisplayName;

/** Billing integrity over the in-memory store. */
@DisplayName("Billing integrity on InMemoryCreditStore")
class InMemoryBillingIntegrityTest extends BillingIntegrityContract {
  @Override
  protected CreditStore createStore() {
    return new InMemoryCreditStore();
  }
}
