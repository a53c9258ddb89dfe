package io.preprompt.credits.examples;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.Credits;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.Release;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.StateException;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.BatchEstimate;
import io.preprompt.credits.gate.Estimate;
import io.preprompt.credits.gate.EstimateLine;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationHistory;
import io.preprompt.credits.gate.GenerationKind;
import io.preprompt.credits.gate.GenerationRecord;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.gate.KindUsage;
import io.preprompt.credits.gate.UpgradeOffer;
import io.preprompt.credits.gate.UsageReport;
import io.preprompt.credits.jdbc.JdbcCreditStore;
import io.preprompt.credits.jdbc.JdbcStoreConfig;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerEntry;
import io.preprompt.credits.ledger.LedgerQuery;
import io.preprompt.credits.ledger.Reconciliation;
import io.preprompt.credits.plans.AccountOverview;
import io.preprompt.credits.plans.BillingEvent;
import io.preprompt.credits.plans.BillingOutcome;
import io.preprompt.credits.plans.PackOrder;
import io.preprompt.credits.plans.PlanChange;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.plans.SignupResult;
import io.preprompt.credits.testkit.MutableClock;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.jspecify.annotations.Nullable;

/**
 * The help page's credit journey on the embedded default (the JDBC adapter over an in-memory H2
 * database), printed as a transcript: sign up and verify, estimate a scene, generate with holds
 * and settles, a failed generation refunded, a blocked one with its upgrade offer, subscribe to
 * Studio, buy a pack, upgrade mid-month, cancel, then the history and the month's usage.
 *
 * <p>Run it with {@code mvn -B -q -pl examples -am compile exec:java}. Every step checks what it
 * printed against what the help page promises and stops with an exception when they differ, so a
 * clean exit means the journey held.
 */
public final class CreditJourney {
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final PrintStream out;
  private final MutableClock clock = MutableClock.at("2026-03-10T09:00:00Z");
  private final CreditService credits;
  private final PlanService plans;
  private final GenerationGate gate;
  private final AccountId maya = AccountId.of("user-maya");
  private final Instant signedUpAt = clock.instant();
  private @Nullable AccountOverview lastPaidMonth;
  private int keys;

  private CreditJourney(PrintStream out, DataSource dataSource) {
    this.out = out;
    JdbcStoreConfig config = JdbcStoreConfig.of(JdbcStoreConfig.Dialect.H2);
    JdbcCreditStore.install(dataSource, config);
    Credits library = Credits.builder().store(JdbcCreditStore.create(dataSource, config)).clock(clock)
        .lowBalanceListener((account, available, typical, threshold) -> out.println("   ! low-balance signal: "
            + available + " credits left, below the warning threshold of " + threshold))
        .build();
    credits = library.credits();
    plans = library.plans();
    gate = library.gate();
  }

  /**
   * Runs the journey on a fresh in-memory H2 database and prints it to standard output.
   *
   * @param args ignored
   */
  public static void main(String[] args) {
    run(System.out);
  }

  /**
   * Runs the journey on a fresh in-memory H2 database, printing to {@code out}.
   *
   * @param out where the transcript goes
   * @throws IllegalStateException when a step does not do what the help page promises
   */
  public static void run(PrintStream out) {
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:credit_journey_" + DATABASES.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
    new CreditJourney(out, h2).play();
  }

  private void play() {
    title("PrePrompt credits: Maya's first month (embedded H2 store, rate card " + gate.rateCard().version() + ")");
    signUp();
    List<GenerationRequest> scene = estimateScene();
    generateScene(scene);
    failedClip();
    blocked();
    subscribe();
    buyPack();
    upgrade();
    cancel();
    history();
  }

  private void signUp() {
    step(1, "Sign up and verify email");
    credits.openAccount(maya, key());
    SignupResult signup = plans.verifyEmail(maya, key());
    out.println("   verified: +" + signup.credits() + " free credits; " + balance());
    SignupResult again = plans.verifyEmail(maya, key());
    out.println("   verified again: +" + again.credits() + " (" + again.detail() + ")");
    check(credits.balance(maya).available() == 200, "the signup grant is 200 credits, once");
  }

