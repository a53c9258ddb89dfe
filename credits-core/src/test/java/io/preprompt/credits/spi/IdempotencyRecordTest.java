package io.preprompt.credits.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.IdempotencyKey;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class IdempotencyRecordTest {
  private static final IdempotencyKey KEY = IdempotencyKey.of("k1");
  private static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  @DisplayName("a deferred record encodes nothing until asked, then once, and equals the eager one")
  void deferredEncodesOnceWhenAsked() {
    AtomicInteger fingerprints = new AtomicInteger();
    AtomicInteger results = new AtomicInteger();
    Supplier<String> fingerprint = () -> {
      fingerprints.incrementAndGet();
      return "hold=h_1\n";
    };
    Function<Long, String> encoder = n -> {
      results.incrementAndGet();
      return "settled=" + n + "\n";
    };
    IdempotencyRecord deferred = IdempotencyRecord.deferred(KEY, "settle", fingerprint, 5L, encoder, AT);
    assertThat(fingerprints).hasValue(0);
    assertThat(results).hasValue(0);
    assertThat(deferred.key()).isEqualTo(KEY);
    assertThat(deferred.operation()).isEqualTo("settle");
    assertThat(deferred.at()).isEqualTo(AT);

    IdempotencyRecord eager = new IdempotencyRecord(KEY, "settle", "hold=h_1\n", "settled=5\n", AT);
    assertThat(deferred).isEqualTo(eager).hasSameHashCodeAs(eager).hasToString(eager.toString());
    assertThat(deferred.fingerprint()).isEqualTo("hold=h_1\n");
    assertThat(deferred.result()).isEqualTo("settled=5\n");
    assertThat(fingerprints).hasValue(1);
    assertThat(results).hasValue(1);
  }

  @Test
  @DisplayName("a fingerprint made from the result is right whichever text is asked for first")
  void fingerprintFromResult() {
    Function<Long, String> fingerprint = n -> "of=" + n + "\n";
    Function<Long, String> encoder = n -> "settled=" + n + "\n";
    IdempotencyRecord resultFirst = IdempotencyRecord.deferredFromResult(KEY, "settle", 5L, fingerprint, encoder, AT);
    assertThat(resultFirst.result()).isEqualTo("settled=5\n");
    assertThat(resultFirst.fingerprint()).isEqualTo("of=5\n");
    IdempotencyRecord fingerprintFirst =
        IdempotencyRecord.deferredFromResult(KEY, "settle", 5L, fingerprint, encoder, AT);
    assertThat(fingerprintFirst.fingerprint()).isEqualTo("of=5\n");
    assertThat(fingerprintFirst.result()).isEqualTo("settled=5\n");
    assertThat(resultFirst).isEqualTo(fingerprintFirst)
        .isEqualTo(new IdempotencyRecord(KEY, "settle", "of=5\n", "settled=5\n", AT));
  }

  @Test
  @DisplayName("threads reading a fresh record at once all see the same texts")
  void concurrentReaders() throws Exception {
    for (int round = 0; round < 200; round++) {
      IdempotencyRecord r = IdempotencyRecord.deferredFromResult(KEY, "settle", (long) round, n -> "of=" + n,
          n -> "settled=" + n, AT);
      String fingerprint = "of=" + round;
      String result = "settled=" + round;
      java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
      List<Thread> threads = new java.util.ArrayList<>();
      List<Throwable> failures = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
      for (int t = 0; t < 4; t++) {
        boolean resultFirst = t % 2 == 0;
        Thread thread = new Thread(() -> {
          try {
            start.await();
            if (resultFirst) {
              assertThat(r.result()).isEqualTo(result);
            }
            assertThat(r.fingerprint()).isEqualTo(fingerprint);
            assertThat(r.result()).isEqualTo(result);
          } catch (Throwable e) {
            failures.add(e);
          }
        });
        thread.start();
        threads.add(thread);
      }
      start.countDown();
      for (Thread thread : threads) {
        thread.join();
      }
      assertThat(failures).isEmpty();
    }
  }

  @Test
  @DisplayName("records differing in any text are not equal")
  void differentTextsDiffer() {
    IdempotencyRecord a = IdempotencyRecord.deferred(KEY, "hold", "f", 1, n -> "r" + n, AT);
    assertThat(a).isNotEqualTo(new IdempotencyRecord(KEY, "hold", "f", "r2", AT))
        .isNotEqualTo(new IdempotencyRecord(KEY, "hold", "g", "r1", AT))
        .isNotEqualTo(new IdempotencyRecord(KEY, "grant", "f", "r1", AT))
        .isEqualTo(new IdempotencyRecord(KEY, "hold", "f", "r1", AT));
  }

  @Test
  @DisplayName("a String result is encoded at once, never mistaken for its encoding")
  void stringResultEncodedAtOnce() {
    IdempotencyRecord r = IdempotencyRecord.deferred(KEY, "x", "f", "raw", s -> "encoded:" + s, AT);
    assertThat(r.result()).isEqualTo("encoded:raw");
  }

  @Test
  @DisplayName("null fields are refused")
  void nullsRefused() {
    assertThatThrownBy(() -> new IdempotencyRecord(KEY, "x", "f", null, AT)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> IdempotencyRecord.deferred(KEY, "x", "f", 1, null, AT))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> IdempotencyRecord.deferred(null, "x", "f", 1, n -> "", AT))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  @DisplayName("a record remade from a template with another call's key, result and time equals that call's record")
  void remakeFromTemplate() {
    Function<Long, String> encoder = n -> "held=" + n + "\n";
    IdempotencyRecord template = IdempotencyRecord.deferred(KEY, "hold", "amount=5\n", 1L, encoder, AT);
    IdempotencyKey other = IdempotencyKey.of("k2");
    Instant later = AT.plusSeconds(9);
    IdempotencyRecord call = IdempotencyRecord.deferred(other, "hold", "amount=5\n", 2L, encoder, later);

    assertThat(template.madeLike(call)).isTrue();
    assertThat(call.unencodedResult()).isEqualTo(2L);
    IdempotencyRecord remade = template.remake(other, call.unencodedResult(), later);
    assertThat(remade.unencodedResult()).isEqualTo(2L);
    // Comparing encodes both texts.
    assertThat(remade).isEqualTo(call).isEqualTo(new IdempotencyRecord(other, "hold", "amount=5\n", "held=2\n", later));
    assertThat(remade.unencodedResult()).isNull();
  }

  @Test
  @DisplayName("a fingerprint made from the result by one function makes records alike; remade ones fingerprint their own result")
  void remakeFromResultFingerprint() {
    Function<Long, String> fingerprint = n -> "of=" + n + "\n";
    Function<Long, String> encoder = n -> "settled=" + n + "\n";
    IdempotencyRecord template = IdempotencyRecord.deferredFromResult(KEY, "settle", 1L, fingerprint, encoder, AT);
    IdempotencyRecord call = IdempotencyRecord.deferredFromResult(KEY, "settle", 7L, fingerprint, encoder, AT);
    assertThat(template.madeLike(call)).isTrue();
    assertThat(template.remake(KEY, 7L, AT)).isEqualTo(call);
    assertThat(template.remake(KEY, 7L, AT).fingerprint()).isEqualTo("of=7\n");

    // Once a record's own fingerprint is text, it is its own: neither alike nor a template.
    template.fingerprint();
    assertThat(template.madeLike(call)).isFalse();
    assertThatThrownBy(() -> template.remake(KEY, 7L, AT)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  @DisplayName("records differing in operation, fingerprint, encoder or kind are not alike; text records are never templates")
  void notAlike() {
    Function<Long, String> encoder = n -> "held=" + n + "\n";
    Function<Long, String> otherEncoder = n -> "held=" + n + "\n";
    IdempotencyRecord base = IdempotencyRecord.deferred(KEY, "hold", "amount=5\n", 1L, encoder, AT);
    assertThat(base.madeLike(IdempotencyRecord.deferred(KEY, "grant", "amount=5\n", 1L, encoder, AT))).isFalse();
    assertThat(base.madeLike(IdempotencyRecord.deferred(KEY, "hold", "amount=6\n", 1L, encoder, AT))).isFalse();
    assertThat(base.madeLike(IdempotencyRecord.deferred(KEY, "hold", "amount=5\n", 1L, otherEncoder, AT))).isFalse();
    IdempotencyRecord ownParameters = IdempotencyRecord.deferred(KEY, "hold", () -> "amount=5\n", 1L, encoder, AT);
    assertThat(base.madeLike(ownParameters)).isFalse();
    assertThat(ownParameters.madeLike(ownParameters)).isFalse();
    assertThatThrownBy(() -> ownParameters.remake(KEY, 1L, AT)).isInstanceOf(IllegalStateException.class);
    IdempotencyRecord text = new IdempotencyRecord(KEY, "hold", "amount=5\n", "held=1\n", AT);
    assertThat(text.unencodedResult()).isNull();
    assertThat(text.madeLike(text)).isFalse();
    assertThatThrownBy(() -> text.remake(KEY, 1L, AT)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> base.remake(KEY, "held=1\n", AT)).isInstanceOf(IllegalArgumentException.class);
  }
}
