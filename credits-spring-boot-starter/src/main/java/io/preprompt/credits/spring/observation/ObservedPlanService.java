package io.preprompt.credits.spring.observation;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.plans.AccountOverview;
import io.preprompt.credits.plans.AutoTopUp;
import io.preprompt.credits.plans.BillingEvent;
import io.preprompt.credits.plans.BillingOutcome;
import io.preprompt.credits.plans.PackCatalog;
import io.preprompt.credits.plans.PackOrder;
import io.preprompt.credits.plans.PlanChange;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.plans.SignupResult;
import io.preprompt.credits.plans.Tier;
import io.preprompt.credits.plans.TierCatalog;
import io.preprompt.credits.plans.TopUpStatus;

/**
 * A plan service that observes each call it passes on, except the catalogs, which read nothing
 * from the store.
 */
final class ObservedPlanService implements PlanService {
  private final PlanService delegate;
  private final Observations observations;

  ObservedPlanService(PlanService delegate, Observations observations) {
    this.delegate = delegate;
    this.observations = observations;
  }

  @Override
  public TierCatalog tiers() {
    return delegate.tiers();
  }

  @Override
  public PackCatalog packs() {
    return delegate.packs();
  }

  @Override
  public SignupResult verifyEmail(AccountId account, IdempotencyKey key) {
    return observations.observe("verify_email", account, () -> delegate.verifyEmail(account, key));
  }

  @Override
  public PlanChange subscribe(AccountId account, String tierId, IdempotencyKey key) {
    return observations.observe("subscribe", account, () -> delegate.subscribe(account, tierId, key));
  }

  @Override
  public BillingOutcome handle(BillingEvent event) {
    return observations.observe("billing_event", event == null ? null : event.account(), () -> delegate.handle(event));
  }

  @Override
  public int renewDue() {
    return observations.observe("renew_due", null, delegate::renewDue);
  }

  @Override
  public PlanChange changePlan(AccountId account, String tierId, IdempotencyKey key) {
    return observations.observe("change_plan", account, () -> delegate.changePlan(account, tierId, key));
  }

  @Override
  public PlanChange withdrawPendingChange(AccountId account, IdempotencyKey key) {
    return observations.observe("withdraw_pending_change", account,
        () -> delegate.withdrawPendingChange(account, key));
  }

  @Override
  public PlanChange cancel(AccountId account, IdempotencyKey key) {
    return observations.observe("cancel", account, () -> delegate.cancel(account, key));
  }

  @Override
  public PackOrder buyPack(AccountId account, String packId, IdempotencyKey key) {
    return observations.observe("buy_pack", account, () -> delegate.buyPack(account, packId, key));
  }

  @Override
  public long grantPackWithoutPayment(AccountId account, String packId, String reason, IdempotencyKey key) {
    return observations.observe("grant_pack_without_payment", account,
        () -> delegate.grantPackWithoutPayment(account, packId, reason, key));
  }

  @Override
  public TopUpStatus enableAutoTopUp(AccountId account, AutoTopUp setting, IdempotencyKey key) {
    return observations.observe("enable_auto_top_up", account, () -> delegate.enableAutoTopUp(account, setting, key));
  }

  @Override
  public TopUpStatus disableAutoTopUp(AccountId account, IdempotencyKey key) {
    return observations.observe("disable_auto_top_up", account, () -> delegate.disableAutoTopUp(account, key));
  }

  @Override
  public Tier currentTier(AccountId account) {
    return observations.observe("current_tier", account, () -> delegate.currentTier(account));
  }

  @Override
  public boolean mayBuyPacks(AccountId account) {
    return observations.observe("may_buy_packs", account, () -> delegate.mayBuyPacks(account));
  }

  @Override
  public AccountOverview overview(AccountId account) {
    return observations.observe("overview", account, () -> delegate.overview(account));
  }
}
