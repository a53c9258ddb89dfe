/**
 * The generation gate: the {@link io.preprompt.credits.gate.RateCard} cost estimator and the
 * {@link io.preprompt.credits.gate.GenerationGate}, the entry point the app calls around every
 * generation, answering with an {@link io.preprompt.credits.gate.Authorization}.
 */
@NullMarked
package io.preprompt.credits.gate;

import org.jspecify.annotations.NullMarked;
