package io.preprompt.credits.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.plans.BillingEvent;
import io.preprompt.credits.plans.PackOrder;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What the library logs, read back from the file the test logger writes (see
 * {@code simplelogger.properties}): one DEBUG line per committed change, nothing at INFO, no
 * payment reference and no generation metadata.
 */
class LoggingTest {
  private static final Path LOG = Path.of("target/examples-tests.log");

  @Test
  @DisplayName("a month of operations logs one DEBUG line per committed change and nothing at INFO")
  void oneDebugLinePerChange() throws IOException {
    LoggerFactory.getLogger(LoggingTest.class).debug("logging test starts");
    long start = Files.exists(LOG) ? Files.size(LOG) : 0;

    MutableClock clock = MutableClock.at("2026-03-10T09:00:00Z");
    AtomicInteger commits = new AtomicInteger();
    Credits library = Credits.builder().store(new InMemoryCreditStore()).clock(clock)
        .listener(change -> commits.incrementAndGet()).build();
    CreditService credits = library.credits();
    PlanService plans = library.plans();
    AccountId maya = AccountId.of("logging-maya");
    credits.openAccount(maya, IdempotencyKey.of("open"));
    plans.verifyEmail(maya, IdempotencyKey.of("verify"));
    plans.subscribe(maya, "studio", IdempotencyKey.of("subscribe"));
    plans.handle(new BillingEvent.CyclePaid("evt-1", maya, 0));
    PackOrder order = plans.buyPack(maya, "pack_500", IdempotencyKey.of("pack"));
    plans.handle(BillingEvent.PackPaid.of("evt-2", order));
    Hold settled = credits.hold(HoldRequest.of(maya, CreditAmount.of(40), IdempotencyKey.of("h1"))
        .withMetadata("prompt", "a secret storyboard"));
    credits.settle(maya, settled.id(), IdempotencyKey.of("h1-done"));
    Hold released = credits.hold(HoldRequest.of(maya, CreditAmount.of(25), IdempotencyKey.of("h2")));
    credits.release(maya, released.id(), "failed", IdempotencyKey.of("h2-failed"));
    credits.hold(HoldRequest.of(maya, CreditAmount.of(10), IdempotencyKey.of("h3")).withTtl(Duration.ofMinutes(1)));
    credits.settle(maya, settled.id(), IdempotencyKey.of("h1-done"));          // a replay changes nothing
    clock.advance(Duration.ofMinutes(5));
    credits.sweep();                                                         // expires h3
    clock.advance(Duration.ofDays(31));
    plans.renewDue();                                                        // refills cycle 1

    List<String> lines = appendedSince(start).stream().filter(l -> l.contains(maya.value())).toList();
    List<String> changes = lines.stream().filter(l -> l.contains(" committed as version ")).toList();
    assertThat(changes).as("one line per committed change").hasSize(commits.get())
        .allSatisfy(l -> assertThat(l).contains(" DEBUG "));
    assertThat(lines).filteredOn(l -> l.contains(" opened")).hasSize(1);
    assertThat(changes).anySatisfy(l -> assertThat(l).startsWith("[main] DEBUG").contains("hold on account logging-maya")
        .contains("HOLD SIGNUP_GRANT 40"));
    assertThat(changes).anySatisfy(l -> assertThat(l).contains("expire on account").contains("HOLD_EXPIRED"));
    assertThat(changes).anySatisfy(l -> assertThat(l).contains("renew on account").contains("GRANT MONTHLY_ALLOWANCE 1000"));
    assertThat(lines).noneSatisfy(l -> assertThat(l).contains(" INFO "));
    assertThat(lines).noneSatisfy(l -> assertThat(l).contains(order.paymentReference()));
    assertThat(lines).noneSatisfy(l -> assertThat(l).contains("secret storyboard"));
    assertThat(commits.get()).isGreaterThanOrEqualTo(11);
  }

  private static List<String> appendedSince(long start) throws IOException {
    try (RandomAccessFile file = new RandomAccessFile(LOG.toFile(), "r")) {
      byte[] bytes = new byte[(int) (file.length() - start)];
      file.seek(start);
      file.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8).lines().toList();
    }
  }
}
