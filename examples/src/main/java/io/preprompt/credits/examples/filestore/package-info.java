/**
 * A storage adapter written the way a host would write one. The entry point is
 * {@link io.preprompt.credits.examples.filestore.FileCreditStore}, a {@link io.preprompt.credits.spi.CreditStore}
 * over a directory of files that passes the testkit's contract suite.
 */
@NullMarked
package io.preprompt.credits.examples.filestore;

import org.jspecify.annotations.NullMarked;