  private List<GenerationRequest> estimateScene() {
    step(2, "Estimate a scene: 8 beats, two Actors and a Set");
    List<GenerationRequest> scene = new ArrayList<>();
    scene.add(GenerationRequest.image("standard", "720p"));
    scene.add(GenerationRequest.image("standard", "720p"));
    scene.add(GenerationRequest.image("standard", "720p"));
    for (int beat = 1; beat <= 8; beat++) {
      scene.add(GenerationRequest.image("standard", "720p"));
    }
    scene.add(GenerationRequest.voice("standard", 6));
    BatchEstimate estimate = gate.rateCard().estimateBatch(scene);
    out.println("   " + scene.size() + " items (Actor A, Actor B, the Set, beats 1-8, a voice line): "
        + estimate.totalCredits() + " credits");
    Estimate frame = estimate.items().get(3);
    out.println("   one storyboard frame, itemized: " + frame.credits() + " credits");
    for (EstimateLine line : frame.lines()) {
      out.println("     " + line.label() + ": " + line.detail());
    }
    Estimate voice = estimate.items().get(11);
    out.println("   the 6-second voice line: " + voice.credits() + " credits");
    check(estimate.totalCredits() <= 200, "a 6-10 beat scene fits in the free credits");
    return scene;
  }

  private void generateScene(List<GenerationRequest> scene) {
    step(3, "Generate the scene: hold on start, settle on success");
    clock.advance(Duration.ofMinutes(10));
    Authorization auth = gate.authorizeBatch(maya, scene, key());
    Authorization.Authorized ok = expect(auth, Authorization.Authorized.class);
    out.println("   authorized all " + ok.holds().size() + " items at once: held " + ok.total() + "; " + balance());
    for (int i = 0; i < ok.holds().size(); i++) {
      Hold hold = ok.holds().get(i);
      Settlement s = gate.succeeded(maya, hold.id(), CreditAmount.of(hold.amount()), key());
      check(s.settled() == hold.amount(), "a success settles the estimate");
    }
    out.println("   all succeeded and settled: " + balance());
    List<GenerationRequest> reshots = List.of(GenerationRequest.image("standard", "720p").asReshot(),
        GenerationRequest.image("standard", "720p").asReshot(), GenerationRequest.image("standard", "720p").asReshot());
    Authorization.Authorized again = expect(gate.authorizeBatch(maya, reshots, key()), Authorization.Authorized.class);
    for (Hold hold : again.holds()) {
      gate.succeeded(maya, hold.id(), CreditAmount.of(hold.amount()), key());
    }
    out.println("   3 reshots at half price (" + again.estimates().get(0).credits() + " each): " + balance());
  }

  private void failedClip() {
    step(4, "A generation fails and is refunded");
    clock.advance(Duration.ofHours(1));
    GenerationRequest clip = GenerationRequest.clip("standard", "720p", 5);
    long before = credits.balance(maya).available();
    Authorization.Authorized ok = expect(gate.authorizeBatch(maya, List.of(clip, clip), key()),
        Authorization.Authorized.class);
    out.println("   two 5-second clips start: held " + ok.total() + "; " + balance());
    for (Hold hold : ok.holds()) {
      Release release = gate.failed(maya, hold.id(), "model timeout", key());
      out.println("   a clip fails: released " + release.returned() + "; " + balance());
    }
    check(credits.balance(maya).available() == before, "a failed generation costs nothing");
  }

  private void blocked() {
    step(5, "A generation is blocked, with its upgrade offer");
    clock.advance(Duration.ofHours(1));
    List<GenerationRequest> sequence = Collections.nCopies(6, GenerationRequest.clip("standard", "720p", 5));
    Authorization auth = gate.authorizeBatch(maya, sequence, key());
    Authorization.InsufficientCredits no = expect(auth, Authorization.InsufficientCredits.class);
    out.println("   a 30-second sequence (six 5-second clips): estimate " + no.estimate() + ", balance " + no.available() + ", short by "
        + no.shortfall() + "; nothing held (" + balance() + ")");
    for (UpgradeOffer.TierOption t : no.offer().tiers()) {
      out.println("     offer: " + t.tier().name() + ", " + t.monthlyAllowance() + " credits/month"
          + (t.coversShortfall() ? ", covers it" : ""));
    }
    out.println("     packs on offer: " + (no.offer().packs().isEmpty() ? "none on the free tier" : no.offer().packs()));
    Authorization.NotInTier tier = expect(gate.authorize(maya, GenerationRequest.image("standard", "1080p"), key()),
        Authorization.NotInTier.class);
    out.println("   a 1080p image: not in tier " + tier.currentTier().name() + ", needs " + tier.lowestTier().name()
        + " (" + tier.option() + ")");
    try {
      plans.buyPack(maya, "pack_500", key());
      throw new IllegalStateException("the free tier bought a pack");
    } catch (StateException e) {
      out.println("   buying a pack on the free tier: " + e.code());
    }
    check(credits.balance(maya).held() == 0, "nothing is held unless authorized");
  }

