package io.preprompt.credits.plans;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditsException;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.core.StateException;
import java.time.Instant;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Bad input and wrong state get a typed error with a stable code, and change nothing. */
@DisplayName("Bad input")
class BadInputTest {

  private PlansFixture f;
  private AccountId account;

  @BeforeEach
  void setUp() {
    f = new PlansFixture(Instant.parse("2026-05-31T12:00:00Z"));
    account = f.open("victim");
    f.plans.verifyEmail(account, f.key());
  }

  /** Runs the call, expects the exception and code, and checks that neither the store nor the gateway saw anything. */
  private void rejectsUnchanged(ThrowingCallable call, Class<? extends CreditsException> type, ErrorCode code) {
    Map<String, Object> before = f.store.dump(account);
    int requests = f.gateway.size();
    assertThatThrownBy(call).isInstanceOfSatisfying(type, e -> assertThat(e.code()).isEqualTo(code));
    assertThat(f.store.dump(account)).isEqualTo(before);
    assertThat(f.gateway.size()).isEqualTo(requests);
  }

  @Nested
  @DisplayName("Plan calls")
  class PlanCalls {

    @Test
    @DisplayName("subscribe to an unknown tier: UNKNOWN_TIER")
    void unknownTier() {
      rejectsUnchanged(() -> f.plans.subscribe(account, "studio_max", f.key()), InvalidRequestException.class,
          ErrorCode.UNKNOWN_TIER);
    }

    @Test
    @DisplayName("subscribe to the free tier: INVALID_ARGUMENT")
    void subscribeFree() {
      rejectsUnchanged(() -> f.plans.subscribe(account, "free", f.key()), InvalidRequestException.class,
          ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("buy an unknown pack: UNKNOWN_PACK, even for a subscriber")
    void unknownPack() {
      f.subscribePaid(account, "studio");
      rejectsUnchanged(() -> f.plans.buyPack(account, "pack_1m", f.key()), InvalidRequestException.class,
          ErrorCode.UNKNOWN_PACK);
    }

    @Test
    @DisplayName("a PackPaid for an unknown pack: UNKNOWN_PACK")
    void unknownPackPaid() {
      f.subscribePaid(account, "studio");
      rejectsUnchanged(() -> f.plans.handle(new BillingEvent.PackPaid("e", account, "pack_1m", "ref", 100, "USD")),
          InvalidRequestException.class, ErrorCode.UNKNOWN_PACK);
    }

    @Test
    @DisplayName("subscribe twice: ALREADY_SUBSCRIBED; replaying the first call with its key is fine")
    void subscribeTwice() {
      var key = f.key();
      PlanChange first = f.plans.subscribe(account, "studio", key);
      rejectsUnchanged(() -> f.plans.subscribe(account, "studio_pro", f.key()), StateException.class,
          ErrorCode.ALREADY_SUBSCRIBED);
      Map<String, Object> before = f.store.dump(account);
      assertThat(f.plans.subscribe(account, "studio", key)).isEqualTo(first);
      assertThat(f.store.dump(account)).isEqualTo(before);
    }

    @Test
    @DisplayName("changePlan without a subscription: SUBSCRIPTION_REQUIRED")
    void changeWithoutSubscription() {
      rejectsUnchanged(() -> f.plans.changePlan(account, "studio_pro", f.key()), StateException.class,
          ErrorCode.SUBSCRIPTION_REQUIRED);
    }

    @Test
    @DisplayName("changePlan to an unknown tier: UNKNOWN_TIER")
    void changeToUnknownTier() {
      f.subscribePaid(account, "studio");
      rejectsUnchanged(() -> f.plans.changePlan(account, "gold", f.key()), InvalidRequestException.class,
          ErrorCode.UNKNOWN_TIER);
    }

    @Test
    @DisplayName("cancel or withdraw without a subscription: SUBSCRIPTION_REQUIRED")
    void cancelWithoutSubscription() {
      rejectsUnchanged(() -> f.plans.cancel(account, f.key()), StateException.class, ErrorCode.SUBSCRIPTION_REQUIRED);
      rejectsUnchanged(() -> f.plans.withdrawPendingChange(account, f.key()), StateException.class,
          ErrorCode.SUBSCRIPTION_REQUIRED);
    }

    @Test
    @DisplayName("changePlan after cancelling: SUBSCRIPTION_REQUIRED")
    void changeAfterCancel() {
      f.subscribePaid(account, "studio");
      f.plans.cancel(account, f.key());
      rejectsUnchanged(() -> f.plans.changePlan(account, "studio_pro", f.key()), StateException.class,
          ErrorCode.SUBSCRIPTION_REQUIRED);
    }

    @Test
    @DisplayName("a negative cycle number: INVALID_ARGUMENT")
    void negativeCycle() {
      f.subscribePaid(account, "studio");
      rejectsUnchanged(() -> f.plans.handle(new BillingEvent.CyclePaid("e", account, -1)), InvalidRequestException.class,
          ErrorCode.INVALID_ARGUMENT);
    }
  }

  @Nested
  @DisplayName("Tier catalog")
  class Catalog {

    private final Entitlements basic = Entitlements.builder().resolutions("720p").maxClipSeconds(5)
        .models("standard").build();

    private Tier free() {
      return Tier.free("free", "Free", basic);
    }

    private Tier paid(String id, long allowance) {
      return Tier.paid(id, id, allowance, basic);
    }

    private void invalid(ThrowingCallable build, String message) {
      assertThatThrownBy(build).isInstanceOfSatisfying(InvalidRequestException.class, e -> {
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
        assertThat(e.getMessage()).contains(message);
      });
    }

    @Test
    @DisplayName("rejects duplicate tier ids")
    void duplicateIds() {
      invalid(() -> TierCatalog.builder().tier(free()).tier(paid("studio", 100)).tier(paid("studio", 200)).build(),
          "duplicate tier id 'studio'");
    }

    @Test
    @DisplayName("rejects a negative allowance")
    void negativeAllowance() {
      invalid(() -> paid("studio", -1), "negative monthly allowance");
    }

    @Test
    @DisplayName("rejects a paid tier below a lower paid tier")
    void paidBelowPaid() {
      invalid(() -> TierCatalog.builder().tier(free()).tier(paid("studio", 500)).tier(paid("studio_pro", 400)).build(),
          "smaller allowance");
    }

    @Test
    @DisplayName("rejects a catalog whose first tier is not the free tier")
    void freeNotFirst() {
      invalid(() -> TierCatalog.builder().tier(paid("studio", 100)).tier(free()).build(), "first tier must be the free tier");
    }

    @Test
    @DisplayName("rejects a second free tier")
    void twoFreeTiers() {
      invalid(() -> TierCatalog.builder().tier(free()).tier(paid("studio", 100))
          .tier(Tier.free("free_two", "Free 2", basic)).build(), "only the first tier may be free");
    }

    @Test
    @DisplayName("rejects a catalog without a paid tier")
    void noPaidTier() {
      invalid(() -> TierCatalog.builder().tier(free()).build(), "at least one paid tier");
    }

    @Test
    @DisplayName("rejects packs or rollover on the free tier")
    void freeTierPacks() {
      invalid(() -> free().withRolloverCap(100), "cannot allow packs or rollover");
    }

    @Test
    @DisplayName("accepts the defaults: Free, Studio, Studio Pro, Studio+")
    void defaults() {
      assertThat(TierCatalog.defaults().tiers()).extracting(Tier::name)
          .containsExactly("Free", "Studio", "Studio Pro", "Studio+");
    }
  }
}
