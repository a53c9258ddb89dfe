package io.preprompt.credits.spi;

import io.preprompt.credits.core.HoldId;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * Which holds a read of an account brings along with its row and live lots: the holds the call
 * names, in whatever state, and every active hold whose deadline is before {@link #overdueAt()}
 * (core expires those on any access). All other holds stay where they are, so a call costs the
 * same whether the account has no active hold or a thousand.
 *
 * @param named holds the call acts on (a settle names its hold), returned in any state; empty for none
 * @param overdueAt the active holds with {@code deadline < overdueAt} are returned too
 */
public record HoldSelection(Set<HoldId> named, Instant overdueAt) {
  /**
   * Checks and copies.
   *
   * @param named holds the call acts on, returned in any state
   * @param overdueAt the active holds with {@code deadline < overdueAt} are returned too
   */
  public HoldSelection {
    named = Set.copyOf(named);
    Objects.requireNonNull(overdueAt, "overdueAt");
  }

  /**
   * Selects the holds overdue at a time, and no other.
   *
   * @param now the call's time
   * @return the selection
   */
  public static HoldSelection overdueAt(Instant now) {
    return new HoldSelection(Set.of(), now);
  }

  /**
   * Selects one named hold and the holds overdue at a time.
   *
   * @param hold the hold the call acts on
   * @param now the call's time
   * @return the selection
   */
  public static HoldSelection of(HoldId hold, Instant now) {
    return new HoldSelection(Set.of(hold), now);
  }

  /**
   * Selects every active hold of the account (reconciliation reads them all).
   *
   * @return the selection
   */
  public static HoldSelection allActive() {
    return new HoldSelection(Set.of(), Instant.MAX);
  }

  /**
   * Tells whether a hold belongs in a read with this selection.
   *
   * @param id the hold's id
   * @param active whether the hold is active
   * @param deadline its deadline
   * @return true when the read returns it
   */
  public boolean selects(HoldId id, boolean active, Instant deadline) {
    return named.contains(id) || (active && deadline.isBefore(overdueAt));
  }
}
