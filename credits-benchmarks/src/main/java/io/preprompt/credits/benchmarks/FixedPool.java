package io.preprompt.credits.benchmarks;

import io.preprompt.credits.jdbc.DataSourceBase;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A fixed pool of physical connections, opened up front, handed out as close-intercepting proxies
 * (one per connection, made once). Both the adapter and the hand-written SQL baseline borrow from
 * the same pool, so neither pays for connection set-up and both pay the same for borrowing.
 */
final class FixedPool extends DataSourceBase implements AutoCloseable {
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
  public void close() {
    for (Connection c : physical) {
      try {
        c.close();
      } catch (SQLException e) {
        // Closing at the end of a trial: nothing to do about a broken connection.
      }
    }
  }
}
