package io.preprompt.credits.benchmarks;

import java.util.Arrays;

/** Order statistics of a handful of samples: the median and the spread the reports give. */
final class Stats {
  private Stats() {}

  /**
   * The {@code q} quantile, linearly interpolated between the closest ranks.
   *
   * @return NaN without samples
   */
  static double quantile(double[] values, double q) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double rank = q * (sorted.length - 1);
    int low = (int) Math.floor(rank);
    int high = (int) Math.ceil(rank);
    return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
  }
}
