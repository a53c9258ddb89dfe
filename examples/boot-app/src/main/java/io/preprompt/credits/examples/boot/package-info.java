/**
 * A Spring Boot web app on the credits starter: {@link io.preprompt.credits.examples.boot.CreditsApp}
 * starts it on an embedded H2 database. {@code AccountController} opens accounts and shows balances,
 * estimates, history and plans; {@code GenerationController} runs a generation through the gate
 * (hold, then settle or release) and answers a blocked one with HTTP 402 and its upgrade offer;
 * {@code BillingWebhookController} turns the billing system's signed events into the library's
 * {@code BillingEvent}s. Every library error becomes a {@code ProblemDetail} naming its error code.
 */
@NullMarked
package io.preprompt.credits.examples.boot;

import org.jspecify.annotations.NullMarked;
