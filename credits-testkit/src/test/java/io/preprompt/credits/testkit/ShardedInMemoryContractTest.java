package io.preprompt.credits.testkit;

import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.spi.ShardedCreditStore;
import org.junit.jupiter.api.DisplayName;

/**
 * The storage contract through the router over three in-memory stores, logical shard {@code s} on
 * store {@code s % 3}: the contract's accounts land on all three, so every sweep merges answers of
 * several stores.
 */
@DisplayName("ShardedCreditStore over three in-memory stores satisfies the CreditStore contract")
class ShardedInMemoryContractTest extends CreditStoreContract {
  @Override
  protected CreditStore createStore() {
    CreditStore[] stores = {new InMemoryCreditStore(), new InMemoryCreditStore(), new InMemoryCreditStore()};
    ShardedCreditStore.Builder builder = ShardedCreditStore.builder(64);
    for (int s = 0; s < 64; s++) {
      builder.shard(s, stores[s % 3]);
    }
    return builder.build();
  }
}
