package io.preprompt.credits.examples;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class QuickStartTest {
  @Test
  @DisplayName("the README's quick start leaves the user 200 - 8 = 192 credits")
  void quickStart_settlesOneFrame() {
    assertThat(QuickStart.run(QuickStart.h2("jdbc:h2:mem:quickstart_test;DB_CLOSE_DELAY=-1"))).isEqualTo(192);
  }
}
