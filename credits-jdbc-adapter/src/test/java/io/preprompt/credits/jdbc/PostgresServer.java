package io.preprompt.credits.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A throw-away PostgreSQL server for the tests, started from the machine's PostgreSQL binaries
 * ({@code /usr/lib/postgresql/<version>/bin}) on a free loopback port with its data in a temporary
 * folder; no Docker. Started once per test JVM, shared by every test class, stopped and deleted at
 * JVM exit. PostgreSQL refuses to run as root, so as root it runs as the {@code postgres} user.
 *
 * <p>When the server cannot be started the tests fail with a message saying how to fix it; they are
 * never skipped.
 */
final class PostgresServer {
  private static final String FIX = "The JDBC adapter's tests need PostgreSQL server binaries (initdb, pg_ctl) under "
      + "/usr/lib/postgresql/<version>/bin. Install them with `apt-get install -y postgresql` (Debian/Ubuntu; the "
      + "CI script .ci/run does this), and when running as root make sure the `postgres` user exists.";

  private static final String DATABASE = "credits";
  private static volatile PostgresServer instance;

  private final int port;

  private PostgresServer(int port) {
    this.port = port;
  }

  /**
   * Returns the shared server, starting it on first use.
   *
   * @return the running server
   * @throws IllegalStateException naming the fix when it cannot be started
   */
  static PostgresServer get() {
    PostgresServer server = instance;
    if (server == null) {
      synchronized (PostgresServer.class) {
        server = instance;
        if (server == null) {
          server = start();
          instance = server;
        }
      }
    }
    return server;
  }

  /** The JDBC URL of the test database. */
  String url() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE + "?user=postgres";
  }

  /** Opens a new connection to the test database (auto-commit on). */
  Connection connect() throws SQLException {
    return DriverManager.getConnection(url());
  }

  private static PostgresServer start() {
    Path bin = findBinaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir;
    try {
      dir = Files.createTempDirectory("credits-pg-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path data = dir.resolve("data");
    Path log = dir.resolve("server.log");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(bin, data, dir, root), "credits-pg-stop"));
    if (root) {
      run(List.of("chown", "postgres", dir.toString()), dir, "give the data folder to the postgres user", null);
    }
    run(as(root, bin.resolve("initdb").toString(), "-D", data.toString(), "-A", "trust", "-U", "postgres",
        "-E", "UTF8", "--locale=C", "--no-sync"), dir, "initdb", null);
    int port = freePort();
    // Durability is irrelevant for a throw-away server: turning it off makes the tests fast.
    String options = "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off"
        + " -c synchronous_commit=off -c full_page_writes=off -c max_connections=100";
    run(as(root, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", log.toString(), "-w", "-t", "60",
        "-o", options, "start"), dir, "pg_ctl start", log);
    PostgresServer server = new PostgresServer(port);
    try (Connection c = DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres"); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + DATABASE);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL started on port " + port + " but cannot be used: " + e, e);
    }
    return server;
  }

  private static Path findBinaries() {
    Path root = Paths.get("/usr/lib/postgresql");
    List<Path> candidates = new ArrayList<>();
    if (Files.isDirectory(root)) {
      try (Stream<Path> versions = Files.list(root)) {
        versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb"))
            && Files.isExecutable(b.resolve("pg_ctl"))).forEach(candidates::add);
      } catch (IOException e) {
        throw new IllegalStateException("cannot list " + root + ". " + FIX, e);
      }
    }
    return candidates.stream()
        .max(Comparator.comparingInt(PostgresServer::majorVersion))
        .orElseThrow(() -> new IllegalStateException("No PostgreSQL binaries found under " + root + ". " + FIX));
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString().replaceAll("[^0-9].*", ""));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static List<String> as(boolean root, String... command) {
    List<String> out = new ArrayList<>();
    if (root) {
      out.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    out.addAll(List.of(command));
    return out;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void run(List<String> command, Path dir, String what, @Nullable Path serverLog) {
    Path out = dir.resolve("command.out");
    try {
      Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(out.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(what + " timed out. " + FIX);
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("Could not start the test PostgreSQL server: " + what + " exited with "
            + p.exitValue() + ": " + readQuietly(out)
            + (serverLog == null ? "" : "\nserver log: " + readQuietly(serverLog)) + "\n" + FIX);
      }
    } catch (IOException e) {
      throw new IllegalStateException("Could not start the test PostgreSQL server: " + what + " failed: " + e
          + "\n" + FIX, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(what + " interrupted", e);
    }
  }

  private static String readQuietly(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : "";
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }

  private static void stop(Path bin, Path data, Path dir, boolean root) {
    try {
      if (Files.exists(data.resolve("postmaster.pid"))) {
        Process p = new ProcessBuilder(as(root, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m",
            "immediate", "-w", "stop")).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
        p.waitFor(30, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      // Best effort at JVM exit: the data folder is deleted below either way.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // Best effort: a leftover temp folder is harmless.
    }
  }
}
