package io.preprompt.credits.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * How loaded the machine was: the one-minute load average and the kernel's CPU tick counters
 * ({@code /proc/loadavg}, the first line of {@code /proc/stat}), sampled at a group's start and end.
 * Busy is every tick but idle and I/O wait, steal included (time the hypervisor gave to another
 * guest); the benchmark's own work is part of it.
 *
 * @param load1 the one-minute load average, NaN when unreadable
 * @param busy busy ticks since boot
 * @param steal stolen ticks since boot
 * @param total all ticks since boot (0 when unreadable)
 */
record MachineLoad(double load1, long busy, long steal, long total) {

  static MachineLoad sample() {
    try {
      String[] load = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).trim().split("\\s+");
      String cpu = Files.readAllLines(Path.of("/proc/stat"), StandardCharsets.US_ASCII).get(0);
      String[] f = cpu.trim().split("\\s+");
      // cpu user nice system idle iowait irq softirq steal [guest guest_nice: already in user, nice]
      long[] t = new long[8];
      for (int i = 0; i < 8 && i + 1 < f.length; i++) {
        t[i] = Long.parseLong(f[i + 1]);
      }
      long idle = t[3] + t[4];
      long total = t[0] + t[1] + t[2] + t[3] + t[4] + t[5] + t[6] + t[7];
      return new MachineLoad(Double.parseDouble(load[0]), total - idle, t[7], total);
    } catch (IOException | RuntimeException e) {
      return new MachineLoad(Double.NaN, 0, 0, 0);
    }
  }

  /** From this sample to a later one, e.g. "load 1.02 → 3.20, CPU 97 % busy (steal 1 %)". */
  String until(MachineLoad end) {
    long ticks = end.total - total;
    if (ticks <= 0) {
      return String.format(Locale.ROOT, "load %.2f → %.2f", load1, end.load1);
    }
    return String.format(Locale.ROOT, "load %.2f → %.2f, CPU %.0f %% busy (steal %.0f %%)", load1, end.load1,
        100.0 * (end.busy - busy) / ticks, 100.0 * (end.steal - steal) / ticks);
  }

  /** The CPU busy fraction from this sample to a later one, 0 to 1 (NaN when unreadable). */
  double busyUntil(MachineLoad end) {
    long ticks = end.total - total;
    return ticks <= 0 ? Double.NaN : (double) (end.busy - busy) / ticks;
  }
}
