package io.preprompt.credits.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A pool of at most a few connections, for tests that must see a leak (no pool dependency): it
 * counts the connections borrowed and not yet closed, and refuses a borrow at once, with SQL state
 * {@code 08001}, when all are out, where a real pool would wait and then time out. A connection
 * handed back is reset to auto-commit (rolling back what it left open), as real pools do.
 */
final class BoundedPool extends DataSourceBase implements AutoCloseable {
  private final String url;
  private final int size;
  private final Deque<Connection> idle = new ArrayDeque<>();
  private int borrowed;

  BoundedPool(String url, int size) {
    this.url = url;
    this.size = size;
  }

  /**
   * Returns how many connections are borrowed and not yet closed.
   *
   * @return the count
   */
  synchronized int borrowed() {
    return borrowed;
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection physical;
    synchronized (this) {
      if (borrowed == size) {
        throw new SQLException("pool exhausted: all " + size + " connections are borrowed", "08001");
      }
      borrowed++;
      physical = idle.pollFirst();
    }
    if (physical == null) {
      try {
        physical = DriverManager.getConnection(url);
      } catch (SQLException e) {
        synchronized (this) {
          borrowed--;
        }
        throw e;
      }
    }
    Connection target = physical;
    AtomicBoolean returned = new AtomicBoolean();
    return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
        (proxy, method, args) -> {
          switch (method.getName()) {
            case "close" -> {
              if (returned.compareAndSet(false, true)) {
                giveBack(target);
              }
              return null;
            }
            case "isClosed" -> {
              return returned.get() || target.isClosed();
            }
            default -> {
              if (returned.get()) {
                throw new SQLException("connection already returned to the pool", "08003");
              }
              try {
                return method.invoke(target, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            }
          }
        });
  }

  private void giveBack(Connection physical) throws SQLException {
    boolean healthy = !physical.isClosed();
    if (healthy && !physical.getAutoCommit()) {
      physical.rollback();
      physical.setAutoCommit(true);
    }
    synchronized (this) {
      borrowed--;
      if (healthy) {
        idle.addFirst(physical);
        return;
      }
    }
    physical.close();
  }

  /** Closes the idle connections; borrowed ones close when they are handed back. */
  @Override
  public synchronized void close() throws SQLException {
    for (Connection c : idle) {
      c.close();
    }
    idle.clear();
  }
}
