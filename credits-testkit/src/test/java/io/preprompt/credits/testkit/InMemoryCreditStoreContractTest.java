package io.preprompt.credits.testkit;

import io.preprompt.credits.spi.CreditStore;
import org.junit.jupiter.api.DisplayName;

/** The storage contract, run against the in-memory store so the suite always has a passing implementation. */
@DisplayName("InMemoryCreditStore satisfies the CreditStore contract")
class InMemoryCreditStoreContractTest extends CreditStoreContract {
  @Override
  protected CreditStore createStore() {
    return new InMemoryCreditStore();
  }
}
