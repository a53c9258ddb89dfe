package io.preprompt.credits.testkit.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * One generated operation of a simulation: the vocabulary of its histories. Operations name accounts,
 * holds and billing requests symbolically (an index, a pick taken modulo what exists when the
 * operation runs), so a history stays meaningful when the shrinker removes operations from it. The
 * {@code id} is fixed at generation and makes the operation's idempotency key, so keys survive
 * shrinking too.
 */
sealed interface Op {
  int id();

  int client();

  /** The fault armed while the operation runs, or null. */
  @Nullable FaultKind fault();

  record Grant(int id, int client, int account, long amount, long expiresInMinutes, @Nullable FaultKind fault)
      implements Op {}

  /**
   * Grants a lot whose credits start {@code startsInSeconds} after the clock (upcoming until then) and
   * expire {@code expiresInMinutes} after the start, or never for 0.
   */
  record GrantStarting(int id, int client, int account, long amount, long startsInSeconds, long expiresInMinutes,
      @Nullable FaultKind fault) implements Op {}

  /**
   * Voids a lot the model knows from a grant receipt (picked like a hold), or, for a {@code pick}
   * divisible by 16, a lot the account never had.
   */
  record VoidGrant(int id, int client, int account, int pick, @Nullable FaultKind fault) implements Op {}

  /**
   * Changes a known lot's expiry (picked as {@link VoidGrant} picks) to {@code minutes} after the
   * clock: never for 0, an instant already past (to be refused) when negative.
   */
  record ChangeExpiry(int id, int client, int account, int pick, long minutes, @Nullable FaultKind fault)
      implements Op {}

  record Hold(int id, int client, int account, long amount, long ttlMinutes, @Nullable FaultKind fault) implements Op {}

  /** Extends a running hold by {@code more} credits. */
  record Extend(int id, int client, int account, int pick, long more, @Nullable FaultKind fault) implements Op {}

  /**
   * Sets the account's own overage policy: refuse (0), take what is available (1) or allow a debt
   * of {@code Run#MAX_DEBT} (2).
   */
  record SetOverage(int id, int client, int account, int policy, @Nullable FaultKind fault) implements Op {}

  /**
   * Settles a hold; {@code percent} 100 settles it whole, less settles part and returns the rest,
   * more asks for more than held (an overage, which the account's policy decides).
   */
  record Settle(int id, int client, int account, int pick, int percent, @Nullable FaultKind fault) implements Op {}

  record Release(int id, int client, int account, int pick, @Nullable FaultKind fault) implements Op {}

  /** Sends an earlier call of the account again with the same key and the same parameters. */
  record Retry(int id, int client, int account, int pick, @Nullable FaultKind fault) implements Op {}

  /** Sends an earlier acknowledged call's key with other parameters: must fail with IDEMPOTENCY_CONFLICT. */
  record ConflictingRetry(int id, int client, int account, int pick, @Nullable FaultKind fault) implements Op {}

  record VerifyEmail(int id, int client, int account, @Nullable FaultKind fault) implements Op {}

  record Subscribe(int id, int client, int account, int tier, @Nullable FaultKind fault) implements Op {}

  record ChangePlan(int id, int client, int account, int tier, @Nullable FaultKind fault) implements Op {}

  record Cancel(int id, int client, int account, @Nullable FaultKind fault) implements Op {}

  record BuyPack(int id, int client, int account, int pack, @Nullable FaultKind fault) implements Op {}

  /**
   * Turns on (or changes) the account's automatic top-up: below {@code thresholdPercent} (50 to 120)
   * of the credits available when it runs, buy the pack {@code pack} picks (mostly one every paid
   * tier may buy, sometimes one sold only to Studio Pro), at most {@code capPacks} (1 to 3) times its
   * price a month; 0 asks for a cap one below the price, which must be refused.
   */
  record EnableTopUp(int id, int client, int account, long thresholdPercent, int pack, int capPacks,
      @Nullable FaultKind fault) implements Op {}

  record DisableTopUp(int id, int client, int account, @Nullable FaultKind fault) implements Op {}

  /**
   * Confirms the payment of one of the account's automatic top-ups the gateway was asked to charge
   * (mostly the newest, sometimes an older one: late or again), {@code copies} times, under the
   * request's own event id or a fresh one.
   */
  record DeliverTopUp(int id, int client, int account, int pick, int copies, boolean freshEventId,
      @Nullable FaultKind fault) implements Op {}

  /**
   * Confirms a request the library made of the billing gateway (picked at random, so confirmations
   * arrive out of order), {@code copies} times (duplicates), under the request's own event id or a
   * fresh one, as a payment failure instead of a payment when {@code paymentFailed}.
   */
  record Deliver(int id, int client, int pick, int copies, boolean freshEventId, boolean paymentFailed,
      @Nullable FaultKind fault) implements Op {}

  /**
   * The billing system collects a cycle on its own and reports it: a {@code CyclePaid} under a fresh
   * event id for the account's newest charged cycle plus {@code ahead} (0 to 2: a cycle that may not
   * have started yet).
   */
  record CollectCycle(int id, int client, int account, int ahead, @Nullable FaultKind fault) implements Op {}

  /**
   * A forged pack payment: a made-up reference (kind 0), another account's order (1), a bigger pack
   * for an order of this account (2), or a smaller amount (3). It must grant nothing.
   */
  record SpoofPayment(int id, int client, int account, int kind, int pick) implements Op {
    @Override
    public @Nullable FaultKind fault() {
      return null;
    }
  }

  /** The top tier is taken out of the catalog (a new release of the host): its subscribers stay on it. */
  record RetireTier(int id, int client) implements Op {
    @Override
    public @Nullable FaultKind fault() {
      return null;
    }
  }

