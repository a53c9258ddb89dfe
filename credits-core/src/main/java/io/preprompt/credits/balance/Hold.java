package io.preprompt.credits.balance;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A hold: credits reserved for a running generation.
 *
 * @param id the hold id (unguessable)
 * @param account the account it belongs to
 * @param amount credits held
 * @param state current state
 * @param createdAt when it was placed
 * @param deadline after this instant an unanswered hold expires; never enforced earlier
 * @param settled credits settled (0 unless {@link HoldState#SETTLED})
 * @param endedAt when it ended, or {@code null} while active
 * @param metadata the generation's description given when holding (kind, model, estimate, ...)
 * @param allocations which lots the held credits were drawn from, in drawdown order
 */
public record Hold(HoldId id, AccountId account, long amount, HoldState state, Instant createdAt, Instant deadline,
    long settled, @Nullable Instant endedAt, Map<String, String> metadata, List<Allocation> allocations) {

  /**
   * Checks non-null fields and the hold's rules, and copies the metadata: {@code 0 <= settled <=
   * amount}, an end time exactly when not {@link HoldState#ACTIVE}, and settled credits only when
   * {@link HoldState#SETTLED}. A store's row that breaks one cannot be read back as a hold.
   *
   * @param id the hold id (unguessable)
   * @param account the account it belongs to
   * @param amount credits held
   * @param state current state
   * @param createdAt when it was placed
   * @param deadline after this instant an unanswered hold expires; never enforced earlier
   * @param settled credits settled (0 unless {@link HoldState#SETTLED})
   * @param endedAt when it ended, or {@code null} while active
   * @param metadata the generation's description given when holding (kind, model, estimate, ...)
   * @param allocations which lots the held credits were drawn from, in drawdown order
   */
  public Hold {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(deadline, "deadline");
    if (settled < 0 || settled > amount) {
      throw new IllegalArgumentException("hold " + id + " settles " + settled + " of " + amount);
    }
    if ((state == HoldState.ACTIVE) != (endedAt == null)) {
      throw new IllegalArgumentException("hold " + id + " is " + state + (endedAt == null ? " without" : " with")
          + " an end time");
    }
    if (settled != 0 && state != HoldState.SETTLED) {
      throw new IllegalArgumentException("hold " + id + " is " + state + " with " + settled + " settled");
    }
    metadata = Map.copyOf(metadata);
    allocations = List.copyOf(allocations);
  }

  /**
   * Returns when the hold ended.
   *
   * @return the end time, empty while active
   */
  public Optional<Instant> ended() {
    return Optional.ofNullable(endedAt);
  }
}
