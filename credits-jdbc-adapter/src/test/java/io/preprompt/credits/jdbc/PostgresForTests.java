package io.preprompt.credits.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Other modules' door to the adapter tests' PostgreSQL launcher ({@link PostgresServer}, from the
 * adapter's test jar): the shared throw-away server of this JVM, and empty databases on it. Not part
 * of any API.
 */
public final class PostgresForTests {
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private PostgresForTests() {}

  /**
   * Creates an empty database on the shared server (started on first use, stopped at JVM exit).
   *
   * @param prefix the database name's start, lower case letters and underscores
   * @return its JDBC URL, user {@code postgres}, no password
   * @throws IllegalStateException when the server cannot be started or the database created
   */
  public static String newDatabase(String prefix) {
    PostgresServer server = PostgresServer.get();
    String name = prefix + "_" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    try (Connection c = server.connect(); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name + ": " + e, e);
    }
    String url = server.url();
    return url.replaceFirst("/[a-z_0-9]+\\?", "/" + name + "?");
  }
}
