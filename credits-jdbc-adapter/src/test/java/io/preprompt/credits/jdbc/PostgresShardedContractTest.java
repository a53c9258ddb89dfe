package io.preprompt.credits.jdbc;

import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.testkit.CreditStoreContract;
import org.junit.jupiter.api.DisplayName;

/**
 * The storage contract through {@link io.preprompt.credits.spi.ShardedCreditStore} over three
 * PostgreSQL servers: a fresh schema on each per test, logical shard {@code s} on server
 * {@code s % 3}, so the contract's accounts live on all three and every sweep merges servers.
 */
@DisplayName("ShardedCreditStore over three PostgreSQL servers satisfies the CreditStore contract")
class PostgresShardedContractTest extends CreditStoreContract {
  @Override
  protected CreditStore createStore() {
    return ShardServers.freshRouter(ShardServers.freshStores());
  }
}
