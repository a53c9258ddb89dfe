/**
 * The help page as a working web app, on the credits starter and embedded H2.
 * {@link io.preprompt.credits.examples.studio.StudioApp} starts it. A visitor signs up and verifies
 * the email ({@code Accounts}: 200 credits, once), picks a generation and sees its itemized estimate
 * ({@code StudioController}), generates through the gate ({@code Generations}: hold, fake model,
 * settle or release), and watches the balance in the header change without a reload
 * ({@code LiveBalance}: server-sent events pushed by the library's after-commit listener). A blocked
 * generation opens the upgrade modal; {@code BillingController} subscribes, changes tier, buys packs
 * and cancels, with payments simulated behind the library's billing port ({@code SimulatedPayments}).
 */
@NullMarked
package io.preprompt.credits.examples.studio;

import org.jspecify.annotations.NullMarked;
