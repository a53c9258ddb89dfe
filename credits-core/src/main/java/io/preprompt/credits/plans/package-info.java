/**
 * Plans and billing: the {@link io.preprompt.credits.plans.TierCatalog}, the signup grant, monthly
 * allowance cycles, packs, plan changes and cancellation. The entry point is
 * {@link io.preprompt.credits.plans.PlanService}; every rule about tiers, packs and cycles lives there
 * (for example "packs need a paid tier" is {@code PlanService#buyPack}).
 */
@NullMarked
package io.preprompt.credits.plans;

import org.jspecify.annotations.NullMarked;
