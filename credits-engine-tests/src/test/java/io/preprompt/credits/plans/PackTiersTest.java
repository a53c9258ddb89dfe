package io.preprompt.credits.plans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.StateException;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A pack sold only to some tiers: {@link Pack#onlyFor}. */
class PackTiersTest {
  private static final Pack STUDIO_ONLY = Pack.of("big", 2_000, Pack.Price.of(1_900, "EUR")).onlyFor(List.of("studio_plus"));
  private static final Pack ANYONE = Pack.of("small", 500, Pack.Price.of(500, "EUR"));

  private static Credits credits() {
    return Credits.builder().store(new InMemoryCreditStore()).clock(MutableClock.at("2026-03-01T10:00:00Z"))
        .packs(PackCatalog.of(List.of(STUDIO_ONLY, ANYONE))).build();
  }

  private static AccountId subscribed(Credits credits, String id, String tier) {
    AccountId account = AccountId.of(id);
    CreditService service = credits.credits();
    service.openAccount(account, IdempotencyKey.of("open-" + id));
    credits.plans().subscribe(account, tier, IdempotencyKey.of("sub-" + id));
    credits.plans().handle(new BillingEvent.CyclePaid("paid-" + id, account, 0));
    return account;
  }

  @Test
  void aPackNamingTiers_isSoldToThoseTiersOnly_andNothingIsWrittenForOthers() {
    Credits credits = credits();
    AccountId studio = subscribed(credits, "sam", "studio");
    AccountId plus = subscribed(credits, "pia", "studio_plus");
    long before = credits.credits().history(studio, io.preprompt.credits.ledger.LedgerQuery.firstPage(100))
        .entries().size();
    assertThatThrownBy(() -> credits.plans().buyPack(studio, "big", IdempotencyKey.of("buy-sam")))
        .isInstanceOfSatisfying(StateException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.PACK_NOT_FOR_TIER);
          assertThat(e.getMessage()).contains("studio_plus").contains("sam");
        });
    assertThat(credits.credits().history(studio, io.preprompt.credits.ledger.LedgerQuery.firstPage(100))
        .entries()).hasSize((int) before);
    assertThat(credits.plans().buyPack(studio, "small", IdempotencyKey.of("buy-sam-small")).pack()).isEqualTo(ANYONE);
    assertThat(credits.plans().buyPack(plus, "big", IdempotencyKey.of("buy-pia")).pack()).isEqualTo(STUDIO_ONLY);
  }

  @Test
  void aPackNamingAnUnknownTier_isRefusedWhenTheLibraryIsBuilt() {
    Pack typo = Pack.of("big", 2_000, Pack.Price.of(1_900, "EUR")).onlyFor(List.of("studio_pluss"));
    assertThatThrownBy(() -> Credits.builder().store(new InMemoryCreditStore()).packs(PackCatalog.of(List.of(typo)))
        .build())
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> {
          assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
          assertThat(e.getMessage()).contains("studio_pluss");
        });
  }

  @Test
  void onlyFor_refusesNoTierOrABlankOne_andKeepsValueSemantics() {
    Pack pack = Pack.of("big", 2_000, Pack.Price.of(1_900, "EUR"));
    assertThatThrownBy(() -> pack.onlyFor(List.of())).isInstanceOf(InvalidRequestException.class);
    assertThatThrownBy(() -> pack.onlyFor(List.of(" "))).isInstanceOf(InvalidRequestException.class);
    assertThat(pack.tiers()).isEmpty();
    assertThat(pack.availableTo("free")).isTrue();
    Pack restricted = pack.onlyFor(List.of("studio", "studio"));
    assertThat(restricted.tiers()).isEqualTo(Set.of("studio"));
    assertThat(restricted.availableTo("studio_plus")).isFalse();
    assertThat(restricted).isNotEqualTo(pack).isEqualTo(pack.onlyFor(List.of("studio")));
    assertThat(restricted.hashCode()).isEqualTo(pack.onlyFor(List.of("studio")).hashCode());
    assertThat(restricted.toString()).contains("tiers=[studio]");
  }
}
