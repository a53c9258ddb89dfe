package io.preprompt.credits.jdbc;

import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.testkit.CreditStoreContract;
import org.junit.jupiter.api.DisplayName;

/** The storage contract on a real PostgreSQL server: a fresh schema per test. */
@DisplayName("JdbcCreditStore on PostgreSQL satisfies the CreditStore contract")
class PostgresCreditStoreContractTest extends CreditStoreContract {
  @Override
  protected CreditStore createStore() {
    return Databases.POSTGRESQL.fresh().store();
  }
}
