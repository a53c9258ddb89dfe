package io.preprompt.credits.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.plans.BillingEvent;
import io.preprompt.credits.plans.PlanChange;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The README's configuration snippet does what its comments say. */
class ConfigurationTest {
  private final MutableClock clock = MutableClock.at("2027-01-05T12:00:00Z");
  private final Configuration.Wired host = Configuration.wire(new InMemoryCreditStore(), clock);
  private final AccountId sam = AccountId.of("sam");
  private int keys;

  private IdempotencyKey key() {
    return IdempotencyKey.of("k" + (++keys));
  }

  @Test
  @DisplayName("signup grants 100; the card prices a 1080p standard image at 6 x 3/2 = 9 credits, a reshot at 5")
  void signupAndPrices() {
    host.credits().openAccount(sam, key());
    assertThat(host.plans().verifyEmail(sam, key()).credits()).isEqualTo(100);
    assertThat(host.gate().rateCard().estimate(GenerationRequest.image("standard", "1080p")).credits()).isEqualTo(9);
    assertThat(host.gate().rateCard().estimate(GenerationRequest.image("standard", "1080p").asReshot()).credits())
        .isEqualTo(5);
    assertThat(host.gate().authorize(sam, GenerationRequest.image("standard", "1080p"), key()))
        .isInstanceOfSatisfying(Authorization.NotInTier.class, n -> assertThat(n.lowestTier().id()).isEqualTo("creator"));
    assertThatThrownBy(() -> host.gate().rateCard().estimate(GenerationRequest.music("standard", 30)))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_MODEL));
  }

  @Test
  @DisplayName("Creator grants 2,500 a month and may buy the 1,000-credit boost; a cancellation waits for the end of the paid cycle")
  void creatorTier() {
    host.credits().openAccount(sam, key());
    host.plans().subscribe(sam, "creator", key());
    host.plans().handle(new BillingEvent.CyclePaid("e1", sam, 0));
    var order = host.plans().buyPack(sam, "boost_1000", key());
    host.plans().handle(BillingEvent.PackPaid.of("e2", order));
    assertThat(host.credits().balance(sam).available()).isEqualTo(3_500);
    assertThat(order.pack().priceMinor()).isEqualTo(900);
    clock.advance(Duration.ofDays(3));
    assertThat(host.plans().tiers().paidTiers()).hasSize(1);
    assertThatThrownBy(() -> host.plans().changePlan(sam, "creator", key()))
        .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    PlanChange none = host.plans().cancel(sam, key());
    assertThat(none.immediate()).isFalse();
  }
}
