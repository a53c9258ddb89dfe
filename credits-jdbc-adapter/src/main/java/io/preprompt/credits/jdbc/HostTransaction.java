package io.preprompt.credits.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The host's transaction on one plain JDBC connection, for a host that runs its transactions itself
 * (plain JDBC, or jOOQ or JDBI over a connection per transaction): the {@link ConnectionProvider}
 * that gives the store this connection and keeps what must wait for the commit (telling listeners)
 * until the host commits through {@link #commit()}.
 *
 * <pre>{@code
 * try (Connection c = dataSource.getConnection()) {
 *   HostTransaction tx = HostTransaction.begin(c);          // auto-commit off
 *   Credits credits = Credits.builder().store(JdbcCreditStore.inHostTransaction(tx, config))
 *       .listener(ui).build();
 *   orders.insert(c, order);                               // the host's own write
 *   credits.credits().settle(account, holdId, key);        // same transaction; no listener yet
 *   tx.commit();                                           // both or neither, then the listeners
 * }
 * }</pre>
 *
 * <p>{@link #rollback()} undoes both and drops what waited. A host whose library commits for it
 * (JDBI's {@code Handle}, for example) implements {@link ConnectionProvider} over that library's
 * own after-commit hook instead. Rolling back to a savepoint of the host's does not take back what
 * waits. Like the connection, an instance is for one thread at a time; the connection stays the
 * host's to close.
 */
public final class HostTransaction implements ConnectionProvider {
  private final Connection connection;
  private final List<Runnable> afterCommit = new ArrayList<>();

  private HostTransaction(Connection connection) {
    this.connection = connection;
  }

  /**
   * Begins a transaction on the connection (turns auto-commit off) and follows it.
   *
   * @param connection the host's connection; the host closes it
   * @return the transaction, to hand to {@link JdbcCreditStore#inHostTransaction} and to commit
   * @throws SQLException when auto-commit cannot be turned off
   * @throws io.preprompt.credits.core.InvalidRequestException with
   *     {@link io.preprompt.credits.core.ErrorCode#INVALID_CONFIGURATION} when the connection is null
   */
  public static HostTransaction begin(Connection connection) throws SQLException {
    JdbcCreditStore.required(connection, "a connection");
    connection.setAutoCommit(false);
    return new HostTransaction(connection);
  }

  /**
   * Returns the connection this transaction runs on.
   *
   * @return the host's connection
   */
  @Override
  public Connection currentConnection() {
    return connection;
  }

  /**
   * Keeps the action until {@link #commit()}, or runs it at once when the connection has been put
   * back in auto-commit mode (then the store's write committed by itself).
   *
   * @param action what to run after the commit
   * @throws SQLException when the connection's mode cannot be read
   */
  @Override
  public void afterCommit(Runnable action) throws SQLException {
    if (connection.getAutoCommit()) {
      action.run();
    } else {
      afterCommit.add(action);
    }
  }

  /**
   * Commits the connection's transaction, then runs what waited for the commit, in order, each once.
   * The connection stays in a transaction, so the next one may follow on this instance.
   *
   * @throws SQLException when the commit fails; what waited is then dropped, never run
   * @throws RuntimeException the first failure of an action, after every action ran
   */
  public void commit() throws SQLException {
    List<Runnable> waiting = List.copyOf(afterCommit);
    afterCommit.clear();
    connection.commit();
    RuntimeException failure = null;
    for (Runnable action : waiting) {
      try {
        action.run();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Rolls the connection's transaction back and drops what waited for a commit: no listener hears
   * of the changes undone.
   *
   * @throws SQLException when the rollback fails (what waited is dropped all the same)
   */
  public void rollback() throws SQLException {
    afterCommit.clear();
    connection.rollback();
  }
}
