package io.preprompt.credits.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.ConcurrentLinkedDeque;
import javax.sql.DataSource;

/**
 * A tiny {@link DataSource} over {@link DriverManager} for tests (no pool dependency). Pooled, it
 * keeps closed connections for reuse when they are healthy and back in auto-commit mode, the way a
 * host's pool would: a connection that reported a connection failure (SQL state class {@code 08}) or
 * a terminated backend (class {@code 57}) is discarded, so the pool recovers from killed backends and
 * restarted servers. Unpooled, every {@code getConnection} opens a new physical connection.
 */
final class TestDataSource extends DataSourceBase {
  private final String url;
  private final boolean pooled;
  private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();

  private TestDataSource(String url, boolean pooled) {
    this.url = url;
    this.pooled = pooled;
  }

  static TestDataSource pooled(String url) {
    return new TestDataSource(url, true);
  }

  static TestDataSource unpooled(String url) {
    return new TestDataSource(url, false);
  }

  @Override
  public Connection getConnection() throws SQLException {
    if (!pooled) {
      return DriverManager.getConnection(url);
    }
    Connection physical = idle.pollFirst();
    if (physical == null) {
      physical = DriverManager.getConnection(url);
    }
    Connection target = physical;
    AtomicBoolean broken = new AtomicBoolean();
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> {
          if (method.getName().equals("close")) {
            giveBack(target, broken.get());
            return null;
          }
          try {
            Object result = method.invoke(target, args);
            return result instanceof Statement statement ? watch(statement, broken) : result;
          } catch (InvocationTargetException e) {
            noteFailure(e.getCause(), broken);
            throw e.getCause();
          }
        });
  }

  /** Wraps a statement so that its failures, too, mark the connection broken. */
  private static Object watch(Statement statement, AtomicBoolean broken) {
    Class<?> type = statement instanceof CallableStatement ? CallableStatement.class
        : statement instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
    return Proxy.newProxyInstance(Statement.class.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
      try {
        return method.invoke(statement, args);
      } catch (InvocationTargetException e) {
        noteFailure(e.getCause(), broken);
        throw e.getCause();
      }
    });
  }

  private static void noteFailure(Throwable failure, AtomicBoolean broken) {
    if (failure instanceof SQLException e) {
      String state = e.getSQLState();
      if (state == null || state.startsWith("08") || state.startsWith("57")) {
        broken.set(true);
      }
    }
  }

  private void giveBack(Connection physical, boolean broken) throws SQLException {
    if (!broken && !physical.isClosed() && physical.getAutoCommit() && idle.size() < 32) {
      idle.addFirst(physical);
    } else {
      physical.close();
    }
  }
}
