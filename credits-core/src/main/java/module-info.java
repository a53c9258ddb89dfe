/**
 * PrePrompt Credits core: the domain and the ports. Exports the API and {@code spi} only.
 */
module io.preprompt.credits.core {
  requires static transitive org.jspecify;
  requires org.slf4j;

  exports io.preprompt.credits;
  exports io.preprompt.credits.balance;
  exports io.preprompt.credits.ledger;
  exports io.preprompt.credits.plans;
  exports io.preprompt.credits.gate;
  exports io.preprompt.credits.spi;
}
