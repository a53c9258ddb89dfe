package io.preprompt.credits.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A pool over another data source that fails the ways a host's pool and network do, one fault at a
 * time: the database cannot be reached; the pool is exhausted and times out, with an exception of its
 * own whose cause is the last database error it saw (as HikariCP's does); or a connection breaks
 * around a commit. It remembers the last {@link SQLException} its connections and statements threw.
 */
final class FaultyPool extends DataSourceBase {

  /** A connection that breaks around a commit; each fires once, at the first call it applies to. */
  enum Fault {
    /** The next write inside a transaction breaks the connection instead of being sent: the server rolls back. */
    BREAK_BEFORE_COMMIT,
    /** The next {@code COMMIT} is carried out, then the connection breaks before its answer arrives. */
    LOSE_COMMIT_ANSWER,
    /**
     * The next {@code execute} on a connection in auto-commit mode runs, and so commits, then the
     * connection breaks before its answer arrives.
     */
    LOSE_AUTO_COMMIT_ANSWER
  }

  private final DataSource delegate;
  private final AtomicReference<@Nullable Fault> armed = new AtomicReference<>();
  private volatile boolean unreachable;
  private volatile boolean exhausted;
  private volatile @Nullable String timeoutState;
  private volatile @Nullable SQLException lastFailure;

  FaultyPool(DataSource delegate) {
    this.delegate = delegate;
  }

  /** Makes every {@code getConnection} fail as a database that is down would, or stops that. */
  void unreachable(boolean down) {
    unreachable = down;
  }

  /**
   * Makes every {@code getConnection} time out, with this SQL state (or none) and the last database
   * error the pool saw as the cause.
   */
  void exhausted(@Nullable String ownState) {
    timeoutState = ownState;
    exhausted = true;
  }

  /** Arms a fault for the next call it applies to, on any connection. */
  void arm(Fault fault) {
    armed.set(fault);
  }

  /** The fault still armed: null once it fired. */
  @Nullable Fault armed() {
    return armed.get();
  }

  /** The last SQL exception a connection or statement of this pool threw. */
  @Nullable SQLException lastFailure() {
    return lastFailure;
  }

  @Override
  public Connection getConnection() throws SQLException {
    if (unreachable) {
      throw new SQLNonTransientConnectionException("injected: connection refused", "08001");
    }
    if (exhausted) {
      throw new SQLTransientConnectionException("test-pool - Connection is not available, request timed out after"
          + " 30000ms.", timeoutState, lastFailure);
    }
    Connection c = delegate.getConnection();
    return (Connection) Proxy.newProxyInstance(FaultyPool.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> {
          if (method.getName().equals("commit") && armed.compareAndSet(Fault.LOSE_COMMIT_ANSWER, null)) {
            c.commit();
            throw broken(c, "the answer to a COMMIT that committed was lost");
          }
          Object result = invoke(method, c, args);
          return result instanceof PreparedStatement ps ? statement(ps, c) : result;
        });
  }

  private Object statement(PreparedStatement ps, Connection c) {
    return Proxy.newProxyInstance(FaultyPool.class.getClassLoader(), new Class<?>[] {PreparedStatement.class},
        (proxy, method, args) -> {
          String name = method.getName();
          boolean write = name.startsWith("execute") && !name.equals("executeQuery");
          if (write && !c.getAutoCommit() && armed.compareAndSet(Fault.BREAK_BEFORE_COMMIT, null)) {
            throw broken(c, "the connection broke in the middle of a transaction");
          }
          if (name.equals("execute") && c.getAutoCommit() && armed.compareAndSet(Fault.LOSE_AUTO_COMMIT_ANSWER, null)) {
            invoke(method, ps, args);
            throw broken(c, "the answer to a statement that committed itself was lost");
          }
          return invoke(method, ps, args);
        });
  }

  /** Closes the physical connection (the server ends its open transaction) and fails as a network error does. */
  private static SQLException broken(Connection c, String what) throws SQLException {
    c.unwrap(Connection.class).close();
    return new SQLException("injected: " + what + " (I/O error)", "08006");
  }

  private @Nullable Object invoke(Method method, Object target, Object @Nullable [] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof SQLException failure) {
        lastFailure = failure;
      }
      throw e.getCause();
    }
  }
}
