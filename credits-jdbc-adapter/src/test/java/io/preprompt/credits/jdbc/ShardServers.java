package io.preprompt.credits.jdbc;

import io.preprompt.credits.spi.ShardedCreditStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * Three PostgreSQL servers of the sharding tests, started together on first use (each on a free
 * port) and stopped at JVM exit, with one pool each; and routers over fresh schemas on all three.
 */
final class ShardServers {
  /** The logical shards of the tests' routers. */
  static final int LOGICAL_SHARDS = 64;

  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private static volatile List<DataSource> pools;

  private ShardServers() {}

  /** The three servers' pools, starting the servers on first use. */
  static List<DataSource> pools() {
    List<DataSource> p = pools;
    if (p == null) {
      synchronized (ShardServers.class) {
        p = pools;
        if (p == null) {
          List<CompletableFuture<PostgresServer>> starting = new ArrayList<>();
          for (int i = 0; i < 3; i++) {
            starting.add(CompletableFuture.supplyAsync(PostgresServer::dedicated));
          }
          List<DataSource> started = new ArrayList<>();
          for (CompletableFuture<PostgresServer> s : starting) {
            started.add(TestDataSource.pooled(s.join().url()));
          }
          p = List.copyOf(started);
          pools = p;
        }
      }
    }
    return p;
  }

  /** Fresh, installed, empty stores: one schema of the same name on each server. */
  static List<JdbcCreditStore> freshStores() {
    JdbcStoreConfig config = JdbcStoreConfig.builder().dialect(JdbcStoreConfig.Dialect.POSTGRESQL)
        .schema("shard" + SCHEMAS.incrementAndGet()).build();
    List<JdbcCreditStore> stores = new ArrayList<>();
    for (DataSource ds : pools()) {
      JdbcCreditStore.install(ds, config);
      stores.add(JdbcCreditStore.create(ds, config));
    }
    return stores;
  }

  /** A router over fresh stores on the three servers: logical shard {@code s} on server {@code s % 3}. */
  static ShardedCreditStore freshRouter(List<JdbcCreditStore> stores) {
    ShardedCreditStore.Builder builder = ShardedCreditStore.builder(LOGICAL_SHARDS);
    for (int s = 0; s < LOGICAL_SHARDS; s++) {
      builder.shard(s, stores.get(s % stores.size()));
    }
    return builder.build();
  }
}
