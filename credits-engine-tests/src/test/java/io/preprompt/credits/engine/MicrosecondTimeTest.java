package io.preprompt.credits.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.plans.BillingEvent;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.CommitOutcome;
import io.preprompt.credits.testkit.ForwardingCreditStore;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import io.preprompt.credits.testkit.RecordingBillingGateway;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Core keeps time in whole microseconds (what SQL timestamps hold), truncating toward the past. */
class MicrosecondTimeTest {
  private static final Instant START = Instant.parse("2026-01-15T10:00:00.123456789Z");

  /** Collects every instant of every change core commits. */
  private static final class InstantsSeen extends ForwardingCreditStore {
    final List<Instant> seen = new ArrayList<>();

    InstantsSeen() {
      super(new InMemoryCreditStore());
    }

    @Override
    public CommitOutcome commit(AccountChange change) {
      add(change.account().createdAt());
      add(change.account().planDueAt());
      for (List<Lot> lots : List.of(change.newLots(), change.changedLots())) {
        for (Lot lot : lots) {
          add(lot.grantedAt());
          add(lot.expiresAt());
        }
      }
      for (List<Hold> holds : List.of(change.newHolds(), change.endedHolds())) {
        for (Hold h : holds) {
          add(h.createdAt());
          add(h.deadline());
          add(h.endedAt());
        }
      }
      for (LedgerEntry e : change.entries()) {
        add(e.at());
      }
      if (change.idempotency() != null) {
        add(change.idempotency().at());
      }
      return super.commit(change);
    }

    private synchronized void add(@Nullable Instant instant) {
      if (instant != null) {
        seen.add(instant);
      }
    }
  }

  @Test
  @DisplayName("a clock, ttls, expiries and billing instants with nanoseconds are stored in whole microseconds")
  void everyStoredInstantIsWholeMicroseconds() {
    InstantsSeen store = new InstantsSeen();
    MutableClock clock = new MutableClock(START);
    Credits credits = Credits.builder().store(store).clock(clock).billing(new RecordingBillingGateway()).build();
    AccountId user = AccountId.of("u");
    credits.credits().openAccount(user, IdempotencyKey.of("open"));
    credits.credits().grant(user, LotSource.PROMOTION, CreditAmount.of(100),
        START.plus(Duration.ofHours(1)).plusNanos(999), IdempotencyKey.of("grant"));
    Hold hold = credits.credits().hold(HoldRequest.of(user, CreditAmount.of(10), IdempotencyKey.of("hold"))
        .withTtl(Duration.ofMinutes(5).plusNanos(1_777)));
    assertThat(hold.createdAt()).isEqualTo(Instant.parse("2026-01-15T10:00:00.123456Z"));
    assertThat(hold.deadline()).isEqualTo(Instant.parse("2026-01-15T10:05:00.123457Z"));
    clock.advance(Duration.ofNanos(1_999));
    credits.credits().settle(user, hold.id(), IdempotencyKey.of("settle"));
    credits.plans().subscribe(user, "studio", IdempotencyKey.of("subscribe"));
    credits.plans().handle(new BillingEvent.CyclePaid("evt-0", user, 0));
    credits.plans().handle(new BillingEvent.SubscriptionCancelled("evt-cancel", user,
        clock.instant().plus(Duration.ofDays(3)).plusNanos(5)));
    credits.credits().hold(HoldRequest.of(user, CreditAmount.of(10), IdempotencyKey.of("hold-2"))
        .withTtl(Duration.ofSeconds(1).plusNanos(1)));
    clock.advance(Duration.ofHours(2).plusNanos(3));
    credits.credits().sweep();

    assertThat(store.seen).hasSizeGreaterThan(20)
        .allSatisfy(instant -> assertThat(instant.getNano() % 1_000).as("%s", instant).isZero());
    assertThat(credits.plans().overview(user).cancelAt())
        .isEqualTo(Instant.parse("2026-01-18T10:00:00.123458Z"));
    assertThat(credits.credits().balance(user).asOf().getNano() % 1_000).isZero();
  }
}
