package io.preprompt.credits.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.core.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Keeps the READMEs from rotting: every {@code ```java} block must be, line for line, a region
 * between {@code // tag::name[]} and {@code // end::name[]} in a Java source the build compiles
 * (and a test runs), after removing the region's common indentation.
 */
class ReadmeSnippetsTest {
  private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern TAG = Pattern.compile("^\\s*// tag::([\\w-]+)\\[]\\s*$");
  private static final Pattern END = Pattern.compile("^\\s*// end::([\\w-]+)\\[]\\s*$");
  private static final Pattern JAVADOC_EXAMPLE = Pattern.compile("<pre>\\{@code\\n(.*?)\\n\\s*\\* }</pre>", Pattern.DOTALL);

  private static final Path ROOT = findRoot();

  private static Path findRoot() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !(Files.isRegularFile(p.resolve("README.md")) && Files.isDirectory(p.resolve("credits-core")))) {
      p = p.getParent();
    }
    if (p == null) {
      throw new IllegalStateException("run from inside the project: no README.md next to credits-core above "
          + Path.of("").toAbsolutePath());
    }
    return p;
  }

  @Test
  @DisplayName("every java block of the root README is a tagged region of a compiled source")
  void rootReadme_snippetsComeFromSources() throws IOException {
    assertSnippetsComeFromSources(ROOT.resolve("README.md"), 9);
  }

  @Test
  @DisplayName("every java block of the JDBC adapter's README is a tagged region of a compiled source")
  void jdbcReadme_snippetsComeFromSources() throws IOException {
    assertSnippetsComeFromSources(ROOT.resolve("credits-jdbc-adapter/README.md"), 3);
  }

  @Test
  @DisplayName("every example in the entry points', packages' and module's javadoc is a tagged region of a compiled source")
  void javadocExamples_comeFromSources() throws IOException {
    Map<String, String> regions = taggedRegions();
    for (String source : List.of("io/preprompt/credits/Credits.java", "io/preprompt/credits/CreditService.java",
        "io/preprompt/credits/plans/PlanService.java", "io/preprompt/credits/gate/GenerationGate.java",
        "module-info.java", "io/preprompt/credits/package-info.java", "io/preprompt/credits/balance/package-info.java",
        "io/preprompt/credits/plans/package-info.java", "io/preprompt/credits/gate/package-info.java",
        "io/preprompt/credits/ledger/package-info.java", "io/preprompt/credits/spi/package-info.java")) {
      Path file = ROOT.resolve("credits-core/src/main/java/" + source);
      Matcher m = JAVADOC_EXAMPLE.matcher(Files.readString(file));
      int found = 0;
      while (m.find()) {
        found++;
        String example = normalize(m.group(1).lines().map(l -> l.replaceFirst("^\\s*\\* ?", ""))
            .collect(java.util.stream.Collectors.joining("\n")));
        assertThat(regions.values()).as("%s: this javadoc example is not a tagged region of any source\n%s", source,
            example).contains(example);
      }
      assertThat(found).as("javadoc examples in %s", source).isPositive();
    }
  }

  @Test
  @DisplayName("the README's error table lists every ErrorCode, and nothing else")
  void rootReadme_listsEveryErrorCode() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    List<String> listed = new ArrayList<>();
    Matcher m = Pattern.compile("(?m)^\\| `([A-Z_]+)` \\|").matcher(readme);
    while (m.find()) {
      listed.add(m.group(1));
    }
    assertThat(listed).containsExactly(Stream.of(ErrorCode.values()).map(Enum::name).toArray(String[]::new));
  }

  @Test
  @DisplayName("the README's two commands are there, and CI runs both")
  void twoCommands_inReadmeAndCi() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    String ci = Files.readString(ROOT.resolve(".ci/run"));
    for (String command : List.of("mvn -B -q -pl examples -am compile exec:java", "mvn -B verify")) {
      assertThat(readme).contains("\n    " + command + "\n");
      assertThat(ci).contains("\n" + command + "\n");
    }
  }

  private static void assertSnippetsComeFromSources(Path markdown, int atLeast) throws IOException {
    Map<String, String> regions = taggedRegions();
    List<String> blocks = new ArrayList<>();
    Matcher m = JAVA_BLOCK.matcher(Files.readString(markdown));
    while (m.find()) {
      blocks.add(m.group(1));
    }
    assertThat(blocks).as("java blocks in %s", markdown).hasSizeGreaterThanOrEqualTo(atLeast);
    for (String block : blocks) {
      assertThat(regions.values()).as("%s: this block is not a tagged region of any source (regions: %s)\n%s",
          ROOT.relativize(markdown), regions.keySet(), block).contains(normalize(block));
    }
  }

  /** Every tagged region of every Java source under a module's src, by "file#tag". */
  private static Map<String, String> taggedRegions() throws IOException {
    Map<String, String> regions = new LinkedHashMap<>();
    List<Path> sources;
    try (Stream<Path> files = Files.walk(ROOT)) {
      sources = files.filter(p -> p.toString().endsWith(".java") && ROOT.relativize(p).toString().contains("/src/")
              && !ROOT.relativize(p).toString().contains("/target/"))
          .sorted().toList();
    }
    for (Path source : sources) {
      List<String> lines = readLines(source);
      Map<String, List<String>> open = new LinkedHashMap<>();
      for (String line : lines) {
        Matcher tag = TAG.matcher(line);
        Matcher end = END.matcher(line);
        if (tag.matches()) {
          open.put(tag.group(1), new ArrayList<>());
        } else if (end.matches()) {
          List<String> region = open.remove(end.group(1));
          if (region == null) {
            throw new IllegalStateException(source + ": end::" + end.group(1) + " without its tag");
          }
          regions.put(ROOT.relativize(source) + "#" + end.group(1), normalize(String.join("\n", region)));
        } else {
          open.values().forEach(r -> r.add(line));
        }
      }
      if (!open.isEmpty()) {
        throw new IllegalStateException(source + ": tags never ended: " + open.keySet());
      }
    }
    return regions;
  }

  private static List<String> readLines(Path p) {
    try {
      return Files.readAllLines(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Removes the common indentation and trailing whitespace, and blank lines at either end. */
  static String normalize(String text) {
    List<String> lines = new ArrayList<>(text.lines().map(String::stripTrailing).toList());
    while (!lines.isEmpty() && lines.get(0).isEmpty()) {
      lines.remove(0);
    }
    while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    int indent = lines.stream().filter(l -> !l.isEmpty()).mapToInt(l -> l.length() - l.stripLeading().length())
        .min().orElse(0);
    return String.join("\n", lines.stream().map(l -> l.isEmpty() ? l : l.substring(indent)).toList());
  }
}
