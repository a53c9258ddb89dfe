package io.preprompt.credits.testkit;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.spi.BillingGateway;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A thread-safe fake {@link BillingGateway} that moves no money and records every request in the
 * order it arrived, so a test can assert what the library asked for and then confirm it with the
 * matching {@code BillingEvent}. Requests are kept as they came, duplicates included: the library
 * calls gateways at least once, and a test may want to see a replay.
 */
public final class RecordingBillingGateway implements BillingGateway {

  /** One request the library made of the billing system. */
  public sealed interface Request {
    /**
     * Returns the account the request is for.
     *
     * @return the account
     */
    AccountId account();

    /**
     * Returns the request's reference, unique per logical request.
     *
     * @return the reference
     */
    String reference();
  }

  /**
   * A request to charge a subscription cycle.
   *
   * @param account the account
   * @param tierId the tier charged for
   * @param cycle the cycle number (0 for the first)
   * @param cycleStart when the cycle starts
   * @param cycleEnd when it ends
   * @param reference the charge reference
   */
  public record SubscriptionCharge(AccountId account, String tierId, long cycle, Instant cycleStart, Instant cycleEnd,
      String reference) implements Request {}

  /**
   * A request to charge a credit pack.
   *
   * @param account the account
   * @param packId the pack
   * @param priceMinor the price in minor units
   * @param currency the ISO 4217 currency
   * @param reference the payment reference a {@code PackPaid} event must carry
   */
  public record PackCharge(AccountId account, String packId, long priceMinor, String currency, String reference)
      implements Request {}

  /**
   * A notice that the plan changes.
   *
   * @param account the account
   * @param fromTier the tier before
   * @param toTier the tier after
   * @param effectiveAt when it takes effect
   * @param reference the change's reference
   */
  public record PlanChangeNotice(AccountId account, String fromTier, String toTier, Instant effectiveAt,
      String reference) implements Request {}

  /**
   * A request to stop charging.
   *
   * @param account the account
   * @param effectiveAt when refills stop
   * @param reference the cancellation's reference
   */
  public record Cancellation(AccountId account, Instant effectiveAt, String reference) implements Request {}

  /** What a refused request throws: the billing system was unavailable and took nothing. */
  public static final class BillingUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was refused
     */
    public BillingUnavailableException(String message) {
      super(message);
    }
  }

  private final List<Request> requests = new ArrayList<>();
  private final List<Request> refused = new ArrayList<>();
  private int refuseNext;

  /** Creates a gateway with nothing recorded. */
  public RecordingBillingGateway() {}

  @Override
  public void chargeSubscription(AccountId account, String tierId, long cycle, Instant cycleStart, Instant cycleEnd,
      String reference) {
    record(new SubscriptionCharge(account, tierId, cycle, cycleStart, cycleEnd, reference));
  }

  @Override
  public void chargePack(AccountId account, String packId, long priceMinor, String currency, String reference) {
    record(new PackCharge(account, packId, priceMinor, currency, reference));
  }

  @Override
  public void changePlan(AccountId account, String fromTier, String toTier, Instant effectiveAt, String reference) {
    record(new PlanChangeNotice(account, fromTier, toTier, effectiveAt, reference));
  }

  @Override
  public void cancelSubscription(AccountId account, Instant effectiveAt, String reference) {
    record(new Cancellation(account, effectiveAt, reference));
  }

  private synchronized void record(Request request) {
    Objects.requireNonNull(request, "request");
    if (refuseNext > 0) {
      refuseNext--;
      refused.add(request);
      throw new BillingUnavailableException("billing system unavailable: refused " + request);
    }
    requests.add(request);
  }

  /**
   * Makes the next {@code count} requests fail, as a billing system that is down does: each throws
   * {@link BillingUnavailableException} and is kept apart ({@link #refused()}), not recorded as made.
   *
   * @param count how many requests to refuse (0 stops refusing)
   * @throws IllegalArgumentException when negative
   */
  public synchronized void refuseNext(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must not be negative, was " + count);
    }
    refuseNext = count;
  }

  /**
   * Returns the requests that were refused, oldest first.
   *
   * @return an immutable copy
   */
  public synchronized List<Request> refused() {
    return List.copyOf(refused);
  }

  /**
   * Returns every request so far, oldest first.
   *
   * @return an immutable copy
   */
  public synchronized List<Request> requests() {
    return List.copyOf(requests);
  }

  /**
   * Returns the recorded requests of one kind, oldest first.
   *
   * @param type the request type, for example {@code PackCharge.class}
   * @param <T> the request type
   * @return an immutable copy
   */
  public synchronized <T extends Request> List<T> requests(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (Request r : requests) {
      if (type.isInstance(r)) {
        out.add(type.cast(r));
      }
    }
    return List.copyOf(out);
  }

  /**
   * Returns the subscription charges requested so far, oldest first.
   *
   * @return an immutable copy
   */
  public List<SubscriptionCharge> subscriptionCharges() {
    return requests(SubscriptionCharge.class);
  }

  /**
   * Returns the pack charges requested so far, oldest first.
   *
   * @return an immutable copy
   */
  public List<PackCharge> packCharges() {
    return requests(PackCharge.class);
  }

  /**
   * Returns the plan change notices so far, oldest first.
   *
   * @return an immutable copy
   */
  public List<PlanChangeNotice> planChanges() {
    return requests(PlanChangeNotice.class);
  }

  /**
   * Returns the cancellations requested so far, oldest first.
   *
   * @return an immutable copy
   */
  public List<Cancellation> cancellations() {
    return requests(Cancellation.class);
  }

  /**
   * Returns the newest request of one kind.
   *
   * @param type the request type
   * @param <T> the request type
   * @return the request
   * @throws IllegalStateException when none of that kind was recorded
   */
  public synchronized <T extends Request> T last(Class<T> type) {
    for (int i = requests.size() - 1; i >= 0; i--) {
      if (type.isInstance(requests.get(i))) {
        return type.cast(requests.get(i));
      }
    }
    throw new IllegalStateException("no " + type.getSimpleName() + " was requested");
  }

  /**
   * Returns how many requests were recorded.
   *
   * @return the count
   */
  public synchronized int size() {
    return requests.size();
  }

  /** Forgets every recorded and refused request. */
  public synchronized void clear() {
    requests.clear();
    refused.clear();
  }
}
