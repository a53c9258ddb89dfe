package io.preprompt.credits.jdbc;

import org.junit.jupiter.api.DisplayName;

/**
 * The host-transaction tests through pgbouncer in transaction pooling mode: the host's transaction,
 * the store's savepoints in it, and the store's own transactions on the host's connection in
 * auto-commit mode each stay on one server connection for as long as the transaction lasts.
 */
@DisplayName("JdbcCreditStore inside the host's transaction through pgbouncer in transaction mode")
class PgBouncerHostTransactionTest extends PostgresHostTransactionTest {
  @Override
  Databases database() {
    return Databases.PGBOUNCER;
  }

  @Override
  String url() {
    return PgBouncer.get().url();
  }
}
