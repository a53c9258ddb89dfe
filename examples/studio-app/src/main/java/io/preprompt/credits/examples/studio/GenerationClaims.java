package io.preprompt.credits.examples.studio;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.Release;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.gate.GenerationGate;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The app's record of each generate action ({@code studio_generations}), keyed by the page's
 * idempotency key. A generation's end (the settle or the release) and its row commit together: the
 * starter's store joins Spring's transaction.
 */
@Repository
class GenerationClaims {
  private final JdbcClient jdbc;
  private final GenerationGate gate;
  private final InstantSource clock;

  GenerationClaims(JdbcClient jdbc, GenerationGate gate, InstantSource clock) {
    this.jdbc = jdbc;
    this.gate = gate;
    this.clock = clock;
  }

  /** Where a generate action stands. */
  enum Status {
    /** The model is at work; the estimate is held. */
    RUNNING,
    /** Its output was kept and charged. */
    SUCCEEDED,
    /** It produced nothing; its hold was released. */
    FAILED
  }

  /**
   * A generate action as recorded.
   *
   * @param request what was asked for, as {@link Generations#fingerprint} writes it
   * @param status running, or how it ended
   * @param estimate the credits held
   * @param charged the credits charged, once it ended
   * @param reason why it failed, when it did
   */
  record Claim(String request, Status status, long estimate, @Nullable Long charged, @Nullable String reason) {
    boolean ended() {
      return status != Status.RUNNING;
    }
  }

  /**
   * Claims a key for the request holding it; false when another request has it.
   *
   * @param account the account
   * @param key the page's key
   * @param request what is asked for, as {@link Generations#fingerprint} writes it
   * @param hold the hold the gate gave the key
   * @return whether this request claimed it
   */
  boolean claim(AccountId account, String key, String request, Hold hold) {
    try {
      jdbc.sql("INSERT INTO studio_generations (account_id, request_key, request, hold_id, status, estimate,"
              + " started_at) VALUES (?, ?, ?, ?, 'RUNNING', ?, ?)")
          .params(account.value(), key, request, hold.id().value(), hold.amount(),
              OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC))
          .update();
      return true;
    } catch (org.springframework.dao.DuplicateKeyException e) {
      return false;
    }
  }

  Optional<Claim> find(AccountId account, String key) {
    return jdbc.sql("SELECT request, status, estimate, charged, reason FROM studio_generations"
            + " WHERE account_id = ? AND request_key = ?")
        .params(account.value(), key)
        .query((rs, row) -> new Claim(rs.getString("request"), Status.valueOf(rs.getString("status")), rs.getLong("estimate"),
            rs.getObject("charged", Long.class), rs.getString("reason")))
        .optional();
  }

  /**
   * Charges a produced output and records it, together.
   *
   * @param account the account
   * @param key the page's key
   * @param request what was asked for, as claimed
   * @param hold the hold of its estimate
   * @param cost what the output cost
   * @return the ended claim
   */
  @Transactional
  Claim succeeded(AccountId account, String key, String request, Hold hold, long cost) {
    Settlement settled = gate.succeeded(account, hold.id(), CreditAmount.of(cost), IdempotencyKey.of(key + ":settle"));
    return end(account, key, new Claim(request, Status.SUCCEEDED, hold.amount(), settled.settled(), null));
  }

  /**
   * Releases the hold of a generation that produced nothing and records it, together.
   *
   * @param account the account
   * @param key the page's key
   * @param request what was asked for, as claimed
   * @param hold the hold of its estimate
   * @param reason why it failed
   * @return the ended claim
   */
  @Transactional
  Claim failed(AccountId account, String key, String request, Hold hold, String reason) {
    Release released = gate.failed(account, hold.id(), reason, IdempotencyKey.of(key + ":release"));
    return end(account, key, new Claim(request, Status.FAILED, hold.amount(), hold.amount() - released.returned(),
        reason));
  }

  private Claim end(AccountId account, String key, Claim claim) {
    jdbc.sql("UPDATE studio_generations SET status = ?, charged = ?, reason = ? WHERE account_id = ? AND request_key = ?")
        .params(claim.status().name(), claim.charged(), claim.reason(), account.value(), key)
        .update();
    return claim;
  }
}
