package io.preprompt.credits.jdbc;

/** The adapter's own tests through pgbouncer in transaction pooling mode, with {@code prepareThreshold=0}. */
class PgBouncerJdbcCreditStoreTest extends JdbcCreditStoreTestBase {
  @Override
  Databases database() {
    return Databases.PGBOUNCER;
  }
}
