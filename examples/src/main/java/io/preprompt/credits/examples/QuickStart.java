// tag::quickstart[]
package io.preprompt.credits.examples;

import io.preprompt.credits.Credits;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.gate.UpgradeOffer;
import io.preprompt.credits.jdbc.JdbcCreditStore;
import io.preprompt.credits.jdbc.JdbcStoreConfig;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/** The README's quick start: wire the library over a database, sign a user up, run one generation. */
public final class QuickStart {
  private QuickStart() {}

  /**
   * Runs the quick start on an embedded H2 database and prints the user's balance.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    JdbcDataSource dataSource = new JdbcDataSource();                         // a pooled DataSource in production
    dataSource.setURL("jdbc:h2:mem:quickstart;DB_CLOSE_DELAY=-1");
    System.out.println("available: " + run(dataSource));                     // available: 192
  }

  /**
   * Wires the library over a data source and runs one generation for a new user.
   *
   * @param dataSource an empty database
   * @return the user's available credits at the end
   */
  public static long run(DataSource dataSource) {
    JdbcStoreConfig config = JdbcStoreConfig.of(JdbcStoreConfig.Dialect.H2);  // POSTGRESQL in production
    JdbcCreditStore.install(dataSource, config);                              // or run the Flyway migrations
    Credits credits = Credits.builder()                                      // build once, share everywhere
        .store(JdbcCreditStore.create(dataSource, config))
        .build();                                                             // default tiers, packs, rate card

    AccountId user = AccountId.of("user-42");
    credits.credits().openAccount(user, IdempotencyKey.of("signup-42"));
    credits.plans().verifyEmail(user, IdempotencyKey.of("verify-42"));        // +200 free credits, once

    GenerationGate gate = credits.gate();
    GenerationRequest frame = GenerationRequest.image("standard", "720p");
    Authorization auth = gate.authorize(user, frame, IdempotencyKey.of("gen-1"));
    if (auth instanceof Authorization.Authorized ok) {                      // the estimate is held
      HoldId hold = ok.holds().get(0).id();
      // ... run the generation, then settle what it cost (or gate.failed(...) to refund it all)
      gate.succeeded(user, hold, CreditAmount.of(ok.total()), IdempotencyKey.of("gen-1-done"));
    } else if (auth instanceof Authorization.InsufficientCredits no) {
      showUpgradeModal(no.available(), no.estimate(), no.offer());
    }
    return credits.credits().balance(user).available();                      // 192
  }

  private static void showUpgradeModal(long available, long estimate, UpgradeOffer offer) {
    System.out.println("balance " + available + ", estimate " + estimate + ", upgrade to " + offer.tiers());
  }
}
// end::quickstart[]
