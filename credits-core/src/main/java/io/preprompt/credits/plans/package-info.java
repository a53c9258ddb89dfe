/**
 * Plans and billing: the {@link io.preprompt.credits.plans.TierCatalog}, the signup grant, monthly
 * allowance cycles, packs, plan changes and cancellation. The entry point is
 * {@link io.preprompt.credits.plans.PlanService}; every rule about tiers, packs and cycles lives there
 * (for example "packs need a paid tier" is {@code PlanService#buyPack}):
 *
 * <pre>{@code
 * PlanService plans = credits.plans();
 * plans.subscribe(user, "studio", IdempotencyKey.of("sub-42"));         // asks the gateway to charge
 * plans.handle(new BillingEvent.CyclePaid("evt_1", user, 0));           // webhook: cycle 0 paid, +1,000
 * PackOrder order = plans.buyPack(user, "pack_500", IdempotencyKey.of("order-9"));
 * plans.handle(BillingEvent.PackPaid.of("evt_2", order));               // webhook: the pack is paid, +500
 * }</pre>
 */
@NullMarked
package io.preprompt.credits.plans;

import org.jspecify.annotations.NullMarked;
