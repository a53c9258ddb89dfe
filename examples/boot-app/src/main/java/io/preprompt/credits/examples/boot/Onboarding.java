package io.preprompt.credits.examples.boot;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.plans.SignupResult;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Opens an account and verifies its email, together. */
@Service
class Onboarding {
  private final CreditService credits;
  private final PlanService plans;

  Onboarding(CreditService credits, PlanService plans) {
    this.credits = credits;
    this.plans = plans;
  }

  /**
   * Opens the account and grants the signup credits in one transaction, so an account never exists
   * without its grant. Both calls are keyed per account: calling it again changes nothing.
   *
   * @param account the account
   * @return what happened
   */
  @Transactional
  Json.AccountOpened open(AccountId account) {
    boolean opened = credits.openAccount(account, IdempotencyKey.of("open"));
    SignupResult signup = plans.verifyEmail(account, IdempotencyKey.of("verify-email"));
    return new Json.AccountOpened(account.value(), opened, signup.credits(), signup.detail(),
        credits.balance(account).available());
  }
}
