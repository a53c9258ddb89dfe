package io.preprompt.credits.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.core.IdempotencyKey;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("An idempotency record is its key, operation, two texts and time")
class IdempotencyRecordTest {
  private static final IdempotencyKey KEY = IdempotencyKey.of("k1");
  private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  @DisplayName("is a plain value: equal parts make equal records")
  void plainValue() {
    IdempotencyRecord a = new IdempotencyRecord(KEY, "settle", "hold=h_1\n", "settled=5\n", AT);
    IdempotencyRecord b = new IdempotencyRecord(IdempotencyKey.of("k1"), "settle", "hold=h_1\n", "settled=5\n", AT);
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a.key()).isEqualTo(KEY);
    assertThat(a.operation()).isEqualTo("settle");
    assertThat(a.fingerprint()).isEqualTo("hold=h_1\n");
    assertThat(a.result()).isEqualTo("settled=5\n");
    assertThat(a.at()).isEqualTo(AT);
    assertThat(a).isNotEqualTo(new IdempotencyRecord(KEY, "settle", "hold=h_1\n", "settled=6\n", AT));
  }

  @Test
  @DisplayName("refuses a missing part")
  void refusesMissingParts() {
    assertThatThrownBy(() -> new IdempotencyRecord(null, "op", "", "", AT)).isInstanceOf(NullPointerException.class)
        .hasMessage("key");
    assertThatThrownBy(() -> new IdempotencyRecord(KEY, null, "", "", AT)).hasMessage("operation");
    assertThatThrownBy(() -> new IdempotencyRecord(KEY, "op", null, "", AT)).hasMessage("fingerprint");
    assertThatThrownBy(() -> new IdempotencyRecord(KEY, "op", "", null, AT)).hasMessage("result");
    assertThatThrownBy(() -> new IdempotencyRecord(KEY, "op", "", "", null)).hasMessage("at");
  }
}
