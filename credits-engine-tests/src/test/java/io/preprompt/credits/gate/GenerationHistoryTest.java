package io.preprompt.credits.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerPage;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Generation history, usage, hold stories and the ledger feed")
class GenerationHistoryTest {
  private final MutableClock clock = MutableClock.at("2026-05-04T12:00:00Z");
  private final InMemoryCreditStore store = new InMemoryCreditStore();
  private final List<long[]> lowSignals = new ArrayList<>();
  private final Credits all = Credits.builder().store(store).clock(clock)
      .gate(GateConfig.defaults().withLowBalanceThreshold(0))
      .lowBalanceListener((account, available, typical, threshold) -> lowSignals.add(new long[] {available, typical}))
      .build();
  private final CreditService credits = all.credits();
  private final PlanService plans = all.plans();
  private final GenerationGate gate = all.gate();
  private final GenerationHistory history = gate.history();
  private final AccountId maya = AccountId.of("maya");
  private final AccountId theo = AccountId.of("theo");
  private final Instant start = clock.instant();
  private int keys;

  private IdempotencyKey key() {
    return IdempotencyKey.of("k" + (++keys));
  }

  private HoldId authorize(AccountId account, GenerationRequest request) {
    Authorization a = gate.authorize(account, request, key());
    assertThat(a).isInstanceOf(Authorization.Authorized.class);
    return ((Authorization.Authorized) a).hold().id();
  }

  @BeforeEach
  void signUp() {
    for (AccountId a : List.of(maya, theo)) {
      credits.openAccount(a, key());
      plans.verifyEmail(a, key());
    }
  }

  @Nested
  @DisplayName("Per-generation cost history")
  class PerGeneration {
    @Test
    @DisplayName("lists each generation with kind, model, estimate, actual cost, outcome and times")
    void everyOutcome() {
      HoldId ok = authorize(maya, GenerationRequest.clip("standard", "720p", 5)); // 25
      clock.advance(Duration.ofSeconds(30));
      gate.succeeded(maya, ok, CreditAmount.of(21), key());
      HoldId failed = authorize(maya, GenerationRequest.image("standard", "720p")); // 8
      gate.failed(maya, failed, "model timeout", key());
      HoldId blocked = authorize(maya, GenerationRequest.voice("standard", 3)); // 2
      gate.blocked(maya, blocked, key());
      HoldId free = authorize(maya, GenerationRequest.music("standard", 10)); // 7
      gate.succeeded(maya, free, CreditAmount.ZERO, key());
      HoldId idle = authorize(maya, GenerationRequest.image("standard", "720p"));
      clock.advance(Duration.ofMinutes(3));
      credits.sweep();
      HoldId pending = authorize(maya, GenerationRequest.image("standard", "720p"));
      Instant end = clock.instant().plusSeconds(1);

      List<GenerationRecord> records = history.generations(maya, start, end);

      assertThat(records).extracting(GenerationRecord::hold).containsExactly(ok, failed, blocked, free, idle, pending);
      GenerationRecord first = records.get(0);
      assertThat(first.kind()).isEqualTo(GenerationKind.VIDEO_CLIP);
      assertThat(first.model()).isEqualTo("standard");
      assertThat(first.estimate()).isEqualTo(25);
      assertThat(first.held()).isEqualTo(25);
      assertThat(first.actual()).isEqualTo(21);
      assertThat(first.outcome()).isEqualTo(GenerationOutcome.SUCCEEDED);
      assertThat(first.startedAt()).isEqualTo(start);
      assertThat(first.ended()).contains(start.plusSeconds(30));
      assertThat(first.rateCardVersion()).isEqualTo("2026-11");
      assertThat(first.chargeDiffersFromEstimate()).isTrue();
      assertThat(records).extracting(GenerationRecord::outcome).containsExactly(GenerationOutcome.SUCCEEDED,
          GenerationOutcome.FAILED, GenerationOutcome.BLOCKED, GenerationOutcome.SUCCEEDED, GenerationOutcome.EXPIRED,
          GenerationOutcome.PENDING);
      assertThat(records).extracting(GenerationRecord::actual).containsExactly(21L, 0L, 0L, 0L, 0L, 0L);
      assertThat(records.get(1).reason()).isEqualTo("model timeout");
      assertThat(records.get(5).ended()).isEmpty();
      // Their costs add up to what the balance lost.
      long charged = records.stream().mapToLong(GenerationRecord::actual).sum();
      assertThat(credits.balance(maya).available() + credits.balance(maya).held() + charged).isEqualTo(200);
    }

