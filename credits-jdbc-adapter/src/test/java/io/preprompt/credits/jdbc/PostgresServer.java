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
 * folder; no Docker. The shared server ({@link #get()}) is started once per test JVM, used by every
 * test class, stopped and deleted at JVM exit. PostgreSQL refuses to run as root, so as root it runs
 * as the {@code postgres} user.
 *
 * <p>A test that abuses its server (pauses it, kills it) starts a {@linkplain #dedicated() dedicated}
 * one, so the shared server stays healthy for the others.
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

  private final Path bin;
  private final Path dir;
  private final Path data;
  private final Path log;
  private final boolean root;
  private final int port;
  private final String options;

  private PostgresServer(Path bin, Path dir, boolean root, int port, String options) {
    this.bin = bin;
    this.dir = dir;
    this.data = dir.resolve("data");
    this.log = dir.resolve("server.log");
    this.root = root;
    this.port = port;
    this.options = options;
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
          server = start(Durability.NONE);
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

  /** The folder of the PostgreSQL binaries the server runs from ({@code psql} is there too). */
  Path binaries() {
    return bin;
  }

  /** Opens a new connection to the test database (auto-commit on). */
  Connection connect() throws SQLException {
    return DriverManager.getConnection(url());
  }

  /**
   * Starts a server of the caller's own, which it may pause, kill and restart. Unlike the shared
   * server it commits synchronously: a {@code kill -9} of every server process must not lose an
   * acknowledged commit. ({@code fsync} stays off: the operating system, which holds the written WAL
   * in its page cache, survives a killed server.)
   *
   * @return the running server, stopped and deleted at JVM exit or by {@link #stop()}
   * @throws IllegalStateException naming the fix when it cannot be started
   */
  static PostgresServer dedicated() {
    return start(Durability.SYNCHRONOUS_COMMIT);
  }

  /**
   * Starts a server of the caller's own with production durability: {@code fsync},
   * {@code synchronous_commit} and {@code full_page_writes} on (PostgreSQL's defaults), every other
   * setting default but a generous {@code max_connections}. The benchmarks measure on it; the tests
   * do not need it.
   *
   * @return the running server, stopped and deleted at JVM exit or by {@link #stop()}
   * @throws IllegalStateException naming the fix when it cannot be started
   */
  static PostgresServer production() {
    return start(Durability.PRODUCTION);
  }

  /** How much of a commit reaches the disk before it is acknowledged. */
  private enum Durability {
    /** Nothing: the shared test server. */
    NONE("-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100"),
    /** The WAL is written (not flushed) before the commit returns: survives a killed server. */
    SYNCHRONOUS_COMMIT("-c fsync=off -c synchronous_commit=on -c full_page_writes=off -c max_connections=100"),
    /** PostgreSQL's defaults: the WAL is flushed to disk before the commit returns. */
    PRODUCTION("-c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=300");

    private final String options;

    Durability(String options) {
      this.options = options;
    }
  }

  private static PostgresServer start(Durability durability) {
    PostgresServer server = newServer(durability);
    run(as(server.root, server.bin.resolve("initdb").toString(), "-D", server.data.toString(), "-A", "trust", "-U",
        "postgres", "-E", "UTF8", "--locale=C", "--no-sync"), server.dir, "initdb", null);
    server.pgCtlStart();
    try (Connection c = DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + server.port + "/postgres?user=postgres"); Statement st = c.createStatement()) {
      st.execute("CREATE DATABASE " + DATABASE);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL started on port " + server.port + " but cannot be used: " + e, e);
    }
    return server;
  }

  /**
   * A server not yet created: a temporary folder owned by the server's user, a free port, and a
   * shutdown hook that stops the server and deletes the folder at JVM exit.
   */
  private static PostgresServer newServer(Durability durability) {
    Path bin = findBinaries();
    boolean root = "root".equals(System.getProperty("user.name"));
    Path dir;
    try {
      dir = Files.createTempDirectory("credits-pg-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path data = dir.resolve("data");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(bin, data, dir, root), "credits-pg-stop"));
    if (root) {
      run(List.of("chown", "postgres", dir.toString()), dir, "give the data folder to the postgres user", null);
    }
    int port = freePort();
    // Durability is irrelevant for a throw-away server: turning it off makes the tests fast.
    String options = "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 " + durability.options;
    return new PostgresServer(bin, dir, root, port, options);
  }

  /** The port the server listens on (loopback). */
  int port() {
    return port;
  }

  /**
   * Starts a streaming standby of this server (which must be one of the caller's own, not the
   * shared one): a base backup with {@code pg_basebackup -R} (which writes {@code standby.signal}
   * and the {@code primary_conninfo}) through a physical replication slot of its own, started on a
   * free port in a temporary folder as a hot standby that answers reads. Returns once this server
   * reports the standby {@code streaming} in {@code pg_stat_replication}.
   *
   * <p>When {@code synchronous}, this server is then made to wait for the standby on every commit
   * ({@code synchronous_standby_names = '*'} with {@code synchronous_commit = on}): a commit is
   * acknowledged only once the standby has the commit's WAL, so a promoted standby holds every
   * acknowledged commit. The setting is made after the base backup, so the standby does not
   * inherit it (once promoted it has no standby of its own to wait for).
   *
   * @param synchronous whether this server's commits wait for the standby
   * @return the running standby, stopped and deleted at JVM exit or by {@link #stop()}
   * @throws IllegalStateException when it cannot be started or does not stream within 60 seconds
   */
  PostgresServer startStandby(boolean synchronous) {
    if (this == instance) {
      throw new IllegalStateException("the shared server gets no standby: start a dedicated() one");
    }
    PostgresServer standby = newServer(Durability.SYNCHRONOUS_COMMIT);
    String slot = "standby_" + standby.port;
    run(as(root, bin.resolve("pg_basebackup").toString(), "-D", standby.data.toString(), "-h", "127.0.0.1", "-p",
        Integer.toString(port), "-U", "postgres", "-R", "-X", "stream", "-c", "fast", "-C", "-S", slot, "--no-sync"),
        standby.dir, "pg_basebackup", log);
    standby.pgCtlStart();
    waitFor("the standby on port " + standby.port + " to stream", "SELECT count(*) FROM pg_stat_replication"
        + " WHERE state = 'streaming' AND application_name <> 'pg_basebackup'", this);
    if (synchronous) {
      try (Connection c = connect(); Statement st = c.createStatement()) {
        st.execute("ALTER SYSTEM SET synchronous_standby_names = '*'");
        st.execute("ALTER SYSTEM SET synchronous_commit = 'on'");
        st.execute("SELECT pg_reload_conf()");
      } catch (SQLException e) {
        throw new IllegalStateException("cannot make the standby synchronous: " + e, e);
      }
      waitFor("the standby on port " + standby.port + " to be synchronous",
          "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'", this);
    }
    return standby;
  }

  /**
   * Promotes this standby to a primary with {@code pg_ctl promote} and waits until it accepts
   * writes.
   *
   * @return how long the promotion took, in milliseconds
   */
  long promote() {
    long started = System.nanoTime();
    run(as(root, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-w", "-t", "60", "promote"), dir,
        "pg_ctl promote", log);
    waitFor("the promoted server to leave recovery", "SELECT count(*) FROM (SELECT 1 WHERE NOT pg_is_in_recovery())"
        + " AS primary_now", this);
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
  }

  /**
   * Waits until this standby has replayed everything its primary had written when called, so what
   * the primary committed before can be read here.
   *
   * @param primary the server this one streams from
   */
  void catchUpWith(PostgresServer primary) {
    String lsn;
    try (Connection c = primary.connect(); Statement st = c.createStatement();
        java.sql.ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()")) {
      rs.next();
      lsn = rs.getString(1);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the primary's WAL position: " + e, e);
    }
    waitFor("the standby to replay up to " + lsn, "SELECT count(*) FROM (SELECT 1 WHERE pg_last_wal_replay_lsn()"
        + " >= '" + lsn + "'::pg_lsn) AS replayed", this);
  }

  /** Polls a count query on a server every 20 ms until it is positive, for at most 60 seconds. */
  private static void waitFor(String what, String countQuery, PostgresServer on) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      try (Connection c = on.connect(); Statement st = c.createStatement();
          java.sql.ResultSet rs = st.executeQuery(countQuery)) {
        if (rs.next() && rs.getLong(1) > 0) {
          return;
        }
      } catch (SQLException e) {
        last = e;
      }
      sleep(20);
    }
    throw new IllegalStateException("timed out waiting for " + what + (last == null ? "" : ": " + last)
        + "\nserver log: " + readQuietly(on.log));
  }

  private void pgCtlStart() {
    run(as(root, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", log.toString(), "-w", "-t", "60",
        "-o", options, "start"), dir, "pg_ctl start", log);
  }

  /**
   * Freezes the whole server with {@code SIGSTOP}: the postmaster and every backend stop where they
   * are, holding their sockets open, as a stalled machine would. Clients block until {@link #resume()}.
   *
   * @return how many processes were stopped
   */
  int pause() {
    List<Long> pids = serverProcesses();
    signal("STOP", pids);
    return pids.size();
  }

  /**
   * Lets a {@linkplain #pause() paused} server continue with {@code SIGCONT}.
   *
   * @return how many processes were continued
   */
  int resume() {
    List<Long> pids = serverProcesses();
    signal("CONT", pids);
    return pids.size();
  }

  /**
   * Kills the postmaster with {@code kill -9}, then every process it had left (as a crash of the
   * server would leave them: gone, with no shutdown), and waits until they are all gone. The data
   * folder, with its stale {@code postmaster.pid}, stays for {@link #restart()}.
   *
   * @return how many processes were killed
   */
  int crash() {
    List<Long> pids = serverProcesses();
    signal("KILL", pids.subList(0, 1));
    signal("KILL", pids);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (long pid : pids) {
      while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("server process " + pid + " survived kill -9");
        }
        sleep(10);
      }
    }
    return pids.size();
  }

  /**
   * Starts the server again on the same data folder and port after a {@link #crash()}; PostgreSQL
   * runs its crash recovery from the WAL before it accepts connections.
   */
  void restart() {
    pgCtlStart();
  }

  /** Stops the server now and deletes its data (the shared server is left to the JVM exit). */
  void stop() {
    if (this != instance) {
      try {
        // A server frozen by a failed test would ignore the stop request until it is continued.
        resume();
      } catch (RuntimeException e) {
        // Not running any more: nothing to continue.
      }
      stop(bin, data, dir, root);
    }
  }

  /** The postmaster's pid first, then every process below it. */
  private List<Long> serverProcesses() {
    long postmaster;
    try {
      postmaster = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid"), StandardCharsets.UTF_8)
          .get(0).strip());
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read the postmaster's pid under " + data + ": " + e, e);
    }
    ProcessHandle handle = ProcessHandle.of(postmaster)
        .orElseThrow(() -> new IllegalStateException("the postmaster " + postmaster + " is not running"));
    List<Long> pids = new ArrayList<>();
    pids.add(postmaster);
    handle.descendants().forEach(p -> pids.add(p.pid()));
    return pids;
  }

  private void signal(String signal, List<Long> pids) {
    List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
    pids.forEach(pid -> command.add(Long.toString(pid)));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("kill -" + signal + " timed out");
      }
      // A process that exited meanwhile makes kill exit 1; only a missing postmaster matters, and
      // serverProcesses() has just seen it.
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("kill -" + signal + " interrupted", e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
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

  /** A free port on the loopback interface, for a server of the tests to listen on. */
  static int freePort() {
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
