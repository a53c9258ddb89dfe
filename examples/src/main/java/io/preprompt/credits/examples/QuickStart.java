package io.preprompt.credits.examples;

import io.preprompt.credits.AccountId;
import io.preprompt.credits.CreditService;
import io.preprompt.credits.HoldId;
import io.preprompt.credits.IdempotencyKey;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.GateConfig;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.gate.RateCard;
import io.preprompt.credits.gate.UpgradeOffer;
import io.preprompt.credits.jdbc.JdbcCreditStore;
import io.preprompt.credits.jdbc.JdbcStoreConfig;
import io.preprompt.credits.plans.PackCatalog;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.plans.PlansConfig;
import io.preprompt.credits.plans.TierCatalog;
import io.preprompt.credits.spi.BillingGateway;
import java.util.List;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;

/** The README's quick start, runnable: wire the library, sign a user up, run one generation. */
public final class QuickStart {
  private QuickStart() {}

  /**
   * Runs the quick start and prints the user's balance.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    System.out.println("available: " + run(h2("jdbc:h2:mem:quickstart;DB_CLOSE_DELAY=-1")));
  }

  /**
   * Runs the quick start over a data source.
   *
   * @param dataSource an empty H2 database
   * @return the user's available credits at the end
   */
  public static long run(DataSource dataSource) {
    // tag::quickstart[]
    JdbcStoreConfig config = JdbcStoreConfig.of(JdbcStoreConfig.Dialect.H2);  // POSTGRESQL in production
    JdbcCreditStore.install(dataSource, config);                              // or run the Flyway migrations
    CreditService credits = CreditService.builder().store(JdbcCreditStore.create(dataSource, config)).build();
    PlanService plans = PlanService.create(credits, TierCatalog.defaults(), PackCatalog.defaults(),
        PlansConfig.defaults(), BillingGateway.none());
    GenerationGate gate = new GenerationGate(credits, plans, RateCard.defaults(), GateConfig.defaults(), List.of());

    AccountId user = AccountId.of("user-42");
    credits.openAccount(user, IdempotencyKey.of("signup-42"));
    plans.verifyEmail(user, IdempotencyKey.of("verify-42"));                  // +200 free credits, once

    GenerationRequest frame = GenerationRequest.image("standard", "720p");
    Authorization auth = gate.authorize(user, frame, IdempotencyKey.of("gen-1"));
    if (auth instanceof Authorization.Authorized ok) {                      // the estimate is held
      HoldId hold = ok.holds().get(0).id();
      // ... run the generation, then settle what it cost (or gate.failed(...) to refund it all)
      gate.succeeded(user, hold, ok.total(), IdempotencyKey.of("gen-1-done"));
    } else if (auth instanceof Authorization.InsufficientCredits no) {
      showUpgradeModal(no.available(), no.estimate(), no.offer());
    }
    long available = credits.balance(user).available();                     // 192
    // end::quickstart[]
    return available;
  }

  private static void showUpgradeModal(long available, long estimate, UpgradeOffer offer) {
    System.out.println("balance " + available + ", estimate " + estimate + ", upgrade to " + offer.tiers());
  }

  static DataSource h2(String url) {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL(url);
    return h2;
  }
}
