package io.preprompt.credits.jdbc;

import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.testkit.CreditStoreContract;
import org.junit.jupiter.api.DisplayName;

/**
 * The storage contract through pgbouncer in transaction pooling mode with every commit going
 * through group commit, whose batches are one multi-statement execute in an implicit transaction.
 */
@DisplayName("JdbcCreditStore through pgbouncer, every commit through group commit, satisfies the CreditStore contract")
class PgBouncerGroupCommitContractTest extends CreditStoreContract {
  @Override
  protected CreditStore createStore() {
    JdbcCreditStore store = Databases.PGBOUNCER.fresh().store();
    store.batchEveryCommit();
    return store;
  }
}