    @Test
    @DisplayName("a generation started in the period but finished after it shows how it finished")
    void finishedAfterThePeriod() {
      HoldId late = authorize(maya, GenerationRequest.clip("standard", "720p", 5));
      clock.advance(Duration.ofMinutes(1));
      Instant periodEnd = clock.instant();
      clock.advance(Duration.ofMinutes(1));
      gate.succeeded(maya, late, CreditAmount.of(25), key());
      HoldId afterwards = authorize(maya, GenerationRequest.image("standard", "720p"));

      List<GenerationRecord> records = history.generations(maya, start, periodEnd);

      assertThat(records).singleElement().satisfies(r -> {
        assertThat(r.hold()).isEqualTo(late);
        assertThat(r.outcome()).isEqualTo(GenerationOutcome.SUCCEEDED);
        assertThat(r.actual()).isEqualTo(25);
        assertThat(r.ended()).contains(periodEnd.plus(Duration.ofMinutes(1)));
      });
      assertThat(history.generations(maya, periodEnd, clock.instant().plusNanos(1)))
          .extracting(GenerationRecord::hold).containsExactly(afterwards);
    }

    @Test
    @DisplayName("an overdue hold reads as expired before the sweep, and the same after it")
    void overdueBeforeSweep() {
      HoldId idle = authorize(maya, GenerationRequest.image("standard", "720p"));
      clock.advance(Duration.ofMinutes(5));
      assertThat(history.generations(maya, start, clock.instant())).singleElement()
          .extracting(GenerationRecord::outcome).isEqualTo(GenerationOutcome.EXPIRED);
      credits.sweep();
      assertThat(history.generations(maya, start, clock.instant().plusNanos(1))).singleElement().satisfies(r -> {
        assertThat(r.hold()).isEqualTo(idle);
        assertThat(r.outcome()).isEqualTo(GenerationOutcome.EXPIRED);
      });
    }

    @Test
    @DisplayName("holds placed without the gate are not generations; other accounts' never appear")
    void onlyThisAccountsGenerations() {
      credits.hold(HoldRequest.of(maya, CreditAmount.of(10), key()));
      authorize(theo, GenerationRequest.image("standard", "720p"));
      assertThat(history.generations(maya, start, clock.instant().plusSeconds(1))).isEmpty();
      assertThat(history.generations(theo, start, clock.instant().plusSeconds(1))).hasSize(1);
    }

    @Test
    @DisplayName("a period whose start is after its end is a typed error")
    void badPeriod() {
      assertThatThrownBy(() -> history.generations(maya, start.plusSeconds(1), start))
          .isInstanceOfSatisfying(InvalidRequestException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    }
  }

  @Nested
  @DisplayName("Entries the gate wrote before kinds were data")
  class EarlierEntries {
    @Test
    @DisplayName("a media hold's description is the one it always was, and reads back with its seconds")
    void mediaMetadataUnchanged() {
      HoldId clip = authorize(maya, GenerationRequest.clip("standard", "720p", 5));
      assertThat(gate.hold(maya, clip).orElseThrow().metadata()).containsOnlyKeys("kind", "model", "resolution",
          "seconds", "variants", "reshot", "estimate", "rateCard").containsEntry("kind", "VIDEO_CLIP");
      gate.succeeded(maya, clip, CreditAmount.of(21), key());
      GenerationRecord r = history.generations(maya, start, clock.instant().plusSeconds(1)).get(0);
      assertThat(r.quantities()).containsExactly(Map.entry(PriceDimension.SECONDS, 5L));
      assertThat(r.actualQuantities()).as("settled by amount: no actual usage recorded").isEmpty();
    }

