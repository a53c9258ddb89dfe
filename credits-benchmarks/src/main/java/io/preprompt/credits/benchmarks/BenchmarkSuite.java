package io.preprompt.credits.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every benchmark group, each library benchmark with its baseline in the same JMH run, and
 * writes per group the JMH JSON, then {@code summary.json} and {@code table.md} with the ratios and
 * the targets. {@code run-benchmarks.sh} calls it; so does the smoke test, in quick mode.
 *
 * <p>Usage: {@code java -cp benchmarks.jar io.preprompt.credits.benchmarks.BenchmarkSuite <out-dir> [--quick]}
 */
public final class BenchmarkSuite {
  private static final String PKG = "io.preprompt.credits.benchmarks.";

  /**
   * One JMH run: a library benchmark and its baseline (or a parameter sweep).
   *
   * @param id file name of the group's JSON
   * @param include JMH include pattern
   * @param threads JMH threads
   * @param gc whether to run the GC profiler (bytes allocated per operation)
   * @param params JMH parameters to fix
   * @param jvm the {@code java} binary the forks run, or null for the one running the suite
   */
  record Group(String id, String include, int threads, boolean gc, Map<String, String[]> params, @Nullable String jvm) {
    Group(String id, String include, int threads, boolean gc, Map<String, String[]> params) {
      this(id, include, threads, gc, params, null);
    }
  }

  /**
   * The system property naming a second {@code java} binary (run-benchmarks.sh passes the default
   * JDK's when the suite runs on a newer one): the in-memory pair is measured on it too, as group
   * {@value #REFERENCE_GROUP}.
   */
  static final String REFERENCE_JVM = "benchmarks.referenceJvm";
  /** The group of the in-memory pair on the {@link #REFERENCE_JVM}. */
  static final String REFERENCE_GROUP = "memory-pair-1t-reference-jdk";

  /**
   * One benchmark's result.
   *
   * @param group the group id
   * @param benchmark the method name
   * @param params the parameters, as {@code name=value} joined by commas
   * @param threads threads
   * @param score operations per second
   * @param error the 99.9% confidence half-width (NaN when too few iterations)
   * @param allocPerOp bytes allocated per operation, or NaN when not profiled
   */
  record Row(String group, String benchmark, String params, int threads, double score, double error,
      double allocPerOp) {}

  /** The groups, in run order. */
  static List<Group> groups(boolean quick) {
    List<Group> out = new ArrayList<>();
    String mem = PKG + "InMemoryBenchmarks.";
    out.add(new Group("memory-pair-1t", mem + "(pair|baselinePair)$", 1, true, Map.of()));
    String reference = System.getProperty(REFERENCE_JVM);
    if (!quick && reference != null && !reference.isBlank()) {
      out.add(new Group(REFERENCE_GROUP, mem + "(pair|baselinePair)$", 1, true, Map.of(), reference));
    }
    out.add(new Group("memory-pair-2t", mem + "(pair|baselinePair)$", 2, true, Map.of()));
    out.add(new Group("memory-gate", mem + "(gatePair|baselineGatePair)$", 1, true, Map.of()));
    out.add(new Group("memory-balance", mem + "(balance|baselineBalance)$", 1, true, Map.of()));
    String jdbc = PKG + "JdbcPairBenchmarks.";
    for (int t : new int[] {1, 4, 16}) {
      out.add(new Group("postgresql-pair-" + t + "t", jdbc, t, false, Map.of("db", new String[] {"POSTGRESQL"})));
    }
    for (int t : new int[] {1, 4}) {
      out.add(new Group("h2-pair-" + t + "t", jdbc, t, false, Map.of("db", new String[] {"H2"})));
    }
    String[] histories = quick ? new String[] {"10-entries", "1k-active-holds"}
        : new String[] {"10-entries", "10k-entries", "1M-entries", "1k-active-holds"};
    out.add(new Group("growth-memory", PKG + "GrowthBenchmarks.", 1, false,
        Map.of("store", new String[] {"MEMORY"}, "history", histories)));
    out.add(new Group("growth-postgresql", PKG + "GrowthBenchmarks.", 1, false,
        Map.of("store", new String[] {"POSTGRESQL"}, "history", histories)));
    return out;
  }

