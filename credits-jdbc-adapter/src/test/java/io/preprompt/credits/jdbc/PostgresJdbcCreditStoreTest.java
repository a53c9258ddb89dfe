package io.preprompt.credits.jdbc;

/** The adapter's own tests on the tests' PostgreSQL server. */
class PostgresJdbcCreditStoreTest extends JdbcCreditStoreTestBase {
  @Override
  Databases database() {
    return Databases.POSTGRESQL;
  }
}
