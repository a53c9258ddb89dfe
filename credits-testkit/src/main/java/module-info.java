/**
 * Test support for hosts and storage adapter authors: the reference in-memory store, a controllable
 * clock, the scenario fixture, the storage and billing contract suites and the simulation. Its API
 * speaks JUnit 5 and AssertJ (the contract suites are JUnit test classes to extend), so both come
 * with it; JUnit may reflect on the suites' nested classes.
 */
module io.preprompt.credits.testkit {
  requires transitive io.preprompt.credits.core;
  requires transitive org.junit.jupiter.api;
  requires transitive org.assertj.core;
  requires static org.jspecify;

  exports io.preprompt.credits.testkit;
  exports io.preprompt.credits.testkit.sim;

  opens io.preprompt.credits.testkit to org.junit.platform.commons;
  opens io.preprompt.credits.testkit.sim to org.junit.platform.commons;
}
