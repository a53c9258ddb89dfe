package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("JdbcStoreConfig")
class JdbcStoreConfigTest {
  @Test
  @DisplayName("defaults: PostgreSQL, no schema, prefix credits_")
  void defaults() {
    JdbcStoreConfig config = JdbcStoreConfig.builder().build();
    assertThat(config.dialect()).isEqualTo(JdbcStoreConfig.Dialect.POSTGRESQL);
    assertThat(config.schema()).isEmpty();
    assertThat(config.tablePrefix()).isEqualTo("credits_");
    assertThat(config.table("accounts")).isEqualTo("credits_accounts");
    assertThat(JdbcStoreConfig.builder().schema("billing").tablePrefix("").build().table("lots"))
        .isEqualTo("billing.lots");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Billing", "1abc", "a-b", "a b", "a;drop table x", "a.b", "\"x\"",
      "abcdefghijklmnopqrstuvwxyzabcdefg"})
  @DisplayName("schema names outside the strict pattern are rejected as invalid configuration")
  void badSchema(String schema) {
    assertThatThrownBy(() -> JdbcStoreConfig.builder().schema(schema))
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION));
  }

  @ParameterizedTest
  @ValueSource(strings = {"X_", "credits-", "p;", "p.", "p x"})
  @DisplayName("table prefixes outside the strict pattern are rejected as invalid configuration")
  void badPrefix(String prefix) {
    assertThatThrownBy(() -> JdbcStoreConfig.builder().tablePrefix(prefix))
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION));
  }

  @Test
  @DisplayName("group commit: on by default on PostgreSQL with two writers, off on H2 and when turned off")
  void groupCommit() {
    JdbcStoreConfig defaults = JdbcStoreConfig.builder().build();
    assertThat(defaults.groupCommit()).isTrue();
    assertThat(defaults.groupCommitWriters()).isEqualTo(2);
    assertThat(JdbcStoreConfig.of(JdbcStoreConfig.Dialect.H2).groupCommit()).isFalse();
    JdbcStoreConfig off = JdbcStoreConfig.builder().groupCommit(false).build();
    assertThat(off.groupCommit()).isFalse();
    assertThat(off.groupCommitWriters()).isZero();
    assertThat(off).isNotEqualTo(defaults);
    assertThat(JdbcStoreConfig.builder().groupCommitWriters(4).build().toString()).contains("groupCommitWriters=4");
    assertThat(JdbcStoreConfig.builder().groupCommitWriters(0).build()).isEqualTo(off).hasSameHashCodeAs(off);
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, 65, Integer.MIN_VALUE})
  @DisplayName("a number of group commit writers outside 0 to 64 is rejected as invalid configuration")
  void badWriters(int writers) {
    JdbcStoreConfig.Builder builder = JdbcStoreConfig.builder();
    assertThatThrownBy(() -> builder.groupCommitWriters(writers))
        .isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION));
    assertThat(builder.build().groupCommitWriters()).as("left unchanged").isEqualTo(2);
  }
}
