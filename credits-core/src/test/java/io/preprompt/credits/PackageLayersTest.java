package io.preprompt.credits;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The packages of core form layers: no package depends, directly or through others, on a package
 * that depends on it (what {@code jdeps} shows as a cycle). Reads every compiled class's constant
 * pool, where every type it uses is named (in class references and in field, method and generic
 * signatures), so it sees at least what {@code jdeps} sees.
 */
@DisplayName("The packages of credits-core")
class PackageLayersTest {
  private static final Pattern TYPE = Pattern.compile("io/preprompt/credits/((?:[a-z]+/)*)[A-Z]");
  private static final Path CLASSES = Path.of("target/classes/io/preprompt/credits");

  @Test
  @DisplayName("form no cycle, and each uses only the layers below it")
  void noCycle() throws IOException {
    Map<String, Set<String>> uses = packageGraph();
    assertThat(uses).containsKeys("", "core", "balance", "ledger", "spi", "plans", "gate", "internal");
    // The layers, lowest first: each package may use only packages of earlier layers.
    List<Set<String>> layers = List.of(Set.of("core"), Set.of("balance"), Set.of("ledger"),
        Set.of("spi", "plans"), Set.of("gate"), Set.of("internal"), Set.of(""));
    for (int i = 0; i < layers.size(); i++) {
      Set<String> below = new TreeSet<>();
      for (int j = 0; j < i; j++) {
        below.addAll(layers.get(j));
      }
      for (String pkg : layers.get(i)) {
        assertThat(uses.get(pkg)).as("packages that %s uses", name(pkg)).isSubsetOf(below);
      }
    }
    assertThat(cycleThrough(uses)).as("a cycle among the packages").isEmpty();
  }

  private static String name(String pkg) {
    return pkg.isEmpty() ? "io.preprompt.credits" : "io.preprompt.credits." + pkg;
  }

  /** The packages each package's classes use, other than itself (relative names, "" for the root). */
  private static Map<String, Set<String>> packageGraph() throws IOException {
    Map<String, Set<String>> uses = new TreeMap<>();
    List<Path> classes;
    try (Stream<Path> files = Files.walk(CLASSES)) {
      classes = files.filter(p -> p.toString().endsWith(".class")).toList();
    }
    assertThat(classes).as("compiled classes under %s", CLASSES.toAbsolutePath()).isNotEmpty();
    for (Path file : classes) {
      String pkg = CLASSES.relativize(file.getParent()).toString().replace('\\', '/').replace('/', '.');
      Set<String> used = uses.computeIfAbsent(pkg, k -> new TreeSet<>());
      for (String utf8 : utf8Constants(file)) {
        Matcher m = TYPE.matcher(utf8);
        while (m.find()) {
          String other = m.group(1).isEmpty() ? "" : m.group(1).substring(0, m.group(1).length() - 1).replace('/', '.');
          if (!other.equals(pkg)) {
            used.add(other);
          }
        }
      }
    }
    return uses;
  }

  /** The UTF-8 strings of a class file's constant pool. */
  private static List<String> utf8Constants(Path file) throws IOException {
    List<String> out = new ArrayList<>();
    try (InputStream raw = Files.newInputStream(file); DataInputStream in = new DataInputStream(raw)) {
      in.readInt();
      in.readUnsignedShort();
      in.readUnsignedShort();
      int count = in.readUnsignedShort();
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1 -> out.add(in.readUTF());
          case 7, 8, 16, 19, 20 -> in.readUnsignedShort();
          case 15 -> {
            in.readUnsignedByte();
            in.readUnsignedShort();
          }
          case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
          case 5, 6 -> {
            in.readLong();
            i++;
          }
          default -> throw new IOException("unknown constant pool tag " + tag + " in " + file);
        }
      }
    }
    return out;
  }

  /** A cycle in the graph, as the packages on it, or an empty list. */
  private static List<String> cycleThrough(Map<String, Set<String>> uses) {
    Map<String, Integer> state = new TreeMap<>();
    for (String start : uses.keySet()) {
      List<String> path = new ArrayList<>();
      if (visit(start, uses, state, path)) {
        return path;
      }
    }
    return List.of();
  }

  private static boolean visit(String pkg, Map<String, Set<String>> uses, Map<String, Integer> state,
      List<String> path) {
    Integer s = state.get(pkg);
    if (s != null) {
      if (s == 1) {
        path.add(name(pkg));
        return true;
      }
      return false;
    }
    state.put(pkg, 1);
    path.add(name(pkg));
    for (String next : uses.getOrDefault(pkg, Set.of())) {
      if (visit(next, uses, state, path)) {
        return true;
      }
    }
    path.remove(path.size() - 1);
    state.put(pkg, 2);
    return false;
  }
}
