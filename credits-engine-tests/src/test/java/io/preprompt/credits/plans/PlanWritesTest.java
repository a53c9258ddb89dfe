package io.preprompt.credits.plans;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.spi.AccountChange;
import io.preprompt.credits.spi.CommitOutcome;
import io.preprompt.credits.testkit.ForwardingCreditStore;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import io.preprompt.credits.testkit.RecordingBillingGateway;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A change says whether it touches the plan, so a store can leave the plan as stored")
class PlanWritesTest {
  private final List<AccountChange> commits = new ArrayList<>();
  private final InMemoryCreditStore stored = new InMemoryCreditStore();
  private final Credits all = Credits.builder().store(new ForwardingCreditStore(stored) {
    @Override
    public CommitOutcome commit(AccountChange change) {
      CommitOutcome outcome = super.commit(change);
      if (outcome == CommitOutcome.COMMITTED) {
        commits.add(change);
      }
      return outcome;
    }
  }).clock(new MutableClock(Instant.parse("2026-03-01T10:00:00Z"))).billing(new RecordingBillingGateway()).build();
  private final CreditService credits = all.credits();
  private final PlanService plans = all.plans();

  @Test
  @DisplayName("opening and subscribing write the plan; holds and settles under it keep the stored plan")
  void onlyPlanCallsWriteThePlan() {
    AccountId ana = AccountId.of("ana");
    credits.openAccount(ana, IdempotencyKey.of("open"));
    assertThat(last().planChanged()).as("a new account").isTrue();

    plans.subscribe(ana, "studio", IdempotencyKey.of("sub"));
    assertThat(last().planChanged()).as("subscribe").isTrue();
    var subscribed = last().account().plan();
    assertThat(subscribed).isNotNull();

    credits.grant(ana, LotSource.PROMOTION, CreditAmount.of(100), null, IdempotencyKey.of("promo"));
    int before = commits.size();
    Hold h = credits.hold(HoldRequest.of(ana, CreditAmount.of(5), IdempotencyKey.of("h1")));
    credits.settle(ana, h.id(), IdempotencyKey.of("s1"));
    assertThat(commits.subList(before, commits.size())).hasSize(2).allSatisfy(c -> {
      assertThat(c.planChanged()).isFalse();
      assertThat(c.account().plan()).isEqualTo(subscribed);
    });

    plans.cancel(ana, IdempotencyKey.of("cancel"));
    assertThat(last().planChanged()).as("cancel").isTrue();
    assertThat(last().account().plan()).isNotEqualTo(subscribed);
  }

  private AccountChange last() {
    return commits.get(commits.size() - 1);
  }
}
