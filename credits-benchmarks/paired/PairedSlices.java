import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs several builds' {@code Slice} loops in one JVM against one PostgreSQL server, one build at
 * a time in short slices (A B B A A B ...), and prints each build's median pairs/s and the median
 * and quartiles of each build's ratio to the first, slice pair by slice pair. A noisy machine's slow
 * drift then hits every build alike. Arguments: threads, slices, slice length in ms, JDBC URL prefix
 * (ending in "/"), then the builds' names: build NAME is loaded from {@code DIR/slice-NAME} (its
 * compiled Slice) and {@code DIR/bench-NAME.jar}, with DIR the system property "dir", and uses the
 * database {@code ab_NAME}. The system property "warm" is each build's warm-up in ms (default 8000).
 */
public final class PairedSlices {
  public static void main(String[] a) throws Exception {
    int threads = Integer.parseInt(a[0]);
    int slices = Integer.parseInt(a[1]);
    long sliceMs = Long.parseLong(a[2]);
    String base = a[3];
    String dir = System.getProperty("dir", ".");
    List<String> names = new ArrayList<>(Arrays.asList(a).subList(4, a.length));
    int n = names.size();
    Method[] resume = new Method[n];
    Method[] pause = new Method[n];
    Method[] pairs = new Method[n];
    for (int i = 0; i < n; i++) {
      String name = names.get(i);
      URL[] urls = {Paths.get(dir, "slice-" + name).toUri().toURL(), Paths.get(dir, "bench-" + name + ".jar").toUri().toURL()};
      ClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
      Class<?> slice = Class.forName("io.preprompt.credits.benchmarks.Slice", true, loader);
      Thread.currentThread().setContextClassLoader(loader);
      slice.getMethod("setup", String.class, int.class).invoke(null, base + "ab_" + name + "?user=postgres", threads);
      resume[i] = slice.getMethod("resume");
      pause[i] = slice.getMethod("pause");
      pairs[i] = slice.getMethod("pairs");
    }
    long warm = Long.getLong("warm", 8000);
    for (int i = 0; i < n; i++) {
      resume[i].invoke(null);
      Thread.sleep(warm);
      pause[i].invoke(null);
    }
    for (int i = 0; i < n; i++) {
      System.out.println("start " + names.get(i) + " " + (long) pairs[i].invoke(null));
    }
    System.out.flush();
    Thread.sleep(1500);
    double[][] rate = new double[n][slices];
    for (int s = 0; s < slices; s++) {
      for (int k = 0; k < n; k++) {
        int i = s % 2 == 0 ? k : n - 1 - k;
        resume[i].invoke(null);
        Thread.sleep(150);
        long p0 = (long) pairs[i].invoke(null);
        long t0 = System.nanoTime();
        Thread.sleep(sliceMs);
        long p1 = (long) pairs[i].invoke(null);
        long t1 = System.nanoTime();
        pause[i].invoke(null);
        rate[i][s] = (p1 - p0) * 1e9 / (t1 - t0);
      }
    }
    StringBuilder out = new StringBuilder("threads=" + threads);
    for (int i = 0; i < n; i++) {
      double[] sorted = rate[i].clone();
      Arrays.sort(sorted);
      out.append(String.format(" %s=%.0f", names.get(i), sorted[slices / 2]));
    }
    for (int i = 1; i < n; i++) {
      double[] q = new double[slices];
      for (int s = 0; s < slices; s++) {
        q[s] = rate[i][s] / rate[0][s];
      }
      Arrays.sort(q);
      out.append(String.format(" | %s/%s median %.3f (IQR %.3f-%.3f)", names.get(i), names.get(0), q[slices / 2],
          q[slices / 4], q[3 * slices / 4]));
    }
    for (int i = 0; i < n; i++) {
      out.append("\ntotal ").append(names.get(i)).append(' ').append((long) pairs[i].invoke(null));
    }
    System.out.println(out);
    System.out.flush();
    Thread.sleep(3000); // paired.sh reads the backends' CPU time now
    System.exit(0);
  }
}