  private void subscribe() {
    step(6, "Subscribe to Studio");
    clock.advance(Duration.ofDays(2));
    PlanChange sub = plans.subscribe(maya, "studio", key());
    BillingOutcome paid = plans.handle(new BillingEvent.CyclePaid("evt-cycle-0", maya, 0));
    out.println("   subscribed " + sub.effectiveAt() + "; cycle 0 paid: +" + paid.credits() + " allowance");
    out.println("   " + overview());
    BillingOutcome duplicate = plans.handle(new BillingEvent.CyclePaid("evt-cycle-0", maya, 0));
    out.println("   the same webhook delivered twice: " + duplicate.effect() + ", +" + duplicate.credits());
    check(plans.overview(maya).allowanceTotal() == 1_000, "Studio's allowance is granted once per cycle");
  }

  private void buyPack() {
    step(7, "Buy a credit pack");
    clock.advance(Duration.ofHours(1));
    PackOrder order = plans.buyPack(maya, "pack_500", key());
    out.println("   ordered " + order.pack().id() + " (" + order.pack().credits() + " credits), payment reference "
        + order.paymentReference());
    BillingOutcome paid = plans.handle(BillingEvent.PackPaid.of("evt-pack-1", order));
    out.println("   payment confirmed: +" + paid.credits() + "; " + overview());
    check(plans.overview(maya).packCredits() == 500, "a pack is granted once its payment is confirmed");
  }

  private void upgrade() {
    step(8, "Upgrade to Studio Pro mid-month");
    clock.advance(Duration.ofDays(15));
    Authorization.Authorized clip = expect(gate.authorize(maya, GenerationRequest.clip("pro", "1080p", 8), key()),
        Authorization.Authorized.class);
    long actual = gate.rateCard().estimate(GenerationRequest.clip("pro", "1080p", 7)).credits();
    Settlement settled = gate.succeeded(maya, clip.holds().get(0).id(), CreditAmount.of(actual), key());
    out.println("   day 15: an 8-second 1080p pro clip, estimated " + clip.total() + "; it came out 7 seconds: charged "
        + settled.settled() + ", " + settled.returned() + " returned; " + balance());
    check(settled.settled() + settled.returned() == clip.total(), "settling less returns the rest");
    PlanChange upgrade = plans.changePlan(maya, "studio_pro", key());
    out.println("   upgraded " + upgrade.effectiveAt() + ": +" + upgrade.proratedCredits()
        + " pro-rated credits (the rest of the month's 2000-credit difference, rounded down)");
    out.println("   " + overview());
    check(upgrade.immediate() && upgrade.proratedCredits() > 0 && upgrade.proratedCredits() < 2_000,
        "an upgrade pro-rates now");
    Authorization.Authorized cinematic = expect(
        gate.authorize(maya, GenerationRequest.image("cinematic", "1440p"), key()), Authorization.Authorized.class);
    gate.succeeded(maya, cinematic.holds().get(0).id(), CreditAmount.of(cinematic.holds().get(0).amount()),
        key());
    out.println("   a 1440p cinematic image, now in tier: " + cinematic.total() + " credits; " + balance());
  }

  private void cancel() {
    step(9, "Cancel");
    PlanChange cancel = plans.cancel(maya, key());
    AccountOverview o = plans.overview(maya);
    lastPaidMonth = o;
    out.println("   cancelled: takes effect " + cancel.effectiveAt() + " (end of the paid month); until then "
        + o.tier().name());
    out.println("   this month's usage: " + o.usedThisCycle() + " credits used; " + o.allowanceRemaining() + " of "
        + o.allowanceTotal() + " allowance left, cycle " + o.cycleStart() + " to " + o.cycleEnd());
    clock.advance(Duration.ofDays(20));
    plans.renewDue();
    AccountOverview after = plans.overview(maya);
    out.println("   after the month ended, no refill: " + overview());
    check(after.tier().id().equals("free") && after.balance().available() == o.balance().available(),
        "credits already in the balance stay after cancelling");
  }

