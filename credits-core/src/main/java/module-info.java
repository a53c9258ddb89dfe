/**
 * PrePrompt Credits core: the domain and the ports. Exports the API and {@code spi} only. The
 * entry point is {@link io.preprompt.credits.Credits#builder()}:
 *
 * <pre>{@code
 * Credits credits = Credits.builder()
 *     .store(store)                   // JdbcCreditStore.create(dataSource, config) in production
 *     .billing(billing)               // your payment provider's gateway
 *     .build();                       // once, at startup; thread-safe
 * credits.credits().openAccount(user, IdempotencyKey.of("signup-42"));
 * credits.plans().verifyEmail(user, IdempotencyKey.of("verify-42"));   // +200 free credits
 * }</pre>
 */
module io.preprompt.credits.core {
  requires static transitive org.jspecify;
  requires org.slf4j;

  exports io.preprompt.credits;
  exports io.preprompt.credits.core;
  exports io.preprompt.credits.balance;
  exports io.preprompt.credits.ledger;
  exports io.preprompt.credits.plans;
  exports io.preprompt.credits.gate;
  exports io.preprompt.credits.spi;
}
