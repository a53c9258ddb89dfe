package io.preprompt.credits.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.balance.Allocation;
import io.preprompt.credits.balance.GrantReceipt;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerPage;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.testkit.CreditsScenario;
import io.preprompt.credits.testkit.CreditsScenario.ScenarioAccount;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Label;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.jspecify.annotations.Nullable;

/** Properties of the drawdown order and of ledger paging. */
class LedgerAndDrawdownPropertyTest {

  /** A lot to grant: source, amount, expiry in days (null for never), minutes to wait before granting it. */
  record LotSpec(LotSource source, long amount, @Nullable Integer expiresInDays, int waitMinutes) {}

  @Provide
  Arbitrary<List<LotSpec>> lots() {
    return Combinators.combine(Arbitraries.of(LotSource.class), Arbitraries.longs().between(1, 100),
        Arbitraries.integers().between(1, 3).injectNull(0.3), Arbitraries.integers().between(0, 2))
        .as(LotSpec::new).list().ofMinSize(1).ofMaxSize(8);
  }

  /** The documented order, restated independently of the engine's comparator. */
  record Expected(GrantReceipt receipt) {
    Instant expiry() {
      return receipt.expiresAt() == null ? Instant.MAX : receipt.expiresAt();
    }
  }

  @Property(tries = 300)
  @Label("a hold draws soonest expiry first, free before paid, then oldest, and exhausts each lot before the next")
  void hold_followsDrawdownOrder(@ForAll("lots") List<LotSpec> specs, @ForAll @IntRange(min = 1, max = 100) int percent) {
    CreditsScenario scenario = new CreditsScenario();
    ScenarioAccount account = scenario.account("drawdown");
    Instant start = scenario.now();
    List<Expected> granted = new ArrayList<>();
    long total = 0;
    for (LotSpec spec : specs) {
      scenario.advance(Duration.ofMinutes(spec.waitMinutes()));
      Instant expiry = spec.expiresInDays() == null ? null : start.plus(Duration.ofDays(spec.expiresInDays()));
      granted.add(new Expected(account.grant(spec.source(), spec.amount(), expiry)));
      total += spec.amount();
    }
    long amount = Math.max(1, total * percent / 100);
    granted.sort(Comparator.comparing(Expected::expiry)
        .thenComparing(e -> e.receipt().source().drawdownRank())
        .thenComparing(e -> e.receipt().grantedAt())
        .thenComparing(e -> e.receipt().lot()));
    List<Allocation> expected = new ArrayList<>();
    long left = amount;
    for (Expected e : granted) {
      if (left == 0) {
        break;
      }
      long take = Math.min(left, e.receipt().amount());
      expected.add(new Allocation(e.receipt().lot(), take));
      left -= take;
    }

    Hold hold = account.hold(amount);

    assertThat(hold.allocations()).isEqualTo(expected);
    assertThat(account.available()).isEqualTo(total - amount);
    assertThat(account.balance().lots()).extracting(l -> l.id())
        .containsExactlyElementsOf(granted.stream().map(e -> e.receipt().lot())
            .filter(id -> account.balance().lots().stream().anyMatch(l -> l.id().equals(id))).toList());
  }

  @Property(tries = 200)
  @Label("paging the ledger with any page size yields every entry exactly once, in order")
  void history_anyPageSize_coversLedger(@ForAll @IntRange(min = 1, max = 40) int grants,
      @ForAll @IntRange(min = 1, max = 15) int pageSize) {
    CreditsScenario scenario = new CreditsScenario();
    ScenarioAccount account = scenario.account("pager");
    for (int i = 0; i < grants; i++) {
      account.grant(LotSource.PROMOTION, i + 1);
      if (i % 3 == 0) {
        account.release(account.hold(1));
      }
    }
    List<LedgerEntry> all = account.ledger();
    List<LedgerEntry> paged = new ArrayList<>();
    LedgerQuery query = LedgerQuery.firstPage(pageSize);
    while (query != null) {
      LedgerPage page = scenario.service().history(account.id(), query);
      assertThat(page.entries()).hasSizeLessThanOrEqualTo(pageSize);
      paged.addAll(page.entries());
      query = page.next().orElse(null);
    }
    assertThat(paged).isEqualTo(all);
    for (int i = 0; i < all.size(); i++) {
      assertThat(all.get(i).sequence()).isEqualTo(i + 1);
    }
  }
}