  private void history() {
    step(10, "History and the month's usage");
    AccountOverview month = Objects.requireNonNull(lastPaidMonth, "the paid month");
    Instant start = Objects.requireNonNull(month.cycleStart(), "cycle start");
    Instant end = Objects.requireNonNull(month.cycleEnd(), "cycle end");
    GenerationHistory history = gate.history();
    UsageReport usage = history.usage(maya, start, end);
    out.println("   the paid month " + start + " to " + end + ": " + usage.totalCredits() + " credits charged");
    for (KindUsage k : usage.byKind().values()) {
      if (k.generations() > 0) {
        out.println("     " + name(k.kind()) + ": " + k.generations() + " generation(s), " + k.credits() + " credits");
      }
    }
    check(usage.totalCredits() == month.usedThisCycle(), "the usage report agrees with the user menu");

    out.println("   per-generation cost history since signup (estimate -> charged):");
    List<GenerationRecord> generations = history.generations(maya, signedUpAt, clock.instant());
    Map<String, long[]> grouped = new LinkedHashMap<>();
    for (GenerationRecord g : generations) {
      String line = name(g.kind()) + " " + g.model() + ", " + g.outcome().name().toLowerCase(Locale.ROOT) + ": "
          + g.estimate() + " -> " + g.actual();
      long[] c = grouped.computeIfAbsent(line, k -> new long[1]);
      c[0]++;
    }
    for (Map.Entry<String, long[]> g : grouped.entrySet()) {
      out.println("     " + (g.getValue()[0] > 1 ? g.getValue()[0] + " x " : "") + g.getKey());
    }
    long charged = generations.stream().mapToLong(GenerationRecord::actual).sum();

    List<LedgerEntry> all = new ArrayList<>();
    credits.forEachEntry(maya, LedgerQuery.firstPage(20), all::add);
    Map<EntryType, long[]> byType = new EnumMap<>(EntryType.class);
    for (LedgerEntry e : all) {
      long[] t = byType.computeIfAbsent(e.type(), k -> new long[2]);
      t[0]++;
      t[1] += e.amount();
    }
    out.println("   the ledger: " + all.size() + " entries, read in pages of 20");
    for (Map.Entry<EntryType, long[]> t : byType.entrySet()) {
      out.println("     " + t.getKey() + ": " + t.getValue()[0] + " entries, " + t.getValue()[1] + " credits");
    }
    check(byType.get(EntryType.SETTLE)[1] == charged, "every settled credit belongs to a generation");
    Reconciliation r = credits.reconcile(maya);
    out.println("   reconciled with the ledger: " + (r.consistent() ? "consistent" : "DIFFERENT: " + r));
    check(r.consistent(), "the ledger explains the balance");
    out.println();
    out.println("Journey complete: " + balance() + ".");
  }

  private static String name(GenerationKind kind) {
    return kind.name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }

  // ------------------------------------------------------------------------------------- helpers

  private IdempotencyKey key() {
    return IdempotencyKey.of("journey-" + (++keys));
  }

  private String balance() {
    BalanceView b = credits.balance(maya);
    return "available " + b.available() + ", held " + b.held();
  }

  private String overview() {
    AccountOverview o = plans.overview(maya);
    return o.tier().name() + " (" + o.status() + "): available " + o.balance().available() + " = free "
        + o.freeCredits() + " + allowance " + o.allowanceRemaining() + " + packs " + o.packCredits();
  }

  private void title(String text) {
    out.println(text);
    out.println("=".repeat(text.length()));
  }

  private void step(int number, String text) {
    out.println();
    out.println(number + ". " + text);
  }

  private static <T extends Authorization> T expect(Authorization auth, Class<T> type) {
    if (!type.isInstance(auth)) {
      throw new IllegalStateException("expected " + type.getSimpleName() + " but the gate answered " + auth);
    }
    return type.cast(auth);
  }

  private static void check(boolean holds, String promise) {
    if (!holds) {
      throw new IllegalStateException("the journey broke a promise: " + promise);
    }
  }
}
