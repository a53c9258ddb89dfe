package io.preprompt.credits.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * How a store created with {@link JdbcCreditStore#inHostTransaction} takes part in the host's
 * transactions: it gets the connection of the caller's current transaction, gives it back when done,
 * and leaves for after the commit what must not happen before it. The store uses the connection but
 * never commits, rolls back or closes it: the host's transaction decides whether a credits change is
 * kept.
 *
 * <p>For every read and every commit the store calls {@link #currentConnection()} once and then
 * {@link #releaseConnection} once with what it got, also when the work failed. After a change it
 * hands {@link #afterCommit} what tells the host's listeners (the new balance, a low-balance signal),
 * so that nobody hears of a change the host then rolls back.
 *
 * <p>With Spring, the three methods are {@code DataSourceUtils.getConnection(dataSource)},
 * {@code DataSourceUtils.releaseConnection(connection, dataSource)} (outside a transaction it is what
 * gives a pooled connection back) and a {@code TransactionSynchronization} whose {@code afterCommit}
 * runs the action, registered while {@code TransactionSynchronizationManager.isSynchronizationActive()}
 * and run at once otherwise; the adapter's README shows the whole class. A host that runs its own
 * transactions on one plain connection (JDBC, jOOQ, JDBI) uses {@link HostTransaction}.
 *
 * <p>Only {@link #currentConnection()} must be written, so a lambda will do for a connection in
 * auto-commit mode; a provider whose connections may be in a transaction implements
 * {@link #afterCommit} too, or the store's listeners are never told of its changes.
 */
@FunctionalInterface
public interface ConnectionProvider {

  /**
   * Returns the connection bound to the caller's current transaction, or, outside a transaction, a
   * connection in auto-commit mode (whose writes the store then commits itself).
   *
   * @return an open connection
   * @throws SQLException when no connection can be had
   */
  Connection currentConnection() throws SQLException;

  /**
   * Gives back a connection {@link #currentConnection()} returned, once the store is done with it for
   * this read or commit. Inside a transaction the connection stays open for the host; outside one,
   * a provider that took it from a pool returns it there. The default does nothing: the connection
   * belongs to the host, who closes it.
   *
   * @param connection the connection the store got, still open; never null
   * @throws SQLException when giving it back fails (the store's call then fails)
   */
  default void releaseConnection(Connection connection) throws SQLException {}

  /**
   * Runs an action once the caller's current transaction commits, exactly once, and never when it
   * rolls back; when the caller is in no transaction, the store's write has already committed, so the
   * action runs at once. Actions run in the order given. The store calls this after each change it
   * wrote on this provider's connection (see
   * {@link io.preprompt.credits.spi.CreditStore#whenDurable}).
   *
   * <p>The default can only tell a transaction from its absence: it runs the action at once when
   * the current connection is in auto-commit mode, and otherwise throws rather than run it before the
   * host commits (the store's caller logs that and tells no listener).
   *
   * @param action what to run after the commit; it catches its own failures
   * @throws IllegalStateException from the default, when the current connection is in a transaction
   * @throws SQLException when the connection's state cannot be read
   */
  default void afterCommit(Runnable action) throws SQLException {
    Connection connection = currentConnection();
    boolean autoCommit;
    try {
      autoCommit = connection.getAutoCommit();
    } finally {
      releaseConnection(connection);
    }
    if (!autoCommit) {
      throw new IllegalStateException("this ConnectionProvider cannot tell when the host's transaction commits:"
          + " implement ConnectionProvider.afterCommit, or use HostTransaction, to have listeners told after it");
    }
    action.run();
  }
}
