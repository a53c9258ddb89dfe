package io.preprompt.credits.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.spi.HoldSelection;
import io.preprompt.credits.spi.PlanRecord;
import io.preprompt.credits.spi.ShardedCreditStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The router's configuration, its fixed hash, and how its sweeps merge the stores' answers. */
@DisplayName("ShardedCreditStore")
class ShardedCreditStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @Nested
  @DisplayName("configuration")
  class Configuration {
    @Test
    @DisplayName("a logical shard with no store is INVALID_CONFIGURATION at build")
    void missingShard() {
      ShardedCreditStore.Builder builder = ShardedCreditStore.builder(8).shards(0, 4, new InMemoryCreditStore())
          .shards(5, 8, new InMemoryCreditStore());
      assertThatThrownBy(builder::build).isInstanceOfSatisfying(InvalidRequestException.class,
          e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION)).hasMessageContaining("4");
      assertThatThrownBy(() -> ShardedCreditStore.of(2, Map.of(0, new InMemoryCreditStore())))
          .isInstanceOfSatisfying(InvalidRequestException.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION));
    }

    @Test
    @DisplayName("overlapping ranges, shards out of range and empty ranges are INVALID_CONFIGURATION")
    void overlapping() {
      ShardedCreditStore.Builder builder = ShardedCreditStore.builder(8).shards(0, 5, new InMemoryCreditStore());
      for (Runnable bad : List.<Runnable>of(() -> builder.shards(4, 8, new InMemoryCreditStore()),
          () -> builder.shard(0, new InMemoryCreditStore()), () -> builder.shards(5, 9, new InMemoryCreditStore()),
          () -> builder.shards(-1, 2, new InMemoryCreditStore()), () -> builder.shards(6, 6, new InMemoryCreditStore()),
          () -> ShardedCreditStore.of(2, Map.of(0, new InMemoryCreditStore(), 1, new InMemoryCreditStore(),
              2, new InMemoryCreditStore())),
          () -> ShardedCreditStore.builder(0), () -> ShardedCreditStore.builder(65_537))) {
        assertThatThrownBy(bad::run).isInstanceOfSatisfying(InvalidRequestException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION));
      }
      // The failed calls changed nothing: the remaining range still completes the map.
      assertThat(builder.shards(5, 8, new InMemoryCreditStore()).build().stores()).hasSize(2);
    }

    @Test
    @DisplayName("many logical shards may share one store, which the sweeps then ask once")
    void sharedStores() {
      InMemoryCreditStore a = new InMemoryCreditStore();
      InMemoryCreditStore b = new InMemoryCreditStore();
      ShardedCreditStore router = ShardedCreditStore.builder(256).shards(0, 100, a).shards(100, 256, b).build();
      assertThat(router.stores()).containsExactly(a, b);
      assertThat(router.logicalShards()).isEqualTo(256);
    }
  }

  @Nested
  @DisplayName("the logical shard of an account")
  class Hash {
    @Test
    @DisplayName("is the unsigned 32-bit FNV-1a of the id's UTF-8 bytes modulo the shards, fixed forever")
    void pinned() {
      // Known FNV-1a values; a change here strands every stored account on the wrong shard.
      assertThat(ShardedCreditStore.logicalShardOf(AccountId.of("alice"), 65_536)).isEqualTo(0x872213e7 & 0xFFFF);
      assertThat(ShardedCreditStore.logicalShardOf(AccountId.of("alice"), 256)).isEqualTo(231);
      assertThat(ShardedCreditStore.logicalShardOf(AccountId.of("bob"), 256)).isEqualTo(212);
      assertThat(ShardedCreditStore.logicalShardOf(AccountId.of("carol"), 64)).isEqualTo(18);
      assertThat(ShardedCreditStore.logicalShardOf(AccountId.of("user-42"), 256)).isEqualTo(171);
      assertThat(ShardedCreditStore.logicalShardOf(AccountId.of("user:bob"), 64)).isEqualTo(3);
      assertThat(ShardedCreditStore.logicalShardOf(AccountId.of("alice"), 1)).isZero();
    }

    @Test
    @DisplayName("spreads many accounts over every shard")
    void spreads() {
      int[] counts = new int[64];
      for (int i = 0; i < 64_000; i++) {
        counts[ShardedCreditStore.logicalShardOf(AccountId.of("user-" + i), 64)]++;
      }
      for (int c : counts) {
        assertThat(c).isBetween(800, 1200);
      }
    }
  }

  @Nested
  @DisplayName("sweeps")
  class Sweeps {
    private final List<InMemoryCreditStore> stores = List.of(new InMemoryCreditStore(), new InMemoryCreditStore(),
        new InMemoryCreditStore());
    private final ShardedCreditStore router = router(stores);

    private ShardedCreditStore router(List<? extends CreditStore> on) {
      Map<Integer, CreditStore> map = new HashMap<>();
      for (int s = 0; s < 16; s++) {
        map.put(s, on.get(s % on.size()));
      }
      return ShardedCreditStore.of(16, map);
    }

    /** Accounts, {@code perStore} on each store. */
    private List<List<AccountId>> accounts(int perStore) {
      List<List<AccountId>> on = new ArrayList<>();
      for (int i = 0; i < stores.size(); i++) {
        on.add(new ArrayList<>());
      }
      for (int i = 0; on.stream().anyMatch(l -> l.size() < perStore); i++) {
        AccountId id = AccountId.of("acct-" + i);
        List<AccountId> mine = on.get(stores.indexOf(router.storeOf(id)));
        if (mine.size() < perStore) {
          mine.add(id);
        }
      }
      return on;
    }

    @Test
    @DisplayName("plan renewals: the soonest due of all stores, in order, within the limit")
    void planDueMerged() {
      List<List<AccountId>> on = accounts(4);
      Map<AccountId, Instant> due = new HashMap<>();
      int k = 0;
      // Due times interleave across the stores: store 0 has the 1st, 4th, ...; store 1 the 2nd, 5th, ...
      for (int i = 0; i < 4; i++) {
        for (List<AccountId> mine : on) {
          AccountId id = mine.get(i);
          due.put(id, T0.plusSeconds(++k));
          router.commit(AccountChangeBuilder.create(id, T0).plan(plan()).planDueAt(due.get(id)).build());
        }
      }
      List<AccountId> expected = due.keySet().stream().sorted((a, b) -> due.get(a).compareTo(due.get(b))).toList();
      assertThat(router.findAccountsWithPlanDue(T0.plusSeconds(100), 100)).containsExactlyElementsOf(expected);
      assertThat(router.findAccountsWithPlanDue(T0.plusSeconds(100), 5)).containsExactlyElementsOf(expected.subList(0, 5));
      assertThat(router.findAccountsWithPlanDue(T0.plusSeconds(7), 100)).containsExactlyElementsOf(expected.subList(0, 7));
    }

    @Test
    @DisplayName("expired lots: every store gets its share of the limit, and a small limit rotates over them")
    void expiredLotsFair() {
      List<List<AccountId>> on = accounts(10);
      for (List<AccountId> mine : on) {
        for (AccountId id : mine) {
          router.commit(withLot(id, T0.plusSeconds(1)).build());
        }
      }
      List<AccountId> six = router.findAccountsWithExpiredLots(T0.plusSeconds(2), 6);
      assertThat(six).hasSize(6).doesNotHaveDuplicates();
      for (List<AccountId> mine : on) {
        assertThat(six.stream().filter(mine::contains).count()).isEqualTo(2);
      }
      Set<CreditStore> reached = new HashSet<>();
      for (int i = 0; i < 3; i++) {
        reached.add(router.storeOf(router.findAccountsWithExpiredLots(T0.plusSeconds(2), 1).get(0)));
      }
      assertThat(reached).containsExactlyInAnyOrderElementsOf(stores);
      assertThat(router.findAccountsWithExpiredLots(T0.plusSeconds(2), 1000)).hasSize(30).doesNotHaveDuplicates();
    }

    @Test
    @DisplayName("a copy left on a store that no longer owns the shard is not swept, nor read")
    void staleCopyIgnored() {
      AccountId id = accounts(1).get(0).get(0);
      InMemoryCreditStore owner = stores.get(0);
      InMemoryCreditStore old = stores.get(1);
      old.commit(withLot(id, T0.plusSeconds(1)).plan(plan())
          .planDueAt(T0).build());
      assertThat(router.findAccountsWithExpiredLots(T0.plusSeconds(2), 10)).isEmpty();
      assertThat(router.findAccountsWithPlanDue(T0.plusSeconds(2), 10)).isEmpty();
      assertThat(router.load(id, HoldSelection.allActive())).isEmpty();
      owner.commit(withLot(id, T0.plusSeconds(1)).build());
      assertThat(router.findAccountsWithExpiredLots(T0.plusSeconds(2), 10)).containsExactly(id);
    }
  }

  private static PlanRecord plan() {
    return CreditStoreContract.plan("pro");
  }

  /** A new account with one pack lot of 5 expiring at {@code expiresAt}. */
  private static AccountChangeBuilder withLot(AccountId id, Instant expiresAt) {
    AccountChangeBuilder b = AccountChangeBuilder.create(id, T0);
    b.grant(LotSource.PACK, 5, expiresAt);
    return b;
  }
}
