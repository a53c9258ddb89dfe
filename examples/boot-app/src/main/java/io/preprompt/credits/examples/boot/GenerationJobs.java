package io.preprompt.credits.examples.boot;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.Release;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationKind;
import io.preprompt.credits.gate.GenerationOutcome;
import io.preprompt.credits.gate.GenerationRequest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The app's own record of its generations (table {@code generations}), written in the same
 * transaction as the credits' settle or release: a generation is charged if and only if the app
 * kept its output. The store of the starter joins Spring's transactions, so a rollback here undoes
 * the credits change too.
 */
@Repository
class GenerationJobs {
  private final JdbcClient jdbc;
  private final GenerationGate gate;
  private final FakeGenerator generator;
  private final InstantSource clock;

  GenerationJobs(JdbcClient jdbc, GenerationGate gate, FakeGenerator generator, InstantSource clock) {
    this.jdbc = jdbc;
    this.gate = gate;
    this.generator = generator;
    this.clock = clock;
  }

  /**
   * A finished generation, as the app keeps it.
   *
   * @param account whose it is
   * @param key the client's idempotency key
   * @param request what was asked for
   * @param hold the credits hold that paid for it
   * @param outcome succeeded or failed
   * @param estimate the credits estimated (and held)
   * @param charged the credits charged
   * @param asset where the output is, when there is one
   * @param reason why it failed, when it did
   */
  record Job(AccountId account, String key, GenerationRequest request, String hold, GenerationOutcome outcome,
      long estimate, long charged, @Nullable String asset, @Nullable String reason) {}

  /**
   * Finds the generation a client's key already ran.
   *
   * @param account the account
   * @param key the client's idempotency key
   * @return the generation, when there is one
   */
  Optional<Job> find(AccountId account, String key) {
    return jdbc.sql("SELECT * FROM generations WHERE account_id = ? AND idempotency_key = ?")
        .params(account.value(), key)
        .query(GenerationJobs::job)
        .optional();
  }

  /**
   * Charges a produced output and keeps it, all or nothing: the settle, the row and the saved asset
   * commit together, and when saving fails the settle is rolled back with the rest.
   *
   * @param account the account
   * @param key the client's idempotency key
   * @param request what was generated
   * @param hold the hold of its estimate
   * @param output the output and its cost
   * @return the generation
   * @throws FakeGenerator.OutputNotSavedException when the output could not be saved; nothing was charged
   */
  @Transactional
  Job succeeded(AccountId account, String key, GenerationRequest request, Hold hold, FakeGenerator.Produced output) {
    Settlement settled = gate.succeeded(account, hold.id(), CreditAmount.of(output.cost()),
        IdempotencyKey.of(key + ":settle"));
    Job job = new Job(account, key, request, hold.id().value(), GenerationOutcome.SUCCEEDED, hold.amount(),
        settled.settled(), output.asset(), null);
    insert(job);
    generator.save(output);
    return job;
  }

  /**
   * Releases the hold of a generation that produced nothing usable and records it.
   *
   * @param account the account
   * @param key the client's idempotency key
   * @param request what was asked for
   * @param hold the hold of its estimate
   * @param reason why it failed
   * @return the generation
   */
  @Transactional
  Job failed(AccountId account, String key, GenerationRequest request, Hold hold, String reason) {
    Release released = gate.failed(account, hold.id(), reason, IdempotencyKey.of(key + ":release"));
    Job job = new Job(account, key, request, hold.id().value(), GenerationOutcome.FAILED, hold.amount(),
        hold.amount() - released.returned(), null, reason);
    insert(job);
    return job;
  }

  private void insert(Job job) {
    GenerationRequest r = job.request();
    jdbc.sql("""
        INSERT INTO generations (account_id, idempotency_key, kind, model, resolution, seconds, variants, reshot,
            hold_id, outcome, estimate, charged, asset, reason, finished_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
        .params(job.account().value(), job.key(), r.kind().name(), r.model(), r.resolution(), r.durationSeconds(),
            r.variants(), r.reshot(), job.hold(), job.outcome().name(), job.estimate(), job.charged(), job.asset(),
            job.reason(), OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC))
        .update();
  }

  private static Job job(ResultSet rs, int row) throws SQLException {
    GenerationRequest request = mediaRequest(GenerationKind.of(rs.getString("kind")), rs.getString("model"),
        rs.getString("resolution"), rs.getInt("seconds"));
    request = request.withVariants(rs.getInt("variants"));
    if (rs.getBoolean("reshot")) {
      request = request.asReshot();
    }
    return new Job(AccountId.of(rs.getString("account_id")), rs.getString("idempotency_key"), request,
        rs.getString("hold_id"), GenerationOutcome.valueOf(rs.getString("outcome")), rs.getLong("estimate"),
        rs.getLong("charged"), rs.getString("asset"), rs.getString("reason"));
  }

  /** The request of one of the app's media kinds ({@link Json#MEDIA_KINDS}). */
  static GenerationRequest mediaRequest(GenerationKind kind, String model, @Nullable String resolution, int seconds) {
    if (kind.equals(GenerationKind.IMAGE)) {
      return GenerationRequest.image(model, Objects.requireNonNull(resolution, "resolution"));
    }
    if (kind.equals(GenerationKind.VIDEO_CLIP)) {
      return GenerationRequest.clip(model, Objects.requireNonNull(resolution, "resolution"), seconds);
    }
    if (kind.equals(GenerationKind.VOICE_LINE)) {
      return GenerationRequest.voice(model, seconds);
    }
    if (kind.equals(GenerationKind.MUSIC_CUE)) {
      return GenerationRequest.music(model, seconds);
    }
    throw new IllegalArgumentException("the app generates no " + kind);
  }
}
