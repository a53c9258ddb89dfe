package io.preprompt.credits.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class QuickStartTest {
  @Test
  @DisplayName("the README's quick start leaves the user 200 - 8 = 192 credits")
  void quickStart_settlesOneFrame() {
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL("jdbc:h2:mem:quickstart_test;DB_CLOSE_DELAY=-1");
    assertThat(QuickStart.run(dataSource)).isEqualTo(192);
  }
}
