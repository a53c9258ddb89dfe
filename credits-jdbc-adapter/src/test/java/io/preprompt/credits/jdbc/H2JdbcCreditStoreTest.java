package io.preprompt.credits.jdbc;

/** The adapter's own tests on H2 in memory. */
class H2JdbcCreditStoreTest extends JdbcCreditStoreTestBase {
  @Override
  Databases database() {
    return Databases.H2;
  }
}
