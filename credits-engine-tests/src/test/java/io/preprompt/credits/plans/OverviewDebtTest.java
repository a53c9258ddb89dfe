package io.preprompt.credits.plans;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.OveragePolicy;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The account overview shows the debt and the overage policy in force")
class OverviewDebtTest {
  private static final AccountId CAROL = AccountId.of("carol");

  private final Entitlements basic = Entitlements.builder().resolutions("720p").maxClipSeconds(5).maxVariants(1)
      .models("standard").build();

  private Credits credits(CreditsConfig config) {
    TierCatalog tiers = TierCatalog.builder()
        .tier(Tier.free("free", "Free", basic).withOverage(OveragePolicy.allowDebt(25)))
        .tier(Tier.paid("studio", "Studio", 1_000, basic)).build();
    Credits credits = Credits.builder().store(new InMemoryCreditStore())
        .clock(new MutableClock(java.time.Instant.parse("2026-03-01T10:00:00Z"))).tiers(tiers).config(config)
        .build();
    credits.credits().openAccount(CAROL, IdempotencyKey.of("open"));
    return credits;
  }

  @Test
  @DisplayName("a settle above its hold shows as debt, as usage and with the tier's policy; credits received pay it")
  void debtAndPolicy() {
    Credits credits = credits(CreditsConfig.defaults());
    PlanService plans = credits.plans();
    AccountOverview before = plans.overview(CAROL);
    assertThat(before.debt()).isZero();
    assertThat(before.overagePolicy()).as("the free tier's").isEqualTo(OveragePolicy.allowDebt(25));

    credits.credits().grant(CAROL, LotSource.PACK, CreditAmount.of(10), null, Map.of(), IdempotencyKey.of("g1"));
    Hold hold = credits.credits().hold(HoldRequest.of(CAROL, CreditAmount.of(8), IdempotencyKey.of("h")));
    credits.credits().settle(CAROL, hold.id(), CreditAmount.of(50), IdempotencyKey.of("s"));

    AccountOverview owing = plans.overview(CAROL);
    assertThat(owing.debt()).isEqualTo(25).isEqualTo(owing.balance().debt());
    assertThat(owing.balance().available()).isEqualTo(-25);
    assertThat(owing.usedThisCycle()).as("the hold, the overage from available credits, the debt")
        .isEqualTo(8 + 2 + 25);

    credits.credits().setOveragePolicy(CAROL, OveragePolicy.takeAvailable(), IdempotencyKey.of("p"));
    credits.credits().grant(CAROL, LotSource.PROMOTION, CreditAmount.of(30), null, Map.of(), IdempotencyKey.of("g2"));
    AccountOverview paid = plans.overview(CAROL);
    assertThat(paid.overagePolicy()).as("the account's own").isEqualTo(OveragePolicy.takeAvailable());
    assertThat(paid.debt()).isZero();
    assertThat(paid.balance().available()).isEqualTo(5);
  }

  @Test
  @DisplayName("a tier without a policy of its own shows the configured default")
  void configuredDefault() {
    Credits credits = credits(CreditsConfig.builder().overagePolicy(OveragePolicy.takeAvailable()).build());
    credits.credits().setOveragePolicy(CAROL, OveragePolicy.refuse(), IdempotencyKey.of("p"));
    assertThat(credits.plans().overview(CAROL).overagePolicy()).isEqualTo(OveragePolicy.refuse());

    AccountId dan = AccountId.of("dan");
    credits.credits().openAccount(dan, IdempotencyKey.of("open-dan"));
    credits.plans().subscribe(dan, "studio", IdempotencyKey.of("sub"));
    credits.plans().handle(new BillingEvent.CyclePaid("evt-1", dan, 0));
    AccountOverview studio = credits.plans().overview(dan);
    assertThat(studio.tier().id()).isEqualTo("studio");
    assertThat(studio.overagePolicy()).isEqualTo(OveragePolicy.takeAvailable());
  }
}
