/**
 * A deterministic simulation harness for any {@link io.preprompt.credits.spi.CreditStore}. The entry
 * point is {@link io.preprompt.credits.testkit.sim.Simulation}: it runs a seeded, reproducible stream of
 * operations from many logical clients (grants, future-start grants, voids, expiry changes, holds,
 * settles, releases, expiries, refills, pack purchases, plan changes, time jumps, duplicated and
 * reordered billing events, retries with the same key) through a {@link io.preprompt.credits.testkit.sim.FaultInjectingStore}, checks the credit
 * invariants at checkpoints and at the end, and on failure reports the seed and the shortest
 * operation history it found. Integrators run it on their own adapters the way the testkit runs it on
 * the in-memory store.
 */
@NullMarked
package io.preprompt.credits.testkit.sim;

import org.jspecify.annotations.NullMarked;
