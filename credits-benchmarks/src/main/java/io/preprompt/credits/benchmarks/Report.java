package io.preprompt.credits.benchmarks;

import io.preprompt.credits.benchmarks.BenchmarkSuite.Row;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Renders the suite's results as Markdown: library against baseline, cost growth, targets. */
final class Report {
  private Report() {}

  /** A library benchmark and its baseline within one group. */
  private record Pairing(String group, String label, String library, String baseline) {}

  private static final List<Pairing> PAIRINGS = List.of(
      new Pairing("memory-pair-1t", "In-memory hold+settle pair", "pair", "baselinePair"),
      new Pairing(BenchmarkSuite.REFERENCE_GROUP, "In-memory hold+settle pair, on the reference JDK", "pair",
          "baselinePair"),
      new Pairing("memory-pair-2t", "In-memory hold+settle pair", "pair", "baselinePair"),
      new Pairing("memory-gate", "In-memory gate authorize+succeeded", "gatePair", "baselineGatePair"),
      new Pairing("memory-balance", "In-memory balance view", "balance", "baselineBalance"),
      new Pairing("postgresql-pair-1t", "PostgreSQL hold+settle pair", "adapterPair", "sqlPair"),
      new Pairing("postgresql-pair-4t", "PostgreSQL hold+settle pair", "adapterPair", "sqlPair"),
      new Pairing("postgresql-pair-16t", "PostgreSQL hold+settle pair", "adapterPair", "sqlPair"),
      new Pairing("h2-pair-1t", "H2 (embedded) hold+settle pair", "adapterPair", "sqlPair"),
      new Pairing("h2-pair-4t", "H2 (embedded) hold+settle pair", "adapterPair", "sqlPair"));

  private static final String[] HISTORIES = {"10-entries", "10k-entries", "1M-entries", "1k-active-holds"};

  static String table(List<Row> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append("| Measurement | Threads | Library (ops/s) | Baseline (ops/s) | Library / baseline |"
        + " Library alloc (B/op) | Baseline alloc (B/op) |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|\n");
    for (Pairing p : PAIRINGS) {
      Optional<Row> lib = BenchmarkSuite.find(rows, p.group(), p.library(), "");
      Optional<Row> base = BenchmarkSuite.find(rows, p.group(), p.baseline(), "");
      if (lib.isEmpty() || base.isEmpty()) {
        continue;
      }
      sb.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %.2f× | %s | %s |%n", p.label(), lib.get().threads(),
          ops(lib.get()), ops(base.get()), lib.get().score() / base.get().score(), bytes(lib.get().allocPerOp()),
          bytes(base.get().allocPerOp())));
    }
    sb.append("\nCost growth (one thread; the account's history before the run; cost relative to the 10-entry"
        + " account of the same store in the same run):\n\n");
    sb.append("| Store | Account | Pairs/s | Cost per pair vs 10 entries |\n|---|---|---:|---:|\n");
    for (String store : new String[] {"MEMORY", "POSTGRESQL"}) {
      String group = "growth-" + store.toLowerCase(Locale.ROOT);
      Optional<Row> base = BenchmarkSuite.find(rows, group, "pair", "history=10-entries");
      for (String h : HISTORIES) {
        Optional<Row> r = BenchmarkSuite.find(rows, group, "pair", "history=" + h);
        if (r.isPresent() && base.isPresent()) {
          sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %.2f× |%n", store, h, ops(r.get()),
              base.get().score() / r.get().score()));
        }
      }
    }
    sb.append("\nTargets:\n\n| Target | Measured | Met |\n|---|---|---|\n");
    for (int t : new int[] {1, 4, 16}) {
      String group = "postgresql-pair-" + t + "t";
      Optional<Row> lib = BenchmarkSuite.find(rows, group, "adapterPair", "");
      Optional<Row> base = BenchmarkSuite.find(rows, group, "sqlPair", "");
      if (lib.isPresent() && base.isPresent()) {
        double ratio = lib.get().score() / base.get().score();
        target(sb, "PostgreSQL, " + t + " thread" + (t == 1 ? "" : "s") + ": adapter ≥ 0.8× hand-written SQL",
            String.format(Locale.ROOT, "%.2f× (%s vs %s pairs/s)", ratio, ops(lib.get()), ops(base.get())), ratio >= 0.8);
      }
    }
    for (String store : new String[] {"MEMORY", "POSTGRESQL"}) {
      String group = "growth-" + store.toLowerCase(Locale.ROOT);
      Optional<Row> small = BenchmarkSuite.find(rows, group, "pair", "history=10-entries");
      Optional<Row> big = BenchmarkSuite.find(rows, group, "pair", "history=1M-entries");
      if (small.isPresent() && big.isPresent()) {
        double cost = small.get().score() / big.get().score();
        target(sb, "Flat cost (" + store + "): 10^6-entry account ≤ 1.2× the 10-entry account per pair",
            String.format(Locale.ROOT, "%.2f×", cost), cost <= 1.2);
      }
      Optional<Row> holding = BenchmarkSuite.find(rows, group, "pair", "history=1k-active-holds");
      if (small.isPresent() && holding.isPresent()) {
        double cost = small.get().score() / holding.get().score();
        target(sb, "Flat cost (" + store + "): 1,000 active holds ≤ 1.5× the 10-entry account per pair",
            String.format(Locale.ROOT, "%.2f×", cost), cost <= 1.5);
      }
    }
    return sb.toString();
  }

  private static void target(StringBuilder sb, String target, String measured, boolean met) {
    sb.append("| ").append(target).append(" | ").append(measured).append(" | ").append(met ? "yes" : "**no**")
        .append(" |\n");
  }

  private static String ops(Row r) {
    String score = String.format(Locale.ROOT, "%,.0f", r.score());
    return Double.isNaN(r.error()) ? score : score + String.format(Locale.ROOT, " ± %,.0f", r.error());
  }

  private static String bytes(double b) {
    return Double.isNaN(b) ? "–" : String.format(Locale.ROOT, "%,.0f", b);
  }
}
