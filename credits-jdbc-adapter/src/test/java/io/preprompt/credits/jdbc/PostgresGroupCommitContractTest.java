package io.preprompt.credits.jdbc;

import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.testkit.CreditStoreContract;
import org.junit.jupiter.api.DisplayName;

/**
 * The storage contract on PostgreSQL with every commit going through group commit, however few are
 * under way at once: a lone commit is a batch of one, concurrent ones share batches.
 */
@DisplayName("JdbcCreditStore on PostgreSQL, every commit through group commit, satisfies the CreditStore contract")
class PostgresGroupCommitContractTest extends CreditStoreContract {
  @Override
  protected CreditStore createStore() {
    JdbcCreditStore store = Databases.POSTGRESQL.fresh().store();
    store.batchEveryCommit();
    return store;
  }
}
