package io.preprompt.credits.plans;

/** Where an account's subscription stands. */
public enum SubscriptionStatus {
  /** Never subscribed: the free tier. */
  NONE,
  /** Subscribed; refills follow the billing system's word that each cycle was paid. */
  ACTIVE,
  /** The billing system reported a failed payment: no refill until a cycle is paid; no pack purchases. */
  PAST_DUE,
  /** Cancelled and past its effective date: free-tier entitlements, no refills, balance kept. */
  CANCELLED
}
