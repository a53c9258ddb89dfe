package io.preprompt.credits.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.AccountId;
import io.preprompt.credits.CreditAmount;
import io.preprompt.credits.CreditService;
import io.preprompt.credits.HoldId;
import io.preprompt.credits.IdempotencyKey;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.HoldState;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Release;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.AccountSnapshot;
import io.preprompt.credits.spi.CommitOutcome;
import io.preprompt.credits.spi.HoldRef;
import io.preprompt.credits.spi.IdempotencyRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** What the contract suite does not reach: the store's own indexes over long histories. */
class InMemoryCreditStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant FAR_FUTURE = T0.plus(Duration.ofDays(3650));
  private static final AccountId ALICE = AccountId.of("alice");
  private static final AccountId BOB = AccountId.of("bob");

  private final InMemoryCreditStore store = new InMemoryCreditStore();

  private void commit(AccountChange change) {
    assertThat(store.commit(change)).isEqualTo(CommitOutcome.COMMITTED);
  }

  private AccountSnapshot load(AccountId account) {
    return store.load(account).orElseThrow();
  }

  private static HoldId hold(String name) {
    return HoldId.of("h_" + name);
  }

  @Test
  @DisplayName("lets core reuse its committed snapshots: a service's holds and settles read nothing after the first call")
  void reusesSnapshots() {
    java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
    ForwardingCreditStore counting = new ForwardingCreditStore(store) {
      @Override
      public java.util.Optional<AccountSnapshot> load(AccountId account) {
        reads.incrementAndGet();
        return super.load(account);
      }

      @Override
      public io.preprompt.credits.spi.KeyedRead readForCall(AccountId account, IdempotencyKey key) {
        reads.incrementAndGet();
        return super.readForCall(account, key);
      }
    };
    assertThat(store.reusesCommittedSnapshots()).isTrue();
    CreditService credits = CreditService.builder().store(counting).clock(java.time.InstantSource.fixed(T0)).build();
    credits.openAccount(ALICE, IdempotencyKey.of("open"));
    credits.grant(ALICE, LotSource.PACK, CreditAmount.of(1_000), null, IdempotencyKey.of("pack"));
    int before = reads.get();
    for (int i = 0; i < 50; i++) {
      Hold h = credits.hold(HoldRequest.of(ALICE, CreditAmount.of(3), IdempotencyKey.of("h" + i)));
      credits.settle(ALICE, h.id(), IdempotencyKey.of("s" + i));
    }
    assertThat(reads.get() - before).isZero();
    assertThat(credits.balance(ALICE).available()).isEqualTo(1_000 - 150);
    // A resent key is refused by the commit, then read and replayed: nothing is held twice.
    int afterBalance = reads.get();
    Hold first = credits.hold(HoldRequest.of(ALICE, CreditAmount.of(3), IdempotencyKey.of("again")));
    Hold again = credits.hold(HoldRequest.of(ALICE, CreditAmount.of(3), IdempotencyKey.of("again")));
    assertThat(reads.get() - afterBalance).isPositive();
    assertThat(again).isEqualTo(first);
    assertThat(credits.balance(ALICE).held()).isEqualTo(3);
  }

  @Nested
  @DisplayName("holds past their deadline")
  class HoldsPastDeadline {
    @Test
    @DisplayName("holds that ended before their deadline are never found, however many there were")
    void endedHoldsNeverFound() {
      AccountChangeBuilder open = AccountChangeBuilder.create(ALICE, T0);
      open.grant(LotSource.PACK, 1_000_000, null);
      commit(open.build());
      for (int i = 0; i < 500; i++) {
        AccountChangeBuilder place = AccountChangeBuilder.update(load(ALICE), T0.plusSeconds(i));
        place.hold(hold("p" + i), 5, T0.plusSeconds(100 + i));
        commit(place.build());
        AccountChangeBuilder end = AccountChangeBuilder.update(load(ALICE), T0.plusSeconds(i));
        end.end(hold("p" + i), HoldState.SETTLED, 5, null);
        commit(end.build());
      }

      assertThat(store.findHoldsPastDeadline(FAR_FUTURE, 100)).isEmpty();
      // Asked again after the account was filed anew: still nothing, and a later hold is found.
      assertThat(store.findHoldsPastDeadline(FAR_FUTURE, 100)).isEmpty();
      AccountChangeBuilder late = AccountChangeBuilder.update(load(ALICE), T0.plusSeconds(1000));
      late.hold(hold("late"), 5, T0.plusSeconds(2000));
      commit(late.build());
      assertThat(store.findHoldsPastDeadline(T0.plusSeconds(2000), 100)).isEmpty();
      assertThat(store.findHoldsPastDeadline(T0.plusSeconds(2001), 100))
          .containsExactly(new HoldRef(ALICE, hold("late"), T0.plusSeconds(2000)));
    }

    @Test
    @DisplayName("an account filed early for holds that ended does not push out older holds of others")
    void staleFilingRespectsOrderAndLimit() {
      AccountChangeBuilder alice = AccountChangeBuilder.create(ALICE, T0);
      alice.grant(LotSource.PACK, 1000, null);
      alice.hold(hold("a10"), 10, T0.plusSeconds(10));
      alice.hold(hold("a50"), 10, T0.plusSeconds(50));
      commit(alice.build());
      AccountChangeBuilder end = AccountChangeBuilder.update(load(ALICE), T0.plusSeconds(5));
      end.end(hold("a10"), HoldState.RELEASED, 0, null);
      commit(end.build());
      AccountChangeBuilder bob = AccountChangeBuilder.create(BOB, T0);
      bob.grant(LotSource.PACK, 1000, null);
      bob.hold(hold("b20"), 10, T0.plusSeconds(20));
      bob.hold(hold("b60"), 10, T0.plusSeconds(60));
      commit(bob.build());

      assertThat(store.findHoldsPastDeadline(FAR_FUTURE, 1)).extracting(HoldRef::hold).containsExactly(hold("b20"));
      assertThat(store.findHoldsPastDeadline(FAR_FUTURE, 2)).extracting(HoldRef::hold)
          .containsExactly(hold("b20"), hold("a50"));
      assertThat(store.findHoldsPastDeadline(FAR_FUTURE, 10)).extracting(HoldRef::hold)
          .containsExactly(hold("b20"), hold("a50"), hold("b60"));
      assertThat(store.findHoldsPastDeadline(T0.plusSeconds(55), 10)).extracting(HoldRef::hold)
          .containsExactly(hold("b20"), hold("a50"));
      assertThat(store.findHoldsPastDeadline(T0.plusSeconds(15), 10)).isEmpty();
      assertThat(store.findHoldsPastDeadline(FAR_FUTURE, 0)).isEmpty();
    }

    @Test
    @DisplayName("a hold placed earlier than the account's filing is found at its own deadline")
    void earlierHoldRefilesAccount() {
      AccountChangeBuilder alice = AccountChangeBuilder.create(ALICE, T0);
      alice.grant(LotSource.PACK, 1000, null);
      alice.hold(hold("a100"), 10, T0.plusSeconds(100));
      commit(alice.build());
      AccountChangeBuilder early = AccountChangeBuilder.update(load(ALICE), T0.plusSeconds(1));
      early.hold(hold("a30"), 10, T0.plusSeconds(30));
      commit(early.build());

      assertThat(store.findHoldsPastDeadline(T0.plusSeconds(31), 10)).extracting(HoldRef::hold)
          .containsExactly(hold("a30"));
    }
  }

  @Test
  @DisplayName("a ledger across many chunks reads back every entry in order")
  void longLedger() {
    MutableClock clock = new MutableClock(T0);
    CreditService credits = CreditService.builder().store(store).clock(clock).build();
    credits.openAccount(ALICE, IdempotencyKey.of("open"));
    credits.grant(ALICE, LotSource.PACK, CreditAmount.of(1_000_000), null, IdempotencyKey.of("pack"));
    int pairs = 6_000;
    List<HoldId> holds = new ArrayList<>();
    for (int i = 0; i < pairs; i++) {
      Hold h = credits.hold(HoldRequest.of(ALICE, CreditAmount.of(1 + i % 7), IdempotencyKey.of("h" + i)));
      credits.settle(ALICE, h.id(), IdempotencyKey.of("s" + i));
      holds.add(h.id());
    }

    List<LedgerEntry> all = new ArrayList<>();
    credits.forEachEntry(ALICE, LedgerQuery.after(0, 1000), all::add);
    assertThat(all).hasSize(1 + 2 * pairs);
    for (int i = 0; i < all.size(); i++) {
      assertThat(all.get(i).sequence()).isEqualTo(i + 1L);
    }
    for (int i = 0; i < pairs; i++) {
      LedgerEntry held = all.get(1 + 2 * i);
      LedgerEntry settled = all.get(2 + 2 * i);
      assertThat(held.type()).isEqualTo(EntryType.HOLD);
      assertThat(held.amount()).isEqualTo(1 + i % 7);
      assertThat(held.hold()).isEqualTo(holds.get(i));
      assertThat(held.key()).isEqualTo(IdempotencyKey.of("h" + i));
      assertThat(settled.type()).isEqualTo(EntryType.SETTLE);
      assertThat(settled.hold()).isEqualTo(holds.get(i));
    }
    assertThat(store.readLedger(ALICE, LedgerQuery.after(4095, 3))).extracting(LedgerEntry::sequence)
        .containsExactly(4096L, 4097L, 4098L);
    // A replay still finds the first results.
    assertThat(credits.settle(ALICE, holds.get(0), IdempotencyKey.of("s0")).settled()).isEqualTo(1);
    // Plain holds and settles keep no object each: only the open and grant records (texts) are whole.
    assertThat(store.keptWhole(ALICE)).containsExactly(2, 0);
  }

  /** Keeps every committed change's record and entries, to compare with what the store gives back. */
  private static final class Recording extends ForwardingCreditStore {
    final List<IdempotencyRecord> records = new ArrayList<>();
    final List<LedgerEntry> entries = new ArrayList<>();

    Recording(InMemoryCreditStore store) {
      super(store);
    }

    @Override
    public CommitOutcome commit(AccountChange change) {
      CommitOutcome outcome = super.commit(change);
      if (outcome == CommitOutcome.COMMITTED) {
        if (change.idempotency() != null) {
          records.add(change.idempotency());
        }
        entries.addAll(change.entries());
      }
      return outcome;
    }
  }

  @Nested
  @DisplayName("records, holds and entries kept in columns")
  class Columns {
    @Test
    @DisplayName("after thousands of calls of every kind, every record, hold and entry reads back equal and replays")
    void everythingReadsBackEqual() {
      Recording recording = new Recording(store);
      MutableClock clock = new MutableClock(T0);
      CreditService credits = CreditService.builder().store(recording).clock(clock).build();
      credits.openAccount(ALICE, IdempotencyKey.of("open"));
      credits.grant(ALICE, LotSource.PACK, CreditAmount.of(1_000_000_000), null, IdempotencyKey.of("pack"));
      Map<HoldId, Hold> placed = new HashMap<>();
      int calls = 3_000;
      for (int i = 0; i < calls; i++) {
        clock.advance(Duration.ofNanos(1_000_001));
        // Forty amounts (plain holds share one template however many) and metadata (a text each).
        HoldRequest request = HoldRequest.of(ALICE, CreditAmount.of(1 + i % 40), IdempotencyKey.of("h" + i));
        if (i % 11 == 0) {
          request = request.withMetadata("kind", "k" + i);
        }
        Hold h = credits.hold(request);
        placed.put(h.id(), h);
        switch (i % 5) {
          case 0 -> credits.release(ALICE, h.id(), "r" + i, IdempotencyKey.of("e" + i));
          case 1 -> credits.settle(ALICE, h.id(), CreditAmount.of(1), IdempotencyKey.of("e" + i));
          case 2 -> credits.settleAll(ALICE, h.id(), Map.of("cost", "x"), IdempotencyKey.of("e" + i));
          case 3 -> { } // left active
          default -> credits.settle(ALICE, h.id(), IdempotencyKey.of("e" + i));
        }
      }

      assertThat(recording.records).hasSize(2 + calls + calls * 4 / 5);
      for (IdempotencyRecord committed : recording.records) {
        IdempotencyRecord read = store.findIdempotencyRecord(ALICE, committed.key()).orElseThrow();
        assertThat(read).isEqualTo(committed);
        assertThat(read.result()).isEqualTo(committed.result());
        assertThat(read.fingerprint()).isEqualTo(committed.fingerprint());
      }
      List<LedgerEntry> ledger = new ArrayList<>();
      for (List<LedgerEntry> page = store.readLedger(ALICE, LedgerQuery.after(0, 10_000)); !page.isEmpty();
          page = store.readLedger(ALICE, LedgerQuery.after(ledger.size(), 10_000))) {
        ledger.addAll(page);
      }
      assertThat(ledger).isEqualTo(recording.entries);
      assertThat(store.dump(ALICE).get("ledger")).isEqualTo(recording.entries);
      for (Hold h : placed.values()) {
        Hold found = store.findHold(ALICE, h.id()).orElseThrow();
        assertThat(found).usingRecursiveComparison().ignoringFields("state", "settled", "endedAt").isEqualTo(h);
      }
      // Replays return what the first calls returned.
      for (int i = 0; i < calls; i += 7) {
        HoldRequest request = HoldRequest.of(ALICE, CreditAmount.of(1 + i % 40), IdempotencyKey.of("h" + i));
        if (i % 11 == 0) {
          request = request.withMetadata("kind", "k" + i);
        }
        Hold again = credits.hold(request);
        assertThat(placed.get(again.id())).isEqualTo(again);
      }
      // Kept whole: texts (open, grant, releases), settles naming an amount or metadata, and holds with
      // metadata (each its own fingerprint text) once the templates are full; in columns: every plain
      // hold, whatever its amount, and every plain settle. Every hold itself is in columns.
      int[] whole = store.keptWhole(ALICE);
      assertThat(whole[0]).isBetween(2 + 3 * calls / 5, 2 + 3 * calls / 5 + calls / 11 + 1);
      assertThat(whole[1]).isZero();
      assertThat(store.findIdempotencyRecord(ALICE, IdempotencyKey.of("nope"))).isEmpty();
      assertThat(store.findIdempotencyRecord(ALICE, IdempotencyKey.of("h1x"))).isEmpty();
    }

    @Test
    @DisplayName("records the columns cannot hold round-trip whole")
    void recordsKeptWhole() {
      AccountChangeBuilder open = AccountChangeBuilder.create(ALICE, T0);
      open.grant(LotSource.PACK, 1000, null);
      open.idempotency(IdempotencyKey.of("text"), "open", "f", "r");
      commit(open.build());
      // A result of a type the store does not know.
      AccountChangeBuilder odd = AccountChangeBuilder.update(load(ALICE), T0.plusSeconds(1));
      odd.grant(LotSource.PACK, 10, null);
      IdempotencyRecord oddRecord = IdempotencyRecord.deferred(IdempotencyKey.of("odd"), "odd", "f", 42L,
          n -> "n=" + n, T0.plusSeconds(1));
      odd.idempotency(oddRecord);
      commit(odd.build());
      // A hold result that is not the hold the change places, and a settlement at another time.
      AccountChangeBuilder place = AccountChangeBuilder.update(load(ALICE), T0.plusSeconds(2));
      place.hold(hold("a"), 5, T0.plusSeconds(100));
      Hold other = new Hold(hold("zz"), ALICE, 5, HoldState.ACTIVE, T0, T0.plusSeconds(5), 0, null, Map.of(),
          List.of());
      IdempotencyRecord holdRecord = IdempotencyRecord.deferred(IdempotencyKey.of("hold-a"), "hold", "f", other,
          Hold::toString, T0.plusSeconds(2));
      place.idempotency(holdRecord);
      commit(place.build());
      AccountChangeBuilder end = AccountChangeBuilder.update(load(ALICE), T0.plusSeconds(3));
      end.end(hold("a"), HoldState.SETTLED, 5, IdempotencyKey.of("settle-a"));
      Settlement late = new Settlement(ALICE, hold("a"), 5, 0, 0, T0.plusSeconds(9));
      IdempotencyRecord settleRecord = IdempotencyRecord.deferred(IdempotencyKey.of("settle-a"), "settle", "f", late,
          Settlement::toString, T0.plusSeconds(3));
      end.idempotency(settleRecord);
      commit(end.build());

      assertThat(store.findIdempotencyRecord(ALICE, IdempotencyKey.of("text")).orElseThrow())
          .isEqualTo(new IdempotencyRecord(IdempotencyKey.of("text"), "open", "f", "r", T0));
      assertThat(store.findIdempotencyRecord(ALICE, IdempotencyKey.of("odd")).orElseThrow())
          .isEqualTo(oddRecord).extracting(IdempotencyRecord::result).isEqualTo("n=42");
      assertThat(store.findIdempotencyRecord(ALICE, IdempotencyKey.of("hold-a")).orElseThrow()).isEqualTo(holdRecord);
      assertThat(store.findIdempotencyRecord(ALICE, IdempotencyKey.of("settle-a")).orElseThrow())
          .isEqualTo(settleRecord);
      assertThat(store.findHold(ALICE, hold("a")).orElseThrow().state()).isEqualTo(HoldState.SETTLED);
      assertThat(store.keptWhole(ALICE)).containsExactly(4, 0);
    }

    @Test
    @DisplayName("a hold or settle record made like an earlier one is remade from the columns, equal")
    void compactRecordsEqual() {
      AccountChangeBuilder open = AccountChangeBuilder.create(ALICE, T0);
      open.grant(LotSource.PACK, 1000, null);
      commit(open.build());
      List<IdempotencyRecord> committed = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        Instant at = T0.plusSeconds(i).plusNanos(i * 1000 + 1);
        AccountChangeBuilder place = AccountChangeBuilder.update(load(ALICE), at);
        Hold h = place.hold(hold("c" + i), 5, at.plusSeconds(100), i % 2 == 0 ? Map.of() : Map.of("m", "v"),
            IdempotencyKey.of("hold-" + i));
        AccountChange placing = place.build();
        Hold inChange = placing.newHolds().get(0);
        IdempotencyRecord holdRecord = IdempotencyRecord.deferred(IdempotencyKey.of("hold-" + i), "hold", "fp",
            inChange, Hold::toString, at);
        commit(withRecord(placing, holdRecord));
        committed.add(holdRecord);
        assertThat(h.id()).isEqualTo(inChange.id());

        AccountChangeBuilder end = AccountChangeBuilder.update(load(ALICE), at);
        Hold ended = end.end(hold("c" + i), i % 3 == 0 ? HoldState.RELEASED : HoldState.SETTLED,
            i % 3 == 0 ? 0 : 5, IdempotencyKey.of("end-" + i));
        IdempotencyRecord endRecord = i % 3 == 0
            ? IdempotencyRecord.deferred(IdempotencyKey.of("end-" + i), "release", "fr",
                new Release(ALICE, ended.id(), 5, 0, at), Release::toString, at)
            : IdempotencyRecord.deferredFromResult(IdempotencyKey.of("end-" + i), "settle",
                new Settlement(ALICE, ended.id(), 5, 0, 0, at), s -> "hold=" + s.hold(), Settlement::toString, at);
        end.idempotency(endRecord);
        commit(end.build());
        committed.add(endRecord);
      }
      for (IdempotencyRecord r : committed) {
        assertThat(store.findIdempotencyRecord(ALICE, r.key()).orElseThrow()).isEqualTo(r);
      }
      assertThat(store.keptWhole(ALICE)).containsExactly(0, 0);
    }

    private AccountChange withRecord(AccountChange change, IdempotencyRecord record) {
      return new AccountChange(change.expectedVersion(), change.account(), change.newLots(), change.changedLots(),
          change.newHolds(), change.endedHolds(), change.entries(), record, change.lots(), change.activeHolds());
    }

    @Test
    @DisplayName("hold ids of any form and length read back equal, stay distinct, and are found only by their exact text")
    void holdIdForms() {
      List<HoldId> ids = List.of(HoldId.of("h_000000000000000000000000000000ab"), HoldId.of("h_00000000000000ab0000000000000000"),
          HoldId.of("h_ffffffffffffffffffffffffffffffff"), HoldId.of("h_0000000000000000000000000000000A"),
          HoldId.of("h_000000000000000000000000000000ab0"), HoldId.of("h_ab"), HoldId.random());
      AccountChangeBuilder open = AccountChangeBuilder.create(ALICE, T0);
      open.grant(LotSource.PACK, 1_000, null);
      List<Hold> placed = new ArrayList<>();
      for (HoldId id : ids) {
        placed.add(open.hold(id, 5, FAR_FUTURE));
      }
      commit(open.build());
      for (int i = 0; i < ids.size(); i++) {
        assertThat(store.findHold(ALICE, ids.get(i))).contains(placed.get(i));
      }
      assertThat(store.findHold(ALICE, HoldId.of("h_000000000000000000000000000000ac"))).isEmpty();
      assertThat(store.findHold(ALICE, HoldId.of("h_000000000000000000000000000000AB"))).isEmpty();
      assertThat(load(ALICE).activeHolds()).containsExactlyInAnyOrderElementsOf(placed);
      // Ending them rebuilds each id from its columns, equal to the one placed.
      AccountChangeBuilder end = AccountChangeBuilder.update(load(ALICE), T0);
      for (HoldId id : ids) {
        end.end(id, HoldState.RELEASED, 0, null);
      }
      commit(end.build());
      for (HoldId id : ids) {
        assertThat(store.findHold(ALICE, id).orElseThrow().state()).isEqualTo(HoldState.RELEASED);
        assertThat(store.findHold(ALICE, id).orElseThrow().id()).isEqualTo(id);
      }
      assertThat(store.readLedger(ALICE, LedgerQuery.firstPage(100)).stream().map(LedgerEntry::hold)
          .filter(java.util.Objects::nonNull).distinct()).containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    @DisplayName("a refused commit leaves keys, holds and their bytes as they were")
    void refusedCommitsLeaveNoTrace() {
      MutableClock clock = new MutableClock(T0);
      CreditService credits = CreditService.builder().store(store).clock(clock).build();
      credits.openAccount(ALICE, IdempotencyKey.of("open"));
      credits.grant(ALICE, LotSource.PACK, CreditAmount.of(1_000_000), null, IdempotencyKey.of("pack"));
      for (int i = 0; i < 100; i++) {
        Hold h = credits.hold(HoldRequest.of(ALICE, CreditAmount.of(3), IdempotencyKey.of("h" + i)));
        credits.settle(ALICE, h.id(), IdempotencyKey.of("s" + i));
      }
      Hold open = credits.hold(HoldRequest.of(ALICE, CreditAmount.of(3), IdempotencyKey.of("open-hold")));
      Map<String, Object> before = store.dump(ALICE);
      AccountSnapshot snapshot = load(ALICE);

      // A new key and a new hold, refused because the hold it ends ended meanwhile (stale).
      AccountChangeBuilder stale = AccountChangeBuilder.update(snapshot, T0);
      stale.hold(hold("fresh"), 1, T0.plusSeconds(100));
      stale.end(open.id(), HoldState.RELEASED, 0, IdempotencyKey.of("refused-key-long-enough-to-need-bytes"));
      stale.idempotency(IdempotencyKey.of("refused-key-long-enough-to-need-bytes"), "x", "f", "r");
      AccountChange staleChange = stale.build();
      credits.release(ALICE, open.id(), "", IdempotencyKey.of("release-open"));
      Map<String, Object> afterRelease = store.dump(ALICE);
      assertThat(store.commit(staleChange)).isEqualTo(CommitOutcome.CONFLICT);
      assertThat(store.dump(ALICE)).isEqualTo(afterRelease);
      assertThat(afterRelease).isNotEqualTo(before);

      // A taken hold id, after a new key: refused as malformed, nothing kept.
      AccountChangeBuilder taken = AccountChangeBuilder.update(load(ALICE), T0);
      taken.hold(hold("new1"), 1, T0.plusSeconds(100));
      taken.hold(open.id(), 1, T0.plusSeconds(100));
      taken.idempotency(IdempotencyKey.of("taken"), "x", "f", "r");
      assertThatThrownBy(() -> store.commit(taken.build())).isInstanceOf(IllegalArgumentException.class);
      assertThat(store.dump(ALICE)).isEqualTo(afterRelease);
      assertThat(store.findHold(ALICE, hold("new1"))).isEmpty();
      assertThat(store.findIdempotencyRecord(ALICE, IdempotencyKey.of("taken"))).isEmpty();

      // A taken key: refused; the keys and holds made later are still found by their bytes.
      AccountChangeBuilder again = AccountChangeBuilder.update(load(ALICE), T0);
      again.hold(hold("new2"), 1, T0.plusSeconds(100));
      again.idempotency(IdempotencyKey.of("h5"), "x", "f", "r");
      assertThat(store.commit(again.build())).isEqualTo(CommitOutcome.CONFLICT);
      assertThat(store.dump(ALICE)).isEqualTo(afterRelease);
      Hold later = credits.hold(HoldRequest.of(ALICE, CreditAmount.of(3), IdempotencyKey.of("taken")));
      assertThat(store.findHold(ALICE, later.id())).contains(later);
      assertThat(credits.hold(HoldRequest.of(ALICE, CreditAmount.of(3), IdempotencyKey.of("taken")))).isEqualTo(later);
      assertThat(store.findIdempotencyRecord(ALICE, IdempotencyKey.of("h5")).orElseThrow().operation()).isEqualTo("hold");
    }
  }
}
