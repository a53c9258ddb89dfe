/**
 * The JDBC adapter's setups as the READMEs show them. The entry point is
 * {@link io.preprompt.credits.examples.jdbc.JdbcSetup}: standalone over a data source, and inside the
 * host's own transaction.
 */
@NullMarked
package io.preprompt.credits.examples.jdbc;

import org.jspecify.annotations.NullMarked;
