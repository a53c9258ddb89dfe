/**
 * The engine's implementation. Nothing here is supported API: it is not exported from the module
 * and may change in any release. Start from {@link io.preprompt.credits.CreditService} instead.
 */
@NullMarked
package io.preprompt.credits.internal;

import org.jspecify.annotations.NullMarked;
