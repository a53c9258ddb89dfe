package io.preprompt.credits.jdbc;

import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.Allocation;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerPage;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.plans.AccountOverview;
import io.preprompt.credits.plans.BillingEvent;
import io.preprompt.credits.plans.PackOrder;
import io.preprompt.credits.spi.CreditStore;
import io.preprompt.credits.testkit.MutableClock;
import io.preprompt.credits.testkit.RecordingBillingGateway;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The scenario behind the V1 → V2 migration test: what it writes, the calls it replays afterwards,
 * and a rendering of everything a host can observe about an account (balance, lots, holds, ledger,
 * plan overview), with maps in name order so two renderings compare as text.
 *
 * <p>{@link #fill} ran once over the V1 layout (the release before V2), at commit {@code ae45dea},
 * through a generator that dumped the rows with {@code pg_dump} (COPY blocks) and wrote the rendering
 * and the replays' answers to {@code src/test/resources/migration/}; {@link V1ToV2MigrationTest} loads
 * that data, migrates it and renders it again.
 */
final class MigrationFixture {
  static final Instant START = Instant.parse("2026-01-15T10:00:00Z");
  static final List<String> ACCOUNTS = List.of("alice", "bob", "carol", "dave");
  /** Where {@link #fill} left the clock. */
  static final Instant END = Instant.parse("2026-01-17T10:04:50Z");

  /** The holds whose state the rendering shows, by name, filled in by {@link #fill}. */
  final Map<String, HoldId> holds = new TreeMap<>();

  private MigrationFixture() {}

  /** The fixture as recorded: the holds by name. */
  static MigrationFixture recorded(Map<String, HoldId> holds) {
    MigrationFixture f = new MigrationFixture();
    f.holds.putAll(holds);
    return f;
  }

  /** The credits wired over a store, with the fixture's clock and gateway. */
  static Credits credits(CreditStore store, MutableClock clock, RecordingBillingGateway gateway) {
    return Credits.builder().store(store).clock(clock).billing(gateway).build();
  }

  /**
   * Runs the scenario: every kind of row V1 stores, metadata with characters its text format
   * escapes, and holds in every state.
   */
  static MigrationFixture fill(Credits credits, MutableClock clock, RecordingBillingGateway gateway) {
    MigrationFixture f = new MigrationFixture();
    AccountId alice = AccountId.of("alice");
    AccountId bob = AccountId.of("bob");
    AccountId carol = AccountId.of("carol");
    AccountId dave = AccountId.of("dave");
    var c = credits.credits();
    var plans = credits.plans();
    var gate = credits.gate();

    c.openAccount(alice, IdempotencyKey.of("open-alice"));
    plans.verifyEmail(alice, IdempotencyKey.of("verify-alice"));
    plans.subscribe(alice, "studio", IdempotencyKey.of("subscribe-alice"));
    plans.handle(new BillingEvent.CyclePaid("evt-alice-0", alice, 0));
    PackOrder order = plans.buyPack(alice, plans.packs().packs().get(0).id(), IdempotencyKey.of("pack-alice"));
    plans.handle(BillingEvent.PackPaid.of("evt-pack-alice", order));
    clock.advance(Duration.ofMinutes(3));
    Hold h1 = c.hold(HoldRequest.of(alice, CreditAmount.of(40), IdempotencyKey.of("h1"))
        .withMetadata("kind", "image").withMetadata("model", "standard")
        .withMetadata("note", "a=b%c\nline two\r\nünïcödé ✓"));
    f.holds.put("h1", h1.id());
    clock.advance(Duration.ofSeconds(20));
    c.settle(alice, h1.id(), CreditAmount.of(25), IdempotencyKey.of("s1"));
    Hold h2 = c.hold(HoldRequest.of(alice, CreditAmount.of(10), IdempotencyKey.of("h2")));
    f.holds.put("h2", h2.id());
    c.release(alice, h2.id(), "generation failed", IdempotencyKey.of("r2"));
    Hold h3 = c.hold(HoldRequest.of(alice, CreditAmount.of(7), IdempotencyKey.of("h3")).withTtl(Duration.ofHours(6))
        .withMetadata("kind", "voice").withMetadata("model", "pro"));
    f.holds.put("h3", h3.id());
    Hold h4 = c.hold(HoldRequest.of(alice, CreditAmount.of(5), IdempotencyKey.of("h4")).withTtl(Duration.ofMinutes(2)));
    f.holds.put("h4", h4.id());
    Authorization auth = gate.authorize(alice, GenerationRequest.image("standard", "720p"), IdempotencyKey.of("gen-1"));
    HoldId generation = ((Authorization.Authorized) auth).holds().get(0).id();
    f.holds.put("gen-1", generation);
    clock.advance(Duration.ofSeconds(30));
    gate.succeeded(alice, generation, CreditAmount.of(((Authorization.Authorized) auth).total() - 1),
        IdempotencyKey.of("gen-1-done"));

    c.openAccount(bob, IdempotencyKey.of("open-bob"));
    c.grant(bob, LotSource.PROMOTION, CreditAmount.of(50), clock.instant().plus(Duration.ofDays(1)),
        IdempotencyKey.of("promo-bob"));
    c.grant(bob, LotSource.PROMOTION, CreditAmount.of(30), null, IdempotencyKey.of("promo-bob-2"));
    plans.subscribe(bob, "studio", IdempotencyKey.of("subscribe-bob"));
    plans.handle(new BillingEvent.CyclePaid("evt-bob-0", bob, 0));
    Hold h5 = c.hold(HoldRequest.of(bob, CreditAmount.of(60), IdempotencyKey.of("h5")).withTtl(Duration.ofDays(3)));
    f.holds.put("h5", h5.id());
    plans.buyPack(bob, plans.packs().packs().get(0).id(), IdempotencyKey.of("pack-bob"));
    plans.cancel(bob, IdempotencyKey.of("cancel-bob"));

    c.openAccount(carol, IdempotencyKey.of("open-carol"));
    gateway.refuseNext(1);
    try {
      plans.subscribe(carol, "studio_plus", IdempotencyKey.of("subscribe-carol"));
    } catch (RuntimeException refused) {
      // The gateway refused the first charge: the plan keeps it as an intent, asked again later.
    }

    c.openAccount(dave, IdempotencyKey.of("open-dave"));
    gate.addCredits(dave, CreditAmount.of(120), "support: outage", IdempotencyKey.of("add-dave"));
    gate.removeCredits(dave, CreditAmount.of(20), "support: duplicate", IdempotencyKey.of("remove-dave"));
    c.grant(dave, LotSource.PROMOTION, CreditAmount.of(15), clock.instant().plus(Duration.ofDays(1)),
        IdempotencyKey.of("promo-dave"));

    // Past h4's deadline and bob's first promotion's expiry: the sweep expires both.
    clock.advance(Duration.ofDays(2));
    c.sweep();
    clock.advance(Duration.ofMinutes(1));
    Hold h6 = c.hold(HoldRequest.of(alice, CreditAmount.of(12), IdempotencyKey.of("h6")).withTtl(Duration.ofDays(1))
        .withMetadata("kind", "music").withMetadata("model", "pro"));
    f.holds.put("h6", h6.id());
    plans.changePlan(alice, "studio_pro", IdempotencyKey.of("upgrade-alice"));
    return f;
  }

  /** Calls made again with their first keys: each must answer as it did before the migration. */
  List<String> replays(Credits credits) {
    var c = credits.credits();
    var plans = credits.plans();
    AccountId alice = AccountId.of("alice");
    AccountId bob = AccountId.of("bob");
    List<String> out = new ArrayList<>();
    out.add("open-alice " + c.openAccount(alice, IdempotencyKey.of("open-alice")));
    out.add("verify-alice " + plans.verifyEmail(alice, IdempotencyKey.of("verify-alice")));
    out.add("promo-bob-2 " + c.grant(bob, LotSource.PROMOTION, CreditAmount.of(30), null,
        IdempotencyKey.of("promo-bob-2")));
    out.add("evt-alice-0 " + plans.handle(new BillingEvent.CyclePaid("evt-alice-0", alice, 0)));
    Hold h3 = c.hold(HoldRequest.of(alice, CreditAmount.of(7), IdempotencyKey.of("h3")).withTtl(Duration.ofHours(6))
        .withMetadata("kind", "voice").withMetadata("model", "pro"));
    out.add("h3 " + render(h3));
    out.add("s1 " + c.settle(alice, holds.get("h1"), CreditAmount.of(25), IdempotencyKey.of("s1")));
    out.add("r2 " + c.release(alice, holds.get("h2"), "generation failed", IdempotencyKey.of("r2")));
    out.add("add-dave " + credits.gate().addCredits(AccountId.of("dave"), CreditAmount.of(120), "support: outage",
        IdempotencyKey.of("add-dave")));
    return out;
  }

  /** Renders everything a host can read about the fixture's accounts. */
  String render(Credits credits, CreditStore store) {
    StringBuilder out = new StringBuilder();
    var c = credits.credits();
    for (String name : ACCOUNTS) {
      AccountId account = AccountId.of(name);
      out.append("== ").append(name).append('\n');
      BalanceView b = c.balance(account);
      out.append("balance available=").append(b.available()).append(" held=").append(b.held()).append(" free=")
          .append(b.freeCredits()).append(" pack=").append(b.packCredits()).append(" allowance=")
          .append(b.allowanceCredits()).append(" activeHolds=").append(b.activeHolds()).append(" version=")
          .append(b.version()).append('\n');
      for (Lot lot : b.lots()) {
        out.append("lot ").append(lot).append('\n');
      }
      out.append("stored plan ").append(store.load(account, io.preprompt.credits.spi.HoldSelection.allActive())
          .orElseThrow().account().plan()).append('\n');
      AccountOverview o = credits.plans().overview(account);
      out.append("plan tier=").append(o.tier().id()).append(" status=").append(o.status()).append(" allowance=")
          .append(o.allowanceRemaining()).append('/').append(o.allowanceTotal()).append(" used=")
          .append(o.usedThisCycle()).append(" cycle=").append(o.cycleStart()).append("..").append(o.cycleEnd())
          .append(" pending=").append(o.pendingTier()).append(" cancelAt=").append(o.cancelAt()).append(" packs=")
          .append(o.canBuyPacks()).append('\n');
      long after = 0;
      while (true) {
        LedgerPage page = c.history(account, LedgerQuery.after(after, 100));
        for (LedgerEntry e : page.entries()) {
          out.append("entry ").append(e.sequence()).append(' ').append(e.type()).append(' ').append(e.amount())
              .append(" lot=").append(e.lot().value()).append(' ').append(e.source()).append(" hold=")
              .append(e.hold() == null ? "-" : holdName(e.hold())).append(" key=").append(e.key() == null ? "-"
                  : e.key().value()).append(" at=").append(e.at()).append(' ').append(new TreeMap<>(e.metadata()))
              .append('\n');
          after = e.sequence();
        }
        if (page.entries().size() < 100) {
          break;
        }
      }
      for (Map.Entry<String, HoldId> h : holds.entrySet()) {
        c.findHold(account, h.getValue()).ifPresent(hold -> out.append("hold ").append(h.getKey()).append(' ')
            .append(render(hold)).append('\n'));
      }
    }
    return out.toString();
  }

  private String holdName(HoldId id) {
    for (Map.Entry<String, HoldId> h : holds.entrySet()) {
      if (h.getValue().equals(id)) {
        return h.getKey();
      }
    }
    return id.value();
  }

  static String render(Hold h) {
    List<String> allocations = new ArrayList<>();
    for (Allocation a : h.allocations()) {
      allocations.add(a.lot().value() + ":" + a.amount());
    }
    return h.id().value() + ' ' + h.state() + " amount=" + h.amount() + " settled=" + h.settled() + " created="
        + h.createdAt() + " deadline=" + h.deadline() + " ended=" + h.endedAt() + ' ' + new TreeMap<>(h.metadata())
        + " allocations=" + allocations;
  }
}
