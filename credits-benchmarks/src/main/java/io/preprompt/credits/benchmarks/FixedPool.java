package io.preprompt.credits.benchmarks;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * A fixed pool of physical connections, opened up front, handed out as close-intercepting proxies
 * (one per connection, made once). Both the adapter and the hand-written SQL baseline borrow from
 * the same pool, so neither pays for connection set-up and both pay the same for borrowing.
 */
final class FixedPool implements DataSource, AutoCloseable {
  private final BlockingQueue<Connection> idle;
  private final Connection[] physical;

  FixedPool(String url, int size) throws SQLException {
    this.idle = new ArrayBlockingQueue<>(size);
    this.physical = new Connection[size];
    for (int i = 0; i < size; i++) {
      Connection target = DriverManager.getConnection(url);
      physical[i] = target;
      Connection[] self = new Connection[1];
      self[0] = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
          new Class<?>[] {Connection.class}, (proxy, method, args) -> {
            if (method.getName().equals("close")) {
              if (!target.getAutoCommit()) {
                target.rollback();
                target.setAutoCommit(true);
              }
              idle.add(self[0]);
              return null;
            }
            try {
              return method.invoke(target, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
      idle.add(self[0]);
    }
  }

  @Override
  public Connection getConnection() throws SQLException {
    try {
      return idle.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted while waiting for a connection", e);
    }
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    return getConnection();
  }

  @Override
  public void close() {
    for (Connection c : physical) {
      try {
        c.close();
      } catch (SQLException e) {
        // Closing at the end of a trial: nothing to do about a broken connection.
      }
    }
  }

  @Override
  public @Nullable PrintWriter getLogWriter() {
    return null;
  }

  @Override
  public void setLogWriter(@Nullable PrintWriter out) {}

  @Override
  public void setLoginTimeout(int seconds) {}

  @Override
  public int getLoginTimeout() {
    return 0;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    throw new SQLException("not a wrapper");
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) {
    return false;
  }
}