    @Test
    @DisplayName("raw holds whose metadata names a malformed kind count as other credits")
    void malformedKind() {
      HoldId raw = credits.hold(HoldRequest.of(maya, CreditAmount.of(4), key()).withMetadata("kind", "not a kind")
          .withMetadata("model", "x")).id();
      credits.settle(maya, raw, key());
      UsageReport usage = history.usage(maya, start, clock.instant().plusSeconds(1));
      assertThat(usage.otherCredits()).isEqualTo(4);
      assertThat(usage.byModel()).isEmpty();
      assertThat(history.generations(maya, start, clock.instant().plusSeconds(1))).isEmpty();
    }
  }

  @Nested
  @DisplayName("Usage by kind over a period")
  class Usage {
    @Test
    @DisplayName("sums what each kind was charged within the period, counting generations")
    void byKind() {
      HoldId early = authorize(maya, GenerationRequest.image("standard", "720p"));
      gate.succeeded(maya, early, CreditAmount.of(8), key());
      clock.advance(Duration.ofDays(1));
      Instant from = clock.instant();
      // Started before the period, charged in it: counts.
      HoldId straddling = authorize(maya, GenerationRequest.clip("standard", "720p", 5));
      clock.advance(Duration.ofMinutes(1));
      Instant periodStartAfterHold = clock.instant();
      gate.succeeded(maya, straddling, CreditAmount.of(20), key());
      for (int i = 0; i < 3; i++) {
        gate.succeeded(maya, authorize(maya, GenerationRequest.image("standard", "720p")), CreditAmount.of(8), key());
      }
      gate.failed(maya, authorize(maya, GenerationRequest.voice("standard", 3)), "tts down", key());
      gate.succeeded(maya, authorize(maya, GenerationRequest.music("standard", 10)), CreditAmount.ZERO, key());
      HoldId raw = credits.hold(HoldRequest.of(maya, CreditAmount.of(5), key())).id();
      credits.settle(maya, raw, key());
      Instant to = clock.instant().plusSeconds(1);
      clock.advance(Duration.ofDays(1));
      gate.succeeded(maya, authorize(maya, GenerationRequest.image("standard", "720p")), CreditAmount.of(8), key());

      UsageReport usage = history.usage(maya, from, to);

      assertThat(usage.of(GenerationKind.IMAGE)).isEqualTo(new KindUsage(GenerationKind.IMAGE, 24, 3));
      assertThat(usage.of(GenerationKind.VIDEO_CLIP)).isEqualTo(new KindUsage(GenerationKind.VIDEO_CLIP, 20, 1));
      assertThat(usage.of(GenerationKind.VOICE_LINE)).isEqualTo(new KindUsage(GenerationKind.VOICE_LINE, 0, 0));
      assertThat(usage.of(GenerationKind.MUSIC_CUE)).isEqualTo(new KindUsage(GenerationKind.MUSIC_CUE, 0, 1));
      assertThat(usage.otherCredits()).isEqualTo(5);
      assertThat(usage.totalCredits()).isEqualTo(49);
      assertThat(history.usage(maya, periodStartAfterHold, to).of(GenerationKind.VIDEO_CLIP).credits()).isEqualTo(20);
      // The whole time: matches what left the balance.
      UsageReport all = history.usage(maya, start, clock.instant().plusSeconds(1));
      assertThat(all.totalCredits()).isEqualTo(200 - credits.balance(maya).available());
    }

    @Test
    @DisplayName("the month's usage agrees with the plan overview's used-this-cycle")
    void agreesWithOverview() {
      gate.succeeded(maya, authorize(maya, GenerationRequest.clip("standard", "720p", 5)), CreditAmount.of(25), key());
      gate.succeeded(maya, authorize(maya, GenerationRequest.image("standard", "720p")), CreditAmount.of(6), key());
      assertThat(history.usage(maya, start, clock.instant().plusSeconds(1)).totalCredits())
          .isEqualTo(plans.overview(maya).usedThisCycle()).isEqualTo(31);
    }
  }