  private BenchmarkSuite() {}

  /**
   * Runs the suite.
   *
   * @param args output directory, then {@code --quick} for the smoke run
   * @throws Exception when a benchmark fails
   */
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: BenchmarkSuite <out-dir> [--quick] [group-id ...]");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    boolean quick = false;
    List<String> only = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--quick")) {
        quick = true;
      } else {
        only.add(args[i]);
      }
    }
    List<Row> rows = run(out, quick, only);
    System.out.println(Files.readString(out.resolve("table.md"), StandardCharsets.UTF_8));
    System.out.println(rows.size() + " results in " + out.toAbsolutePath());
  }

  /**
   * Runs the groups and writes the reports.
   *
   * @param out the output directory (created)
   * @param quick one short iteration per benchmark, no fork, no warm-up: the CI smoke run
   * @param only group ids to run; empty for all
   * @return every result
   * @throws RunnerException when a benchmark fails
   */
  static List<Row> run(Path out, boolean quick, List<String> only) throws RunnerException {
    try {
      Files.createDirectories(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Row> rows = new ArrayList<>();
    for (Group g : groups(quick)) {
      if (!only.isEmpty() && !only.contains(g.id())) {
        continue;
      }
      ChainedOptionsBuilder options = new OptionsBuilder().include(g.include()).threads(g.threads())
          .shouldFailOnError(true).resultFormat(ResultFormatType.JSON)
          .result(out.resolve(g.id() + ".json").toString());
      g.params().forEach(options::param);
      if (g.jvm() != null) {
        // Forks otherwise inherit this JVM's options, which another JDK may not know.
        options.jvm(g.jvm()).jvmArgs();
      }
      if (g.gc()) {
        options.addProfiler(GCProfiler.class);
      }
      if (quick) {
        options.forks(0).warmupIterations(0).measurementIterations(1).measurementTime(TimeValue.milliseconds(200))
            .verbosity(VerboseMode.SILENT);
      }
      Collection<RunResult> results = new Runner(options.build()).run();
      for (RunResult r : results) {
        String name = r.getParams().getBenchmark();
        StringBuilder params = new StringBuilder();
        for (String key : r.getParams().getParamsKeys()) {
          if (params.length() > 0) {
            params.append(',');
          }
          params.append(key).append('=').append(r.getParams().getParam(key));
        }
        Result<?> primary = r.getPrimaryResult();
        @Nullable Result<?> alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
        rows.add(new Row(g.id(), name.substring(name.lastIndexOf('.') + 1), params.toString(), g.threads(),
            primary.getScore(), primary.getScoreError(), alloc == null ? Double.NaN : alloc.getScore()));
      }
    }
    write(out.resolve("summary.json"), json(rows));
    write(out.resolve("table.md"), Report.table(rows));
    return rows;
  }

  private static void write(Path file, String text) {
    try {
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String json(List<Row> rows) {
    StringBuilder sb = new StringBuilder("[\n");
    for (int i = 0; i < rows.size(); i++) {
      Row r = rows.get(i);
      sb.append(String.format(Locale.ROOT,
          "  {\"group\": \"%s\", \"benchmark\": \"%s\", \"params\": \"%s\", \"threads\": %d, \"opsPerSecond\": %s,"
              + " \"error\": %s, \"bytesPerOp\": %s}%s%n",
          r.group(), r.benchmark(), r.params(), r.threads(), number(r.score()), number(r.error()),
          number(r.allocPerOp()), i + 1 < rows.size() ? "," : ""));
    }
    return sb.append("]\n").toString();
  }

  private static String number(double d) {
    return Double.isNaN(d) || Double.isInfinite(d) ? "null" : String.format(Locale.ROOT, "%.3f", d);
  }

  /** Finds a row. */
  static Optional<Row> find(List<Row> rows, String group, String benchmark, String paramPart) {
    return rows.stream().filter(r -> r.group().equals(group) && r.benchmark().equals(benchmark)
        && r.params().contains(paramPart)).findFirst();
  }
}
