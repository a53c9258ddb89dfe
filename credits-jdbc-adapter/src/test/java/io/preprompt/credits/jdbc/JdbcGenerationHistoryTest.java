package io.preprompt.credits.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationHistory;
import io.preprompt.credits.gate.GenerationKind;
import io.preprompt.credits.gate.GenerationOutcome;
import io.preprompt.credits.gate.GenerationRecord;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.gate.HoldStory;
import io.preprompt.credits.gate.ModelRate;
import io.preprompt.credits.gate.PriceDimension;
import io.preprompt.credits.gate.RateCard;
import io.preprompt.credits.gate.TokenPrices;
import io.preprompt.credits.gate.UsageReport;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The gate's history reads through the adapter: times round-trip exactly, so lookups by time find the entries. */
@DisplayName("Generation history over the JDBC adapter")
class JdbcGenerationHistoryTest {
  private int keys;

  private IdempotencyKey key() {
    return IdempotencyKey.of("k" + (++keys));
  }

  @ParameterizedTest
  @EnumSource(Databases.class)
  @DisplayName("generations, usage by kind, a hold's story and the feed read back what the gate wrote")
  void historyRoundTrips(Databases db) {
    // A sub-microsecond clock checks that instants are kept, and round-trip, in whole microseconds.
    MutableClock clock = MutableClock.at("2026-05-04T12:00:00.123456789Z");
    Credits all = Credits.builder().store(db.fresh().store()).clock(clock).build();
    CreditService credits = all.credits();
    PlanService plans = all.plans();
    GenerationGate gate = all.gate();
    GenerationHistory history = gate.history();
    AccountId maya = AccountId.of("maya");
    credits.openAccount(maya, key());
    plans.verifyEmail(maya, key());
    Instant start = Instant.parse("2026-05-04T12:00:00.123456Z");

    HoldId ok = ((Authorization.Authorized) gate.authorize(maya, GenerationRequest.clip("standard", "720p", 5), key()))
        .hold().id();
    clock.advance(Duration.ofMillis(1500).plusNanos(7));
    gate.succeeded(maya, ok, CreditAmount.of(21), key());
    HoldId failed = ((Authorization.Authorized) gate.authorize(maya, GenerationRequest.image("standard", "720p"),
        key())).hold().id();
    gate.failed(maya, failed, "GPU node lost", key());
    HoldId idle = ((Authorization.Authorized) gate.authorize(maya, GenerationRequest.image("standard", "720p"), key()))
        .hold().id();
    clock.advance(Duration.ofMinutes(3));
    credits.sweep();
    Instant end = clock.instant().plusNanos(1);

    assertThat(history.generations(maya, start, end)).extracting(GenerationRecord::outcome)
        .containsExactly(GenerationOutcome.SUCCEEDED, GenerationOutcome.FAILED, GenerationOutcome.EXPIRED);
    assertThat(history.usage(maya, start, end).of(GenerationKind.VIDEO_CLIP).credits()).isEqualTo(21);
    HoldStory story = history.story(maya, ok).orElseThrow();
    assertThat(story.steps()).extracting(HoldStory.Step::type).containsExactly(EntryType.HOLD, EntryType.SETTLE,
        EntryType.RELEASE);
    assertThat(story.steps().get(1).at()).isEqualTo(Instant.parse("2026-05-04T12:00:01.623456Z"));
    assertThat(history.story(maya, idle).orElseThrow().steps()).extracting(HoldStory.Step::type)
        .containsExactly(EntryType.HOLD, EntryType.HOLD_EXPIRED);
    List<LedgerEntry> feed = credits.history(maya, LedgerQuery.after(1, 100)).entries();
    assertThat(feed).isNotEmpty();
    assertThat(feed.get(0).sequence()).isEqualTo(2);
    assertThat(credits.reconcile(maya).consistent()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(Databases.class)
  @DisplayName("a token-priced call's requested and actual quantities read back, beside media entries")
  void tokenCallsRoundTrip(Databases db) {
    MutableClock clock = MutableClock.at("2026-05-04T12:00:00Z");
    GenerationKind chat = GenerationKind.of("CHAT");
    RateCard card = RateCard.defaults().with("2026-11-chat",
        ModelRate.perToken(chat, "standard", TokenPrices.of(150_000, 600_000).withBase(500)));
    Credits all = Credits.builder().store(db.fresh().store()).clock(clock).rateCard(card).build();
    CreditService credits = all.credits();
    GenerationGate gate = all.gate();
    AccountId maya = AccountId.of("maya");
    credits.openAccount(maya, key());
    all.plans().verifyEmail(maya, key());
    Instant start = clock.instant();

    HoldId image = ((Authorization.Authorized) gate.authorize(maya, GenerationRequest.image("standard", "720p"), key()))
        .hold().id();
    gate.succeeded(maya, image, CreditAmount.of(8), key());
    HoldId call = ((Authorization.Authorized) gate.authorize(maya, GenerationRequest.tokens(chat, "standard", 3_000,
        4_000), key())).hold().id();
    clock.advance(Duration.ofSeconds(5));
    gate.succeeded(maya, call, GenerationRequest.tokens(chat, "standard", 3_000, 1_100), key());
    Instant end = clock.instant().plusSeconds(1);

    List<GenerationRecord> generations = gate.history().generations(maya, start, end);
    assertThat(generations).extracting(GenerationRecord::kind).containsExactly(GenerationKind.IMAGE, chat);
    GenerationRecord chatCall = generations.get(1);
    assertThat(chatCall.estimate()).isEqualTo(4);
    assertThat(chatCall.actual()).isEqualTo(2);
    assertThat(chatCall.quantities()).containsEntry(PriceDimension.OUTPUT_TOKENS, 4_000L);
    assertThat(chatCall.actualQuantities()).containsEntry(PriceDimension.OUTPUT_TOKENS, 1_100L);
    UsageReport usage = gate.history().usage(maya, start, end);
    assertThat(usage.of(chat).credits()).isEqualTo(2);
    assertThat(usage.of(GenerationKind.IMAGE).credits()).isEqualTo(8);
    assertThat(usage.of(chat, "standard").quantity(PriceDimension.INPUT_TOKENS)).isEqualTo(3_000);
    assertThat(usage.of(chat, "standard").quantity(PriceDimension.OUTPUT_TOKENS)).isEqualTo(1_100);
    assertThat(credits.history(maya, LedgerQuery.between(start, end, 100)).entries())
        .filteredOn(e -> e.type() == EntryType.SETTLE && "CHAT".equals(e.kind())).isNotEmpty()
        .allSatisfy(e -> assertThat(e.model()).isEqualTo("standard"));
    assertThat(credits.reconcile(maya).consistent()).isTrue();
  }
}
