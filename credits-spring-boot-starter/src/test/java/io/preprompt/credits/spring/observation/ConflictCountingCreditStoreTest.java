package io.preprompt.credits.spring.observation;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.CommitOutcome;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.spi.KeyedRead;
import io.preprompt.credits.testkit.ForwardingCreditStore;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The conflict-counting store")
class ConflictCountingCreditStoreTest {
  private static final AccountId ANA = AccountId.of("ana");

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final MutableClock clock = MutableClock.at("2026-03-01T10:00:00Z");

  @Test
  @DisplayName("counts a commit that came back CONFLICT, which the engine then retried")
  void conflict_isCountedAndRetried() {
    ConflictOnce store = new ConflictOnce(new InMemoryCreditStore());
    CreditService credits = credits(new CreditsMetricsDecorator(meters).store(store));

    credits.openAccount(ANA, IdempotencyKey.of("open"));
    store.conflictNext = true;
    credits.grant(ANA, LotSource.PROMOTION, CreditAmount.of(40), null, IdempotencyKey.of("grant"));

    assertThat(meters.get("credits.conflicts.retried").counter().count()).isEqualTo(1);
    assertThat(credits.balance(ANA).available()).isEqualTo(40);
  }

  @Test
  @DisplayName("passes the store's own readForCall and whenDurable on, not the interface's defaults")
  void defaults_reachTheDelegate() {
    Recording store = new Recording(new InMemoryCreditStore());
    CreditStore counted = new CreditsMetricsDecorator(meters).store(store);

    counted.readForCall(ANA, IdempotencyKey.of("k"), HoldSelection.overdueAt(clock.instant()));
    counted.whenDurable(() -> store.calls.add("action"));

    assertThat(store.calls).containsExactly("readForCall", "whenDurable", "action");
  }

  private CreditService credits(CreditStore store) {
    return Credits.builder().store(store).clock(clock).build().credits();
  }

  /** Answers the next commit with a conflict, without writing it, when asked to. */
  private static final class ConflictOnce extends ForwardingCreditStore {
    volatile boolean conflictNext;

    ConflictOnce(CreditStore delegate) {
      super(delegate);
    }

    @Override
    public CommitOutcome commit(AccountChange change) {
      if (conflictNext) {
        conflictNext = false;
        return CommitOutcome.CONFLICT;
      }
      return super.commit(change);
    }
  }

  /** Records the calls that have a default in the port. */
  private static final class Recording extends ForwardingCreditStore {
    final List<String> calls = new ArrayList<>();

    Recording(CreditStore delegate) {
      super(delegate);
    }

    @Override
    public KeyedRead readForCall(AccountId account, IdempotencyKey key, HoldSelection holds) {
      calls.add("readForCall");
      return super.readForCall(account, key, holds);
    }

    @Override
    public void whenDurable(Runnable action) {
      calls.add("whenDurable");
      super.whenDurable(action);
    }
  }
}