  record TimeJump(int id, int client, long seconds) implements Op {
    @Override
    public @Nullable FaultKind fault() {
      return null;
    }
  }

  record Sweep(int id, int client, @Nullable FaultKind fault) implements Op {}

  record RenewDue(int id, int client, @Nullable FaultKind fault) implements Op {}

  /**
   * Generates a history from a seed.
   *
   * @param seed the seed
   * @param count how many operations
   * @param clients logical clients
   * @param accounts accounts the clients share
   * @param faults the fault plan
   * @return the operations, ids 1..count
   */
  static List<Op> generate(long seed, int count, int clients, int accounts, FaultPlan faults) {
    Random r = new Random(seed);
    List<Op> ops = new ArrayList<>(count);
    for (int id = 1; id <= count; id++) {
      int client = r.nextInt(clients);
      // Each client mostly works on its own account and sometimes on another one, so clients contend.
      int account = r.nextInt(10) < 7 ? client % accounts : r.nextInt(accounts);
      FaultKind fault = faults.draw(r);
      int roll = r.nextInt(1_040);
      Op op;
      if (roll < 185) {
        op = new Hold(id, client, account, amount(r, 1, 2_500), 5 + r.nextInt(56), fault);
      } else if (roll < 205) {
        op = new Extend(id, client, account, r.nextInt(1 << 20), amount(r, 1, 800), fault);
      } else if (roll < 210) {
        op = new SetOverage(id, client, account, r.nextInt(3), fault);
      } else if (roll < 360) {
        int percent = switch (r.nextInt(6)) {
          case 0, 1 -> 1 + r.nextInt(99);
          case 2 -> 101 + r.nextInt(300);
          default -> 100;
        };
        op = new Settle(id, client, account, r.nextInt(1 << 20), percent, fault);
      } else if (roll < 440) {
        op = new Release(id, client, account, r.nextInt(1 << 20), fault);
      } else if (roll < 520) {
        long expires = r.nextBoolean() ? 0 : 60 + r.nextInt(60 * 24 * 40);
        op = new Grant(id, client, account, amount(r, 20, 600), expires, fault);
      } else if (roll < 545) {
        // Starts a little ahead of the clock, which the time jumps soon pass.
        long expires = r.nextBoolean() ? 0 : 1 + r.nextInt(60 * 24 * 30);
        op = new GrantStarting(id, client, account, amount(r, 20, 600), 30 + r.nextInt(3 * 3_600), expires, fault);
      } else if (roll < 555) {
        op = new VoidGrant(id, client, account, r.nextInt(1 << 20), fault);
      } else if (roll < 570) {
        long minutes = switch (r.nextInt(10)) {
          case 0 -> 0;
          case 1 -> -1 - r.nextInt(60);
          default -> 1 + r.nextInt(60 * 24 * 30);
        };
        op = new ChangeExpiry(id, client, account, r.nextInt(1 << 20), minutes, fault);
      } else if (roll < 650) {
        op = new Retry(id, client, account, r.nextInt(1 << 20), fault);
      } else if (roll < 675) {
        op = new ConflictingRetry(id, client, account, r.nextInt(1 << 20), fault);
      } else if (roll < 735) {
        long seconds = switch (r.nextInt(40)) {
          case 0 -> 86_400L * (5 + r.nextInt(31));
          case 1, 2, 3, 4, 5 -> 3_600L + r.nextInt(2 * 86_400);
          default -> 10 + r.nextInt(600);
        };
        op = new TimeJump(id, client, seconds);
      } else if (roll < 765) {
        op = new Sweep(id, client, fault);
      } else if (roll < 785) {
        op = new RenewDue(id, client, fault);
      } else if (roll < 805) {
        op = new VerifyEmail(id, client, account, fault);
      } else if (roll < 835) {
        op = new Subscribe(id, client, account, r.nextInt(3), fault);
      } else if (roll < 865) {
        op = new ChangePlan(id, client, account, r.nextInt(3), fault);
      } else if (roll < 880) {
        op = new Cancel(id, client, account, fault);
      } else if (roll < 915) {
        op = new BuyPack(id, client, account, r.nextInt(3), fault);
      } else if (roll < 935) {
        op = new CollectCycle(id, client, account, r.nextInt(3), fault);
      } else if (roll < 950) {
        op = new SpoofPayment(id, client, account, r.nextInt(4), r.nextInt(1 << 20));
      } else if (roll < 952) {
        op = new RetireTier(id, client);
      } else if (roll < 1_000) {
        op = new Deliver(id, client, r.nextInt(1 << 20), r.nextInt(5) == 0 ? 2 : 1, r.nextInt(4) == 0,
            r.nextInt(15) == 0, fault);
      } else if (roll < 1_015) {
        // Automatic top-ups, beside the operations above at their old rates.
        int capPacks = r.nextInt(12) == 0 ? 0 : 1 + r.nextInt(3);
        op = new EnableTopUp(id, client, account, 50 + r.nextInt(71), r.nextInt(1 << 20), capPacks, fault);
      } else if (roll < 1_020) {
        op = new DisableTopUp(id, client, account, fault);
      } else {
        op = new DeliverTopUp(id, client, account, r.nextInt(1 << 20), r.nextInt(5) == 0 ? 2 : 1, r.nextInt(4) == 0,
            fault);
      }
      ops.add(op);
    }
    return ops;
  }

  /** Mostly small amounts, sometimes large ones, so holds both fit and run out. */
  private static long amount(Random r, int min, int max) {
    return r.nextInt(4) == 0 ? min + r.nextInt(max - min + 1) : min + r.nextInt(Math.max(1, (max - min) / 8) + 1);
  }
}
