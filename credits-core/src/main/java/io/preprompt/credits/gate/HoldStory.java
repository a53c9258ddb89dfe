package io.preprompt.credits.gate;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.ledger.EntryType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A hold's whole story for support ("held credits on an idle node", "a charge that doesn't match"):
 * its current state and every ledger step it took, each with time, reason and idempotency key.
 *
 * @param hold the hold as stored now (an overdue hold shows {@code EXPIRED} even before the sweep)
 * @param steps its ledger steps in order: the hold, then how it ended
 */
public record HoldStory(Hold hold, List<Step> steps) {

  /**
   * Checks the story.
   *
   * @param hold the hold as stored now (an overdue hold shows {@code EXPIRED} even before the sweep)
   * @param steps its ledger steps in order: the hold, then how it ended
   */
  public HoldStory {
    Objects.requireNonNull(hold, "hold");
    steps = List.copyOf(steps);
  }

  /**
   * One state change: consecutive ledger entries of the same type, time and key.
   *
   * @param firstSequence the first entry's sequence number
   * @param lastSequence the last entry's sequence number
   * @param at when it happened
   * @param type what happened
   * @param credits credits moved
   * @param lots the lots involved, in entry order
   * @param key the call's idempotency key ({@code null} for the sweep's expiry)
   * @param reason the reason recorded, or {@code null}
   * @param metadata everything recorded on the entries (kind, model, estimate, actual, outcome, ...)
   */
  public record Step(long firstSequence, long lastSequence, Instant at, EntryType type, long credits, List<LotId> lots,
      @Nullable IdempotencyKey key, @Nullable String reason, Map<String, String> metadata) {
    /**
     * Checks the step.
     *
     * @param firstSequence the first entry's sequence number
     * @param lastSequence the last entry's sequence number
     * @param at when it happened
     * @param type what happened
     * @param credits credits moved
     * @param lots the lots involved, in entry order
     * @param key the call's idempotency key ({@code null} for the sweep's expiry)
     * @param reason the reason recorded, or {@code null}
     * @param metadata everything recorded on the entries (kind, model, estimate, actual, outcome, ...)
     */
    public Step {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(type, "type");
      lots = List.copyOf(lots);
      metadata = Map.copyOf(metadata);
    }
  }

  /**
   * Renders the story as lines a support agent can read.
   *
   * @return one line for the hold, then one per step
   */
  public List<String> describe() {
    List<String> lines = new ArrayList<>();
    lines.add("hold " + hold.id() + ": " + hold.amount() + " credits, " + hold.state() + ", created " + hold.createdAt()
        + ", deadline " + hold.deadline() + (hold.metadata().isEmpty() ? "" : ", " + hold.metadata()));
    for (Step s : steps) {
      lines.add(s.at() + " " + s.type() + " " + s.credits() + " credits from " + s.lots()
          + (s.key() == null ? " (no key: sweep)" : " key " + s.key())
          + (s.reason() == null ? "" : " reason \"" + s.reason() + "\""));
    }
    return lines;
  }
}
