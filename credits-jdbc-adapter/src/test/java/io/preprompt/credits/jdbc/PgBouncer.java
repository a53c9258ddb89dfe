package io.preprompt.credits.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away pgbouncer in transaction pooling mode in front of a test {@link PostgresServer}:
 * Debian's {@code /usr/sbin/pgbouncer}, a generated ini in a temporary folder, a free loopback port,
 * trust authentication, many client connections over a few server connections. The shared one
 * ({@link #get()}) sits in front of the shared server, is started once per test JVM and stopped at
 * JVM exit. pgbouncer refuses to run as root, so as root it switches to the {@code postgres} user.
 *
 * <p>Its {@link #url()} carries the driver settings the adapter's README documents for transaction
 * pooling ({@link #DRIVER_SETTINGS}); {@link #urlWithDriverDefaults()} leaves them out, for a test
 * that shows what they prevent.
 *
 * <p>When pgbouncer is not installed the tests fail with a message saying how to fix it; they are
 * never skipped.
 */
final class PgBouncer {
  /** The pgJDBC settings for transaction pooling: no named server-side prepared statements. */
  static final String DRIVER_SETTINGS = "prepareThreshold=0";
  /** Server connections per database and user: far fewer than the tests' client connections. */
  static final int POOL_SIZE = 4;

  private static final Path BINARY = Paths.get("/usr/sbin/pgbouncer");
  private static final String FIX = "The JDBC adapter's pgbouncer tests need Debian's pgbouncer at " + BINARY
      + ". Install it with `apt-get install -y pgbouncer` (the CI script .ci/run does this when it is missing).";
  private static volatile PgBouncer instance;

  private final Process process;
  private final PostgresServer server;
  private final Path dir;
  private final int port;
  private final int poolSize;

  private PgBouncer(Process process, PostgresServer server, Path dir, int port, int poolSize) {
    this.process = process;
    this.server = server;
    this.dir = dir;
    this.port = port;
    this.poolSize = poolSize;
  }

  /**
   * Returns the shared pgbouncer in front of the shared server, starting both on first use.
   *
   * @return the running pgbouncer
   * @throws IllegalStateException naming the fix when it cannot be started
   */
  static PgBouncer get() {
    PgBouncer bouncer = instance;
    if (bouncer == null) {
      synchronized (PgBouncer.class) {
        bouncer = instance;
        if (bouncer == null) {
          bouncer = start(PostgresServer.get(), POOL_SIZE);
          instance = bouncer;
        }
      }
    }
    return bouncer;
  }

  /** The JDBC URL of the test database through pgbouncer, with {@link #DRIVER_SETTINGS}. */
  String url() {
    return urlWithDriverDefaults() + "&" + DRIVER_SETTINGS;
  }

  /** The same URL without {@link #DRIVER_SETTINGS}: the driver prepares statements on the server. */
  String urlWithDriverDefaults() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/credits?user=postgres";
  }

  /** Server connections pgbouncer opens at most per database and user. */
  int poolSize() {
    return poolSize;
  }

  /**
   * Reads pgbouncer's {@code SHOW POOLS} line of the test database from its admin console.
   *
   * @return the line's columns by name ({@code cl_active}, {@code sv_active}, {@code sv_idle}, ...)
   */
  Map<String, String> pool() {
    return adminRow("SHOW POOLS");
  }

  /**
   * Reads pgbouncer's {@code SHOW STATS} line of the test database from its admin console.
   *
   * @return the line's columns by name ({@code total_xact_count}, {@code total_query_count}, ...)
   */
  Map<String, String> stats() {
    return adminRow("SHOW STATS");
  }

  private Map<String, String> adminRow(String command) {
    // The admin console speaks the simple query protocol only, and pgJDBC sends it a SET it refuses.
    Path out = dir.resolve("admin.out");
    List<String> psql = List.of(psql().toString(), "-X", "-A", "-F", "|", "-P", "footer=off", "-h", "127.0.0.1",
        "-p", Integer.toString(port), "-U", "postgres", "-d", "pgbouncer", "-c", command);
    List<String> lines;
    try {
      Process p = new ProcessBuilder(psql).redirectErrorStream(true).redirectOutput(out.toFile()).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(command + " timed out");
      }
      lines = Files.readAllLines(out, StandardCharsets.UTF_8);
      if (p.exitValue() != 0) {
        throw new IllegalStateException(command + " failed: " + lines);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(command + " interrupted", e);
    }
    String[] header = lines.get(0).split("\\|", -1);
    for (String line : lines.subList(1, lines.size())) {
      String[] values = line.split("\\|", -1);
      if (values.length == header.length && "credits".equals(values[0])) {
        Map<String, String> row = new LinkedHashMap<>();
        for (int i = 0; i < header.length; i++) {
          row.put(header[i], values[i]);
        }
        return row;
      }
    }
    throw new IllegalStateException(command + " has no line for the database credits: " + lines);
  }

  private Path psql() {
    return server.binaries().resolve("psql");
  }

  /** The sum of the named columns of a {@code SHOW} line. */
  static long sum(Map<String, String> row, String... columns) {
    long sum = 0;
    for (String column : columns) {
      String value = row.get(column);
      if (value == null) {
        throw new IllegalStateException("no column " + column + " in " + row);
      }
      sum += Long.parseLong(value);
    }
    return sum;
  }

  /**
   * Starts a pgbouncer in transaction pooling mode in front of the server.
   *
   * @param server the PostgreSQL server it pools connections to
   * @param poolSize server connections per database and user
   * @return the running pgbouncer, stopped at JVM exit or by {@link #stop()}
   * @throws IllegalStateException naming the fix when it cannot be started
   */
  static PgBouncer start(PostgresServer server, int poolSize) {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException("pgbouncer is not installed. " + FIX);
    }
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir;
    int port = PostgresServer.freePort();
    try {
      dir = Files.createTempDirectory("credits-pgbouncer-");
      // Trust authentication still needs the user in the auth file.
      Files.writeString(dir.resolve("userlist.txt"), "\"postgres\" \"\"\n", StandardCharsets.UTF_8);
      Files.writeString(dir.resolve("pgbouncer.ini"), String.join("\n",
          "[databases]",
          "* = host=127.0.0.1 port=" + server.port(),
          "",
          "[pgbouncer]",
          "listen_addr = 127.0.0.1",
          "listen_port = " + port,
          "unix_socket_dir =",
          "auth_type = trust",
          "auth_file = " + dir.resolve("userlist.txt"),
          "admin_users = postgres",
          "pool_mode = transaction",
          "max_client_conn = 1000",
          "default_pool_size = " + poolSize,
          "max_db_connections = " + poolSize,
          "reserve_pool_size = 0",
          // pgJDBC sends extra_float_digits at startup, which pgbouncer does not track.
          "ignore_startup_parameters = extra_float_digits",
          "logfile = " + dir.resolve("pgbouncer.log"),
          "pidfile = " + dir.resolve("pgbouncer.pid"),
          ""), StandardCharsets.UTF_8);
      if (root) {
        run(List.of("chown", "-R", "postgres", dir.toString()));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> command = new ArrayList<>(List.of(BINARY.toString()));
    if (root) {
      command.addAll(List.of("-u", "postgres"));
    }
    command.add(dir.resolve("pgbouncer.ini").toString());
    Process process;
    try {
      process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
          .redirectOutput(dir.resolve("stdout.log").toFile()).start();
    } catch (IOException e) {
      throw new IllegalStateException("cannot start pgbouncer: " + e + ". " + FIX, e);
    }
    PgBouncer bouncer = new PgBouncer(process, server, dir, port, poolSize);
    Runtime.getRuntime().addShutdownHook(new Thread(bouncer::stopNow, "credits-pgbouncer-stop"));
    bouncer.awaitReady();
    return bouncer;
  }

  /** Waits until a query goes through pgbouncer to the server. */
  private void awaitReady() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        stopNow();
        throw new IllegalStateException("pgbouncer exited with " + process.exitValue() + ": " + logs() + "\n" + FIX);
      }
      try (Connection c = DriverManager.getConnection(url()); Statement st = c.createStatement()) {
        st.execute("SELECT 1");
        return;
      } catch (SQLException e) {
        last = e;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for pgbouncer", e);
      }
    }
    stopNow();
    throw new IllegalStateException("pgbouncer did not answer on port " + port + " within 30 s: " + last + "\n"
        + logs());
  }

  /** Stops this pgbouncer now and deletes its folder (the shared one is left to the JVM exit). */
  void stop() {
    if (this != instance) {
      stopNow();
    }
  }

  private void stopNow() {
    // SIGTERM: pgbouncer closes every connection and exits at once.
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // Best effort: a leftover temp folder is harmless.
    }
  }

  private String logs() {
    StringBuilder out = new StringBuilder();
    for (String name : List.of("stdout.log", "pgbouncer.log")) {
      Path file = dir.resolve(name);
      try {
        if (Files.exists(file)) {
          out.append(name).append(": ").append(Files.readString(file, StandardCharsets.UTF_8).strip()).append('\n');
        }
      } catch (IOException e) {
        out.append(name).append(": unreadable: ").append(e).append('\n');
      }
    }
    return out.toString();
  }

  private static void run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(String.join(" ", command) + " interrupted", e);
    }
  }
}
