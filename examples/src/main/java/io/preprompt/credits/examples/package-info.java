/**
 * Runnable walkthroughs. The entry point is {@link io.preprompt.credits.examples.CreditJourney}, the
 * help page's journey on the embedded H2 store ({@code mvn -B -q -pl examples -am compile exec:java});
 * {@link io.preprompt.credits.examples.QuickStart} and {@link io.preprompt.credits.examples.Configuration}
 * hold the README's snippets.
 */
@NullMarked
package io.preprompt.credits.examples;

import org.jspecify.annotations.NullMarked;
