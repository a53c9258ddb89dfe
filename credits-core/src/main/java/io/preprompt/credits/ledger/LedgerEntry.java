package io.preprompt.credits.ledger;

import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.IdempotencyKey;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One immutable ledger entry: {@code amount} credits of one lot moved as {@code type} says.
 *
 * @param account the account
 * @param sequence per-account sequence number, starting at 1, without gaps
 * @param type what happened
 * @param amount credits moved, positive (for {@link EntryType#EXPIRY_CHANGED}: what the lot still
 *     carried, none moved)
 * @param lot the lot the credits belong to
 * @param source the lot's source
 * @param hold the hold involved, or {@code null}
 * @param key the idempotency key of the call that made the entry, or {@code null} for automatic
 *     changes (lazy expiry, the sweep)
 * @param at when
 * @param metadata the call's description (generation kind, model, estimate, actual cost, reason)
 */
public record LedgerEntry(AccountId account, long sequence, EntryType type, long amount, LotId lot, LotSource source,
    @Nullable HoldId hold, @Nullable IdempotencyKey key, Instant at, Map<String, String> metadata) {
  /** The metadata key under which a generation's entries name its kind (the gate writes it). */
  public static final String KIND = "kind";
  /** The metadata key under which a generation's entries name its model (the gate writes it). */
  public static final String MODEL = "model";
  /**
   * The prefix of the metadata keys under which a generation's entries record its quantities other
   * than seconds ({@code q.input_tokens=1200}); the hold records what was requested, the settle what
   * was used when the gate settled from the actual usage.
   */
  public static final String QUANTITY_PREFIX = "q.";
  /** The metadata key under which a media generation's entries record its duration in seconds. */
  public static final String SECONDS = "seconds";
  /**
   * The metadata key under which the entries of a settle above its hold record the credits it asked
   * for but did not charge (its overage policy left them uncollected); absent when it charged all.
   */
  public static final String UNCOLLECTED = "uncollected";


  /**
   * Checks non-null fields, a positive sequence and amount, and copies the metadata.
   *
   * @param account the account
   * @param sequence per-account sequence number, starting at 1, without gaps
   * @param type what happened
   * @param amount credits moved, positive (for {@link EntryType#EXPIRY_CHANGED}: what the lot still
   *     carried, none moved)
   * @param lot the lot the credits belong to
   * @param source the lot's source
   * @param hold the hold involved, or {@code null}
   * @param key the idempotency key of the call that made the entry, or {@code null} for automatic
   *     changes (lazy expiry, the sweep)
   * @param at when
   * @param metadata the call's description (generation kind, model, estimate, actual cost, reason)
   */
  public LedgerEntry {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(lot, "lot");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(at, "at");
    if (sequence <= 0) {
      throw new IllegalArgumentException("sequence must be positive, was " + sequence);
    }
    if (amount <= 0) {
      throw new IllegalArgumentException("amount must be positive, was " + amount);
    }
    metadata = Map.copyOf(metadata);
  }

  /**
   * Returns the kind of the generation the entry belongs to, as its metadata names it.
   *
   * @return the kind, or {@code null} for an entry that is not a generation's
   */
  public @Nullable String kind() {
    return metadata.get(KIND);
  }

  /**
   * Returns the model of the generation the entry belongs to, as its metadata names it.
   *
   * @return the model, or {@code null} for an entry that is not a generation's
   */
  public @Nullable String model() {
    return metadata.get(MODEL);
  }
}
