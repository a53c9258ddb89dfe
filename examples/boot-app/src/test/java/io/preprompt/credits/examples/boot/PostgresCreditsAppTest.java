package io.preprompt.credits.examples.boot;

import io.preprompt.credits.jdbc.PostgresForTests;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The same app and tests on PostgreSQL: a fresh database on the throw-away server the JDBC
 * adapter's tests start (binaries from {@code /usr/lib/postgresql/<version>/bin}).
 */
class PostgresCreditsAppTest extends CreditsAppContract {

  @DynamicPropertySource
  static void postgres(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", () -> Database.URL);
  }

  /** Created once, when the context first reads its URL. */
  private static final class Database {
    static final String URL = PostgresForTests.newDatabase("bootapp");
  }
}
