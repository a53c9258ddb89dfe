/**
 * The generation gate: the {@link io.preprompt.credits.gate.RateCard} cost estimator and the
 * {@link io.preprompt.credits.gate.GenerationGate}, the entry point the app calls around every
 * generation, answering with an {@link io.preprompt.credits.gate.Authorization}:
 *
 * <pre>{@code
 * GenerationGate gate = credits.gate();
 * GenerationRequest frame = GenerationRequest.image("standard", "720p");
 * Authorization auth = gate.authorize(user, frame, IdempotencyKey.of("gen-1"));
 * if (auth instanceof Authorization.Authorized ok) {                    // the estimate is held
 *   gate.succeeded(user, ok.hold().id(), CreditAmount.of(ok.total()), IdempotencyKey.of("gen-1-done"));
 * }
 * }</pre>
 */
@NullMarked
package io.preprompt.credits.gate;

import org.jspecify.annotations.NullMarked;
