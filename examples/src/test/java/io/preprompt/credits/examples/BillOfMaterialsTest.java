package io.preprompt.credits.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The BOM a host imports stays in step with the build: same version, every published artifact, nothing else. */
class BillOfMaterialsTest {
  private static final Pattern VERSION = Pattern.compile("<artifactId>(credits-parent|credits-bom)</artifactId>\\s*"
      + "<version>([^<]+)</version>");

  @Test
  @DisplayName("credits-bom has the project's version and pins exactly core, testkit, the JDBC adapter, the starter and Stripe")
  void bom_listsThePublishedArtifacts() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    String parent = Files.readString(root.resolve("pom.xml"));
    String bom = Files.readString(root.resolve("credits-bom/pom.xml"));
    assertThat(version(bom)).isEqualTo(version(parent));
    assertThat(bom).doesNotContain("<parent>");
    assertThat(parent).contains("<module>credits-bom</module>");

    List<String> pinned = new ArrayList<>();
    Matcher m = Pattern.compile("<groupId>([^<]+)</groupId>\\s*<artifactId>([^<]+)</artifactId>\\s*"
        + "<version>\\$\\{project.version}</version>").matcher(bom);
    while (m.find()) {
      pinned.add(m.group(1) + ":" + m.group(2));
    }
    assertThat(pinned).containsExactly("io.preprompt.credits:credits-core", "io.preprompt.credits:credits-testkit",
        "io.preprompt.credits:credits-jdbc-adapter", "io.preprompt.credits:credits-spring-boot-starter",
        "io.preprompt.credits:credits-stripe");
    assertThat(bom).doesNotContainIgnoringCase("junit").doesNotContain("h2database").doesNotContain("slf4j");
  }

  private static String version(String pom) {
    Matcher m = VERSION.matcher(pom);
    assertThat(m.find()).as("a version next to the artifactId").isTrue();
    return m.group(2);
  }
}
