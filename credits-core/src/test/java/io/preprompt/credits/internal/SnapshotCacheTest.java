package io.preprompt.credits.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.spi.AccountRecord;
import io.preprompt.credits.spi.AccountSnapshot;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The engine's cache of committed snapshots")
class SnapshotCacheTest {
  static final Instant T0 = Instant.parse("2026-05-04T12:00:00Z");

  /** The account at this version as a commit left it (what the cache keeps). */
  static AccountSnapshot snapshot(String account, long version) {
    return new AccountSnapshot(new AccountRecord(AccountId.of(account), version, 0, 0, 0, 0, 0, 0, T0, null, null),
        List.of(), List.of(), null);
  }

  @Test
  @DisplayName("keeps the newest version when commits of one account arrive out of order")
  void newestWins() {
    SnapshotCache cache = new SnapshotCache(10);
    AccountSnapshot v3 = snapshot("a", 3);
    cache.committed(v3);
    cache.committed(snapshot("a", 2));
    assertThat(cache.get(AccountId.of("a"))).isSameAs(v3);
    AccountSnapshot v4 = snapshot("a", 4);
    cache.committed(v4);
    assertThat(cache.get(AccountId.of("a"))).isSameAs(v4);
  }

  @Test
  @DisplayName("a call drops only the copy it used; a lost answer drops whatever is kept")
  void drops() {
    SnapshotCache cache = new SnapshotCache(10);
    AccountSnapshot used = snapshot("a", 1);
    AccountSnapshot newer = snapshot("a", 2);
    cache.committed(used);
    cache.committed(newer);
    cache.drop(AccountId.of("a"), used);
    assertThat(cache.get(AccountId.of("a"))).isSameAs(newer);
    cache.drop(AccountId.of("a"), newer);
    assertThat(cache.get(AccountId.of("a"))).isNull();
    cache.committed(newer);
    cache.drop(AccountId.of("a"));
    assertThat(cache.get(AccountId.of("a"))).isNull();
  }

  @Test
  @DisplayName("a call keeps its commit in the slot it read, and a slot forgotten meanwhile keeps nothing")
  void slotOfACall() {
    SnapshotCache cache = new SnapshotCache(4);
    AccountId a = AccountId.of("a");
    assertThat(cache.slot(a)).isNull();
    cache.committed(null, snapshot("a", 1));
    SnapshotCache.Slot slot = cache.slot(a);
    assertThat(SnapshotCache.kept(slot)).isSameAs(cache.get(a));
    AccountSnapshot v2 = snapshot("a", 2);
    cache.committed(slot, v2);
    assertThat(cache.get(a)).isSameAs(v2);
    assertThat(cache.slot(a)).isSameAs(slot);
    // Other accounts push the cache past its capacity, and it forgets a: the call's late commit is lost.
    for (int i = 0; i < 4 && cache.slot(a) != null; i++) {
      cache.committed(snapshot("other-" + i, 1));
    }
    assertThat(cache.slot(a)).isNull();
    cache.committed(slot, snapshot("a", 3));
    assertThat(cache.get(a)).isNull();
  }

  @Test
  @DisplayName("stays bounded: past its capacity it forgets a quarter")
  void bounded() {
    SnapshotCache cache = new SnapshotCache(100);
    for (int i = 0; i < 1_000; i++) {
      cache.committed(snapshot("acct-" + i, 1));
      assertThat(cache.size()).isLessThanOrEqualTo(100);
    }
    assertThat(cache.size()).isGreaterThanOrEqualTo(75);
  }
}