  @Nested
  @DisplayName("A hold's whole story, for support")
  class Stories {
    @Test
    @DisplayName("tells each state change with time, credits, lots, key and reason")
    void settled() {
      IdempotencyKey authorizeKey = IdempotencyKey.of("gen-42-start");
      Authorization.Authorized a = (Authorization.Authorized) gate.authorize(maya,
          GenerationRequest.clip("standard", "720p", 5), authorizeKey);
      clock.advance(Duration.ofSeconds(40));
      IdempotencyKey settleKey = IdempotencyKey.of("gen-42-done");
      gate.succeeded(maya, a.hold().id(), CreditAmount.of(21), settleKey);

      HoldStory story = history.story(maya, a.hold().id()).orElseThrow();

      assertThat(story.hold().state()).isEqualTo(HoldState.SETTLED);
      assertThat(story.steps()).extracting(HoldStory.Step::type).containsExactly(EntryType.HOLD, EntryType.SETTLE,
          EntryType.RELEASE);
      HoldStory.Step held = story.steps().get(0);
      assertThat(held.at()).isEqualTo(start);
      assertThat(held.credits()).isEqualTo(25);
      assertThat(held.key()).isEqualTo(authorizeKey);
      assertThat(held.metadata()).containsEntry("estimate", "25").containsEntry("kind", "VIDEO_CLIP");
      HoldStory.Step settled = story.steps().get(1);
      assertThat(settled.at()).isEqualTo(start.plusSeconds(40));
      assertThat(settled.credits()).isEqualTo(21);
      assertThat(settled.key()).isEqualTo(settleKey);
      assertThat(settled.metadata()).containsEntry("actual", "21").containsEntry("estimate", "25");
      assertThat(story.steps().get(2).credits()).isEqualTo(4);
      assertThat(story.describe()).hasSize(4);
      story.describe().forEach(line -> System.out.println("story: " + line));
    }

    @Test
    @DisplayName("held credits on an idle node: the story shows the deadline, then the sweep's return with no key")
    void idleNode() {
      HoldId idle = authorize(maya, GenerationRequest.clip("standard", "720p", 5));
      clock.advance(Duration.ofMinutes(16));
      assertThat(history.story(maya, idle).orElseThrow().hold().state()).isEqualTo(HoldState.EXPIRED);
      credits.sweep();
      HoldStory story = history.story(maya, idle).orElseThrow();
      assertThat(story.steps()).extracting(HoldStory.Step::type).containsExactly(EntryType.HOLD,
          EntryType.HOLD_EXPIRED);
      assertThat(story.steps().get(1).key()).isNull();
      assertThat(story.steps().get(1).at()).isAfter(story.hold().deadline());
    }

    @Test
    @DisplayName("a failed generation's story carries its reason")
    void failedReason() {
      HoldId h = authorize(maya, GenerationRequest.image("standard", "720p"));
      gate.failed(maya, h, "GPU node lost", key());
      HoldStory.Step release = history.story(maya, h).orElseThrow().steps().get(1);
      assertThat(release.type()).isEqualTo(EntryType.RELEASE);
      assertThat(release.reason()).isEqualTo("GPU node lost");
      assertThat(release.metadata()).containsEntry("outcome", "failed");
    }

    @Test
    @DisplayName("another account's hold has no story for this account")
    void isolation() {
      HoldId theirs = authorize(theo, GenerationRequest.image("standard", "720p"));
      assertThat(history.story(maya, theirs)).isEmpty();
      assertThat(history.story(theo, theirs)).isPresent();
      assertThat(history.story(maya, HoldId.random())).isEmpty();
    }
  }

