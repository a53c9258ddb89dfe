package io.preprompt.credits.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Supplies the connection of the host's current transaction, for a store created with
 * {@link JdbcCreditStore#inHostTransaction}. The store uses the connection but never commits, rolls
 * back or closes it: the host's transaction decides whether a credits change is kept.
 *
 * <p>With Spring, for example: {@code () -> DataSourceUtils.getConnection(dataSource)}; with plain
 * JDBC, the connection the host has open ({@link JdbcCreditStore#withConnection} does that).
 */
@FunctionalInterface
public interface ConnectionProvider {

  /**
   * Returns the connection bound to the caller's current transaction.
   *
   * @return an open connection, normally with auto-commit off
   * @throws SQLException when no connection can be had
   */
  Connection currentConnection() throws SQLException;
}
