package io.preprompt.credits.jdbc;

import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.testkit.CreditStoreContract;
import org.junit.jupiter.api.DisplayName;

/** The storage contract on H2 in memory: a fresh database per test. */
@DisplayName("JdbcCreditStore on H2 satisfies the CreditStore contract")
class H2CreditStoreContractTest extends CreditStoreContract {
  @Override
  protected CreditStore createStore() {
    return Databases.H2.fresh().store();
  }
}
