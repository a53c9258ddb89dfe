package io.preprompt.credits.jdbc;

import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * The databases the adapter is tested on, each handing out fresh, empty, installed stores: H2,
 * PostgreSQL, and PostgreSQL through pgbouncer.
 */
enum Databases {
  /** H2 in memory: a new database per store. */
  H2 {
    @Override
    Target fresh() {
      DataSource ds = TestDataSource.pooled("jdbc:h2:mem:credits_" + COUNTER.incrementAndGet()
          + ";DB_CLOSE_DELAY=-1;LOCK_TIMEOUT=10000");
      JdbcStoreConfig config = JdbcStoreConfig.of(JdbcStoreConfig.Dialect.H2);
      JdbcCreditStore.install(ds, config);
      return new Target(ds, config);
    }
  },
  /** The tests' PostgreSQL server: a new schema per store. */
  POSTGRESQL {
    @Override
    Target fresh() {
      JdbcStoreConfig config = JdbcStoreConfig.builder().dialect(JdbcStoreConfig.Dialect.POSTGRESQL)
          .schema("t" + COUNTER.incrementAndGet()).build();
      JdbcCreditStore.install(SHARED_PG.get(), config);
      return new Target(SHARED_PG.get(), config);
    }
  },
  /**
   * The tests' PostgreSQL server behind pgbouncer in transaction pooling mode, with the driver
   * settings the README documents: a new schema per store, installed through pgbouncer too.
   */
  PGBOUNCER {
    @Override
    Target fresh() {
      JdbcStoreConfig config = JdbcStoreConfig.builder().dialect(JdbcStoreConfig.Dialect.POSTGRESQL)
          .schema("b" + COUNTER.incrementAndGet()).build();
      JdbcCreditStore.install(SHARED_BOUNCER.get(), config);
      return new Target(SHARED_BOUNCER.get(), config);
    }
  };

  private static final AtomicInteger COUNTER = new AtomicInteger();

  /** One pool for every PostgreSQL store, like a host application's. */
  private static final java.util.function.Supplier<DataSource> SHARED_PG = lazyPool(() -> PostgresServer.get().url());

  /** One pool of client connections to pgbouncer, many more than its server connections. */
  private static final java.util.function.Supplier<DataSource> SHARED_BOUNCER = lazyPool(() -> PgBouncer.get().url());

  /** A pool made on first use, so a run that never touches the server never starts it. */
  private static java.util.function.Supplier<DataSource> lazyPool(java.util.function.Supplier<String> url) {
    return new java.util.function.Supplier<>() {
      private volatile DataSource ds;

      @Override
      public DataSource get() {
        DataSource d = ds;
        if (d == null) {
          synchronized (this) {
            if (ds == null) {
              ds = TestDataSource.pooled(url.get());
            }
            d = ds;
          }
        }
        return d;
      }
    };
  }

  /** Whether the database is PostgreSQL, directly or through pgbouncer. */
  boolean postgres() {
    return this != H2;
  }

  /** Returns a data source and configuration over freshly installed, empty tables. */
  abstract Target fresh();

  /** Where a fresh store lives. */
  record Target(DataSource dataSource, JdbcStoreConfig config) {
    JdbcCreditStore store() {
      return JdbcCreditStore.create(dataSource, config);
    }
  }
}
