package io.preprompt.credits.jdbc;

import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.testkit.CreditStoreContract;
import org.junit.jupiter.api.DisplayName;

/**
 * The storage contract through pgbouncer in transaction pooling mode, with {@code prepareThreshold=0}:
 * a fresh schema per test, every connection a client of a pool of few server connections.
 */
@DisplayName("JdbcCreditStore through pgbouncer in transaction mode satisfies the CreditStore contract")
class PgBouncerCreditStoreContractTest extends CreditStoreContract {
  @Override
  protected CreditStore createStore() {
    return Databases.PGBOUNCER.fresh().store();
  }
}
