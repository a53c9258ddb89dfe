package io.preprompt.credits.examples.filestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.StoreException;
import io.preprompt.credits.testkit.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the file store adds to the contract: it is durable, shareable and fails loudly. */
class FileCreditStoreTest {
  private static final AccountId MAYA = AccountId.of("user:maya@example.com");

  @TempDir
  Path directory;

  private final MutableClock clock = MutableClock.at("2026-03-10T09:00:00Z");

  private CreditService service() {
    return CreditService.builder().store(FileCreditStore.open(directory)).clock(clock).build();
  }

  @Test
  @DisplayName("a store reopened over the same directory finds the balance, the live hold and the ledger")
  void reopened_findsEverything() {
    CreditService first = service();
    first.openAccount(MAYA, IdempotencyKey.of("open"));
    first.grant(MAYA, LotSource.PACK, CreditAmount.of(500), null, IdempotencyKey.of("pack"));
    Hold hold = first.hold(HoldRequest.of(MAYA, CreditAmount.of(120), IdempotencyKey.of("clip")));

    CreditService second = service();
    assertThat(second.balance(MAYA).available()).isEqualTo(380);
    assertThat(second.balance(MAYA).held()).isEqualTo(120);
    second.settle(MAYA, hold.id(), CreditAmount.of(100), IdempotencyKey.of("clip-done"));
    assertThat(first.balance(MAYA).available()).isEqualTo(400);
    assertThat(first.reconcile(MAYA).consistent()).isTrue();
  }

  @Test
  @DisplayName("two stores on one directory (two processes, say) lose no update")
  void twoStores_loseNoUpdate() throws Exception {
    CreditService a = service();
    CreditService b = service();
    a.openAccount(MAYA, IdempotencyKey.of("open"));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        CreditService s = i % 2 == 0 ? a : b;
        IdempotencyKey key = IdempotencyKey.of("grant-" + i);
        done.add(pool.submit(() -> s.grant(MAYA, LotSource.PROMOTION, CreditAmount.of(5), null, key)));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(b.balance(MAYA).available()).isEqualTo(200);
    assertThat(a.reconcile(MAYA).consistent()).isTrue();
  }

  @Test
  @DisplayName("an account file that was not written whole is a StoreException, not a wrong balance")
  void corruptFile_isStoreFailure() throws IOException {
    CreditService credits = service();
    credits.openAccount(MAYA, IdempotencyKey.of("open"));
    credits.grant(MAYA, LotSource.PACK, CreditAmount.of(500), null, IdempotencyKey.of("pack"));
    Path file;
    try (Stream<Path> files = Files.list(directory)) {
      file = files.filter(p -> p.toString().endsWith(".account")).findFirst().orElseThrow();
    }
    String content = Files.readString(file);
    Files.writeString(file, content.substring(0, content.length() / 2));

    assertThatThrownBy(() -> credits.balance(MAYA)).isInstanceOf(StoreException.class)
        .satisfies(e -> assertThat(((StoreException) e).code()).isEqualTo(ErrorCode.STORE_FAILURE));
  }
}
