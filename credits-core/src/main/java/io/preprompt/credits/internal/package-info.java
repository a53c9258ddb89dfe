/**
 * The engine and the implementations of the services: {@link io.preprompt.credits.internal.Engine}
 * (behind {@link io.preprompt.credits.CreditService}), {@link io.preprompt.credits.internal.Plans}
 * (the {@link io.preprompt.credits.plans.PlanService}) and {@link io.preprompt.credits.internal.Gate}
 * (the {@link io.preprompt.credits.gate.GenerationGate}); the working copy of an account, the
 * operations, the codecs and the reconciler are not visible outside this package. Nothing here is
 * supported API: it is not exported from the module and may change in any release. Start from
 * {@link io.preprompt.credits.Credits#builder()} instead.
 */
@NullMarked
package io.preprompt.credits.internal;

import org.jspecify.annotations.NullMarked;
