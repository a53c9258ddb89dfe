/**
 * The {@link io.preprompt.credits.spi.CreditStore} on JDBC. The entry point is
 * {@link io.preprompt.credits.jdbc.JdbcCreditStore}, built from a host's {@link javax.sql.DataSource}
 * (or, to run inside the host's own transactions, a {@link io.preprompt.credits.jdbc.ConnectionProvider}:
 * a few lines over Spring's, or a {@link io.preprompt.credits.jdbc.HostTransaction} on a plain
 * connection) and a {@link io.preprompt.credits.jdbc.JdbcStoreConfig}. The schema ships as versioned migrations
 * under {@code db/credits/<dialect>/} for a host's Flyway, and {@link io.preprompt.credits.jdbc.SchemaInstaller}
 * installs it for hosts without a migration tool. PostgreSQL is the production target, H2 the
 * embedded default. The store persists and loads; every rule lives in core.
 */
@NullMarked
package io.preprompt.credits.jdbc;

import org.jspecify.annotations.NullMarked;
