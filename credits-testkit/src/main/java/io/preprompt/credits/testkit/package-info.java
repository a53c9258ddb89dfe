/**
 * Test support for hosts and for storage adapter authors. The entry points are
 * {@link io.preprompt.credits.testkit.CreditsScenario}, for tests that read like the help page (an
 * in-memory store, a controllable clock and a service over them), and
 * {@link io.preprompt.credits.testkit.CreditStoreContract}, the suite every
 * {@link io.preprompt.credits.spi.CreditStore} must pass. The building blocks are public too:
 * {@link io.preprompt.credits.testkit.InMemoryCreditStore}, {@link io.preprompt.credits.testkit.MutableClock},
 * {@link io.preprompt.credits.testkit.RecordingBillingGateway} (records charges, moves no money) and
 * {@link io.preprompt.credits.testkit.AccountChangeBuilder} (hand-built changes for adapter tests).
 */
@NullMarked
package io.preprompt.credits.testkit;

import org.jspecify.annotations.NullMarked;