  @Nested
  @DisplayName("The durable ledger feed")
  class Feed {
    @Test
    @DisplayName("another process follows entries after a sequence number, in order, without gaps, across restarts")
    void follow() {
      // The follower is another service instance over the same store, as another process would be.
      CreditService follower = CreditService.builder().store(store).clock(clock).build();
      long cursor = 0;
      List<LedgerEntry> seen = new ArrayList<>();
      for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 7; i++) {
          gate.succeeded(maya, authorize(maya, GenerationRequest.voice("standard", 3)), CreditAmount.of(2), key());
        }
        // Poll in small pages until caught up.
        Optional<LedgerQuery> q = Optional.of(LedgerQuery.after(cursor, 4));
        while (q.isPresent()) {
          LedgerPage page = follower.history(maya, q.get());
          seen.addAll(page.entries());
          if (!page.entries().isEmpty()) {
            cursor = page.entries().get(page.entries().size() - 1).sequence();
          }
          q = page.next();
        }
      }
      assertThat(seen).extracting(LedgerEntry::sequence).doesNotHaveDuplicates().isSorted();
      for (int i = 1; i < seen.size(); i++) {
        assertThat(seen.get(i).sequence()).isEqualTo(seen.get(i - 1).sequence() + 1);
      }
      // A restarted follower with the saved cursor sees only what is new.
      long saved = cursor;
      gate.blocked(maya, authorize(maya, GenerationRequest.image("standard", "720p")), key());
      List<LedgerEntry> fresh = CreditService.builder().store(store).clock(clock).build()
          .history(maya, LedgerQuery.after(saved, 100)).entries();
      assertThat(fresh).extracting(LedgerEntry::type).containsExactly(EntryType.HOLD, EntryType.RELEASE);
      assertThat(fresh.get(0).sequence()).isEqualTo(saved + 1);
      // Everything the feed delivered is the ledger: replaying it from the start gives the same entries.
      List<LedgerEntry> all = new ArrayList<>(credits.history(maya, LedgerQuery.firstPage(10_000)).entries());
      int firstSeen = (int) seen.get(0).sequence() - 1;
      assertThat(all.subList(firstSeen, firstSeen + seen.size())).isEqualTo(seen);
    }

    @Test
    @DisplayName("listeners get the new balance after each commit")
    void listeners() {
      List<Long> seenAvailable = new ArrayList<>();
      GenerationGate liveGate = Credits.builder().store(store).clock(clock)
          .listener(change -> seenAvailable.add(change.balance().available())).build().gate();
      Authorization.Authorized a = (Authorization.Authorized) liveGate.authorize(maya,
          GenerationRequest.image("standard", "720p"), key());
      liveGate.succeeded(maya, a.hold().id(), CreditAmount.of(6), key());
      assertThat(seenAvailable).containsExactly(192L, 194L);
    }
  }

  @Nested
  @DisplayName("The low-balance signal")
  class LowBalance {
    @Test
    @DisplayName("compares with the account's typical generation, not with one unusual one")
    void typicalCost() {
      gate.removeCredits(maya, CreditAmount.of(150), "test: spend down to 50", key());
      for (int i = 0; i < 4; i++) {
        gate.succeeded(maya, authorize(maya, GenerationRequest.image("standard", "720p")), CreditAmount.of(8), key()); // 8 each
      }
      // 18 left; one unusual 25-credit clip would not fit, but the typical generation (8) does.
      gate.addCredits(maya, CreditAmount.of(7), "test: top up to 25", key());
      assertThat(credits.balance(maya).available()).isEqualTo(25);
      lowSignals.clear();
      gate.succeeded(maya, authorize(maya, GenerationRequest.clip("standard", "720p", 5)), CreditAmount.of(25), key());
      assertThat(lowSignals).singleElement().satisfies(s -> {
        assertThat(s[0]).isZero();
        assertThat(s[1]).isEqualTo(8);
      });
      gate.addCredits(maya, CreditAmount.of(10), "test: top up to 10", key());
      lowSignals.clear();
      gate.removeCredits(maya, CreditAmount.of(1), "test: down to 9", key());
      assertThat(lowSignals).isEmpty();
      gate.removeCredits(maya, CreditAmount.of(2), "test: down to 7, below the typical 8", key());
      assertThat(lowSignals).singleElement().satisfies(s -> assertThat(s).containsExactly(7, 8));
    }
  }

  @Test
  @DisplayName("ending entries carry the generation's description, so each explains itself")
  void endingEntriesDescribeTheGeneration() {
    HoldId h = authorize(maya, GenerationRequest.image("standard", "720p"));
    gate.succeeded(maya, h, CreditAmount.of(5), key());
    List<LedgerEntry> entries = credits.history(maya, LedgerQuery.firstPage(100)).entries();
    LedgerEntry settle = entries.stream().filter(e -> e.type() == EntryType.SETTLE).findFirst().orElseThrow();
    assertThat(settle.metadata()).containsAllEntriesOf(Map.of("kind", "IMAGE", "model", "standard", "estimate", "8",
        "actual", "5", "outcome", "succeeded"));
  }
}
