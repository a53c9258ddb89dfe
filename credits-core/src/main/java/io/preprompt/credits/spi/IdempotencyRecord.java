package io.preprompt.credits.spi;

import io.preprompt.credits.IdempotencyKey;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The stored memory of one call: which operation, with which parameters, and what it returned.
 * Core encodes the two texts; adapters store them verbatim, unique per (account, key).
 *
 * <p>A record core creates may encode its texts only when {@link #fingerprint()} or
 * {@link #result()} is first called: a store that keeps records in memory then never pays for
 * text nobody reads, while a store that writes them gets the same text as always. Two records are
 * equal when their key, operation, texts and time are equal, however they were made.
 */
public final class IdempotencyRecord {
  private final IdempotencyKey key;
  private final String operation;
  private final Instant at;
  // Each is the text, or what makes it until first asked for: the fingerprint a Supplier, or a
  // Function of the result; the result the value the encoder takes. Texts replace their sources
  // under the record's lock (the result's only after a fingerprint made from it), and are read
  // without it once there: a String is safe to publish without a lock.
  private Object fingerprint;
  private Object result;
  /** The fingerprint source is a Function of the result (fits in the object's padding). */
  private final boolean fingerprintFromResult;
  private final Function<Object, String> encoder;

  private static final Function<Object, String> NONE = value -> (String) value;

  /**
   * Creates a record from its texts.
   *
   * @param key the key, unique within the account
   * @param operation the operation name
   * @param fingerprint core's encoding of the call's parameters
   * @param result core's encoding of the call's result
   * @param at when the call took effect
   */
  public IdempotencyRecord(IdempotencyKey key, String operation, String fingerprint, String result, Instant at) {
    this(key, operation, fingerprint, false, Objects.requireNonNull(result, "result"), NONE, at);
  }

  @SuppressWarnings("unchecked")
  private IdempotencyRecord(IdempotencyKey key, String operation, Object fingerprint, boolean fingerprintFromResult,
      Object result, Function<?, String> encoder, Instant at) {
    this.fingerprintFromResult = fingerprintFromResult;
    this.key = Objects.requireNonNull(key, "key");
    this.operation = Objects.requireNonNull(operation, "operation");
    this.fingerprint = Objects.requireNonNull(fingerprint, "fingerprint");
    this.result = Objects.requireNonNull(result, "result");
    this.encoder = (Function<Object, String>) Objects.requireNonNull(encoder, "encoder");
    this.at = Objects.requireNonNull(at, "at");
  }

  /**
   * Creates a record whose result is encoded when first asked for.
   *
   * @param key the key, unique within the account
   * @param operation the operation name
   * @param fingerprint core's encoding of the call's parameters
   * @param result the call's result
   * @param encoder encodes the result; must give the same text every time
   * @param at when the call took effect
   * @param <T> the result type
   * @return the record
   */
  public static <T> IdempotencyRecord deferred(IdempotencyKey key, String operation, String fingerprint, T result,
      Function<? super T, String> encoder, Instant at) {
    return deferredRecord(key, operation, fingerprint, result, encoder, at);
  }

  /**
   * Creates a record whose fingerprint and result are encoded when first asked for.
   *
   * @param key the key, unique within the account
   * @param operation the operation name
   * @param fingerprint encodes the call's parameters; must give the same text every time
   * @param result the call's result
   * @param encoder encodes the result; must give the same text every time
   * @param at when the call took effect
   * @param <T> the result type
   * @return the record
   */
  public static <T> IdempotencyRecord deferred(IdempotencyKey key, String operation, Supplier<String> fingerprint,
      T result, Function<? super T, String> encoder, Instant at) {
    return deferredRecord(key, operation, fingerprint, result, encoder, at);
  }

  /**
   * Creates a record whose fingerprint is made from the result, and both encoded when first asked
   * for: for calls whose parameters the result shows (settling a whole hold names the hold).
   *
   * @param key the key, unique within the account
   * @param operation the operation name
   * @param result the call's result
   * @param fingerprint encodes the call's parameters from its result; must give the same text every time
   * @param encoder encodes the result; must give the same text every time
   * @param at when the call took effect
   * @param <T> the result type
   * @return the record
   */
  public static <T> IdempotencyRecord deferredFromResult(IdempotencyKey key, String operation, T result,
      Function<? super T, String> fingerprint, Function<? super T, String> encoder, Instant at) {
    Objects.requireNonNull(fingerprint, "fingerprint");
    if (result instanceof String) {
      return deferredRecord(key, operation, Objects.requireNonNull(fingerprint.apply(result), "fingerprint"), result,
          encoder, at);
    }
    Objects.requireNonNull(result, "result");
    return new IdempotencyRecord(key, operation, fingerprint, true, result, Objects.requireNonNull(encoder, "encoder"),
        at);
  }

  private static <T> IdempotencyRecord deferredRecord(IdempotencyKey key, String operation, Object fingerprint,
      T result, Function<? super T, String> encoder, Instant at) {
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(encoder, "encoder");
    // A String result would read as already encoded: encode it now.
    if (result instanceof String) {
      return new IdempotencyRecord(key, operation, fingerprint, false,
          Objects.requireNonNull(encoder.apply(result), "result"), NONE, at);
    }
    return new IdempotencyRecord(key, operation, fingerprint, false, result, encoder, at);
  }

  /**
   * Returns the key.
   *
   * @return the key, unique within the account
   */
  public IdempotencyKey key() {
    return key;
  }

  /**
   * Returns the operation name.
   *
   * @return the name
   */
  public String operation() {
    return operation;
  }

  /**
   * Returns core's encoding of the call's parameters.
   *
   * @return the fingerprint
   */
  public String fingerprint() {
    Object f = fingerprint;
    if (f instanceof String text) {
      return text;
    }
    synchronized (this) {
      return encodeFingerprint();
    }
  }

  /** Encodes the fingerprint, under the lock, while the result is still there to make it from. */
  @SuppressWarnings("unchecked")
  private String encodeFingerprint() {
    Object f = fingerprint;
    if (f instanceof String text) {
      return text;
    }
    String text = fingerprintFromResult ? ((Function<Object, String>) f).apply(result) : ((Supplier<String>) f).get();
    fingerprint = Objects.requireNonNull(text, "fingerprint");
    return text;
  }

  /**
   * Returns core's encoding of the call's result.
   *
   * @return the result
   */
  public String result() {
    Object r = result;
    if (r instanceof String text) {
      return text;
    }
    synchronized (this) {
      r = result;
      if (r instanceof String text) {
        return text;
      }
      encodeFingerprint();
      String text = Objects.requireNonNull(encoder.apply(r), "result");
      result = text;
      return text;
    }
  }

  /**
   * For stores that keep records in memory: the result this record was made from while it is not
   * yet encoded, or null once it is (or when the record was made from texts). With
   * {@link #madeLike} and {@link #remake}, such a store can keep the result's parts in its own
   * compact form, keep one record as a template, and make a record equal to this one when it is
   * read, instead of keeping an object graph per call.
   *
   * @return the unencoded result, or null
   */
  public @Nullable Object unencodedResult() {
    Object r = result;
    return r instanceof String ? null : r;
  }

  /**
   * Tells whether {@link #remake} of this record, with another record's key, unencoded result and
   * time, gives a record equal to that one: the operation is the same, the result is encoded by the
   * same encoder, and the fingerprint is the same text or is made from the result by the same
   * function. Records whose fingerprint came from their own parameters (not yet encoded) are never
   * made like another.
   *
   * @param other the other record
   * @return true when {@code other} can be made from this record
   */
  public boolean madeLike(IdempotencyRecord other) {
    if (encoder != other.encoder || encoder == NONE || fingerprintFromResult != other.fingerprintFromResult
        || !operation.equals(other.operation)) {
      return false;
    }
    Object mine = fingerprint;
    Object theirs = other.fingerprint;
    if (fingerprintFromResult) {
      return mine instanceof Function && mine == theirs;
    }
    return mine instanceof String && mine.equals(theirs);
  }

  /**
   * Makes a record like this one (operation, fingerprint and encoder; see {@link #madeLike}) for
   * another key, result and time. The result is encoded when first asked for, as in this record.
   *
   * @param key the key
   * @param result the unencoded result
   * @param at when the call took effect
   * @return the record
   * @throws IllegalStateException when this record cannot be a template: its result was made from
   *     texts, or its fingerprint is its own parameters' or was already made from its own result
   */
  public IdempotencyRecord remake(IdempotencyKey key, Object result, Instant at) {
    Object f = fingerprint;
    if (encoder == NONE || (fingerprintFromResult ? !(f instanceof Function) : !(f instanceof String))) {
      throw new IllegalStateException("record " + key() + " cannot be remade for another call");
    }
    if (result instanceof String) {
      throw new IllegalArgumentException("the result must be unencoded");
    }
    return new IdempotencyRecord(key, operation, f, fingerprintFromResult, result, encoder, at);
  }

  /**
   * Returns when the call took effect.
   *
   * @return the time
   */
  public Instant at() {
    return at;
  }

  /**
   * Compares by value: key, operation, fingerprint, result and time.
   *
   * @param o the other object
   * @return true when equal
   */
  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    return o instanceof IdempotencyRecord r && key.equals(r.key) && operation.equals(r.operation) && at.equals(r.at)
        && fingerprint().equals(r.fingerprint()) && result().equals(r.result());
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, operation, fingerprint(), result(), at);
  }

  @Override
  public String toString() {
    return "IdempotencyRecord[key=" + key + ", operation=" + operation + ", fingerprint=" + fingerprint()
        + ", result=" + result() + ", at=" + at + "]";
  }
}
