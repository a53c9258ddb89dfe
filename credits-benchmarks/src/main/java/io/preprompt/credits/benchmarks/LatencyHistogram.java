package io.preprompt.credits.benchmarks;

/**
 * Latencies in fixed logarithmic buckets, each 2 % wider than the one before (1 ns to about 20 s
 * in 1,200 buckets), so a percentile is read to within 2 % whatever its size. Not thread-safe: each
 * benchmark thread records into its own and they are {@linkplain #add merged} at the end.
 */
final class LatencyHistogram {
  private static final double GROWTH = 1.02;
  private static final double LOG_GROWTH = Math.log(GROWTH);
  private static final int BUCKETS = 1_200;

  private final long[] counts = new long[BUCKETS];
  private long total;

  void record(long nanos) {
    int bucket = nanos <= 1 ? 0 : (int) Math.min(BUCKETS - 1, Math.ceil(Math.log(nanos) / LOG_GROWTH));
    counts[bucket]++;
    total++;
  }

  void add(LatencyHistogram other) {
    for (int i = 0; i < BUCKETS; i++) {
      counts[i] += other.counts[i];
    }
    total += other.total;
  }

  void clear() {
    java.util.Arrays.fill(counts, 0);
    total = 0;
  }

  long count() {
    return total;
  }

  /**
   * The latency at or below which a fraction {@code q} of the samples fall: the upper bound of the
   * bucket holding that sample.
   *
   * @return nanoseconds, or NaN without samples
   */
  double percentile(double q) {
    if (total == 0) {
      return Double.NaN;
    }
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= rank && counts[i] > 0) {
        return Math.pow(GROWTH, i);
      }
    }
    return Math.pow(GROWTH, BUCKETS - 1);
  }
}
