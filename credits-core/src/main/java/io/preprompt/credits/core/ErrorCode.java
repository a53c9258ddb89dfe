package io.preprompt.credits.core;

/**
 * Stable, documented error codes carried by every {@link CreditsException}.
 *
 * <p>Codes never change meaning once published: hosts may map them to HTTP statuses or UI messages.
 * Each code names what happened, not where.
 */
public enum ErrorCode {
  /** An amount was negative, zero where a positive amount is needed, or otherwise out of range. */
  INVALID_AMOUNT,
  /** Adding or multiplying credits would overflow a {@code long}. */
  AMOUNT_OVERFLOW,
  /** An account id was blank, too long or had characters outside the allowed set. */
  INVALID_ACCOUNT_ID,
  /** An idempotency key was blank, too long or had characters outside the allowed set. */
  INVALID_IDEMPOTENCY_KEY,
  /** A hold id was malformed. */
  INVALID_HOLD_ID,
  /** Any other malformed argument (durations, time ranges, page sizes, metadata). */
  INVALID_ARGUMENT,
  /**
   * A configuration (catalog, rate card, store config) was rejected when it was built, or a store
   * refused its database (the JDBC store's dialect must match the database, and its id columns must
   * compare exactly, not ignoring case).
   */
  INVALID_CONFIGURATION,
  /** The account does not exist. */
  ACCOUNT_NOT_FOUND,
  /** The account already exists (opened with another key). */
  ACCOUNT_ALREADY_EXISTS,
  /** The hold does not exist on this account (it may belong to another account). */
  HOLD_NOT_FOUND,
  /** The account has no lot with that id (it may belong to another account). Nothing changed. */
  LOT_NOT_FOUND,
  /**
   * The lot has no credits left to act on: it was voided already, or spent, expired or taken back
   * (a grant voided twice gets this). Nothing changed.
   */
  LOT_ENDED,
  /** The hold was already settled. */
  HOLD_ALREADY_SETTLED,
  /** The hold was already released. */
  HOLD_ALREADY_RELEASED,
  /** The hold passed its deadline and was released automatically. */
  HOLD_EXPIRED,
  /**
   * A settle asked for more credits than the hold holds, and nothing may be drawn beyond it. The
   * engine no longer answers this since overage policies: a settle above its hold draws the
   * difference from the available credits or fails with {@link #INSUFFICIENT_CREDITS}. Kept so that
   * existing handlers and stored error reports still compile and read.
   */
  SETTLE_EXCEEDS_HELD,
  /** The account's available credits do not cover the request. */
  INSUFFICIENT_CREDITS,
  /** The idempotency key was already used with different parameters. */
  IDEMPOTENCY_CONFLICT,
  /** No tier with that id in the catalog. */
  UNKNOWN_TIER,
  /** No pack with that id in the catalog. */
  UNKNOWN_PACK,
  /** Packs can be bought only by active paid subscribers whose tier allows them. */
  PACKS_REQUIRE_PAID_TIER,
  /** The pack is sold only to subscribers of other tiers. */
  PACK_NOT_FOR_TIER,
  /** The call needs an active paid subscription and the account has none. */
  SUBSCRIPTION_REQUIRED,
  /** The account already has an active subscription. */
  ALREADY_SUBSCRIBED,
  /**
   * A billing event is for a cycle that has not started yet: it is refused, never applied early;
   * the billing system's redelivery applies it once the cycle has started.
   */
  CYCLE_NOT_STARTED,
  /**
   * A payment confirmation does not match an open order of the account it names (unknown or other
   * account's reference, another pack, another amount or currency): nothing is granted.
   */
  PAYMENT_MISMATCH,
  /** The account has as many unpaid pack orders open as allowed; pay or let one lapse first. */
  TOO_MANY_OPEN_ORDERS,
  /**
   * An automatic top-up's monthly spend cap is below the price of one of its packs, so it could
   * never buy one. Nothing changed.
   */
  TOP_UP_CAP_BELOW_PACK,
  /**
   * A paid period is not one of the account's cycles: its start is no cycle's start, its end is not
   * that cycle's end, or it names a tier the account neither has nor has scheduled. Nothing changed.
   */
  BILLING_PERIOD_MISMATCH,
  /**
   * A paid period has not started yet: it is refused, never applied early; the billing system's
   * redelivery applies it once the period has started. Nothing changed.
   */
  BILLING_PERIOD_NOT_STARTED,
  /** A refund names a payment that granted nothing to the account. Nothing changed. */
  UNKNOWN_PAYMENT,
  /** The rate card has no price for that kind and model. */
  UNKNOWN_MODEL,
  /** The rate card does not price that resolution for the model. */
  UNKNOWN_RESOLUTION,
  /**
   * A request counts a quantity (tokens of some kind, a host's own unit) that the model's rate does
   * not price: the message names the dimension and what the rate prices. Nothing changed.
   */
  UNKNOWN_PRICE_DIMENSION,
  /** Optimistic concurrency retries were exhausted; nothing changed, the call may be retried. */
  CONCURRENT_UPDATE,
  /**
   * The storage adapter failed (connection lost, constraint violated, timeout). No partial state is
   * ever left; {@link StoreException#outcome()} says whether the change surely was not applied or,
   * when the answer to the commit was lost, may have been: then resend with the same idempotency
   * key, which replays it if it was.
   */
  STORE_FAILURE,
  /**
   * The store's schema is not installed, or is older than the library needs (a table or column it
   * uses is missing): install or upgrade it (the JDBC store's {@code JdbcCreditStore.install} or the
   * migrations it ships). Thrown as a {@link StoreException}; nothing was applied.
   */
  SCHEMA_NOT_INSTALLED
}
