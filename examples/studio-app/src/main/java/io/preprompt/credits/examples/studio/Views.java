package io.preprompt.credits.examples.studio;

import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.Estimate;
import io.preprompt.credits.gate.EstimateLine;
import io.preprompt.credits.gate.GenerationKind;
import io.preprompt.credits.gate.UpgradeOffer;
import io.preprompt.credits.plans.Tier;
import io.preprompt.credits.gate.RateCard;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** What the pages and their scripts are given: plain records, rendered by Thymeleaf or as JSON. */
final class Views {
  private Views() {}

  /**
   * An itemized estimate.
   *
   * @param lines the items, each with its credits written out (fractions to three places)
   * @param total the credits held when it starts: the items' sum rounded up to a whole credit
   * @param available the credits the account can spend now
   * @param covered whether the balance covers it
   */
  record EstimateView(List<LineView> lines, long total, long available, boolean covered) {
    static EstimateView of(Estimate e, long available) {
      return new EstimateView(e.lines().stream().map(LineView::of).toList(), e.credits(), available,
          e.credits() <= available);
    }
  }

  /**
   * One item of an estimate.
   *
   * @param label what it is
   * @param detail how it is priced
   * @param credits its credits, exact ({@code 2.5})
   */
  record LineView(String label, String detail, String credits) {
    static LineView of(EstimateLine l) {
      return new LineView(l.label(), l.detail(), decimal(l.millicredits()));
    }
  }

  /** Writes millicredits as credits: whole, or with up to three decimals. */
  static String decimal(long millicredits) {
    String sign = millicredits < 0 ? "-" : "";
    long m = Math.abs(millicredits);
    long whole = m / 1000;
    long frac = m % 1000;
    if (frac == 0) {
      return sign + whole;
    }
    String f = String.format(Locale.ROOT, "%03d", frac).replaceAll("0+$", "");
    return sign + whole + "." + f;
  }

  /**
   * How a generate action ended, for the page.
   *
   * @param status {@code succeeded}, {@code failed}, {@code blocked} or {@code not-in-tier}
   * @param message one sentence for the user
   * @param estimate the credits estimated and held
   * @param charged the credits charged
   * @param replayed whether an earlier request with the same key ran it
   * @param offer the upgrade offer, when blocked
   * @param needs what the tier lacks, when not in tier
   */
  record GenerationView(String status, String message, long estimate, long charged, boolean replayed,
      @Nullable OfferView offer, @Nullable NeedsTierView needs) {}

  /**
   * The upgrade modal's numbers.
   *
   * @param available the balance
   * @param estimate the pending generation's estimate
   * @param shortfall how much is missing
   * @param tiers the paid tiers
   * @param packs the packs, when the account may buy them
   */
  record OfferView(long available, long estimate, long shortfall, List<TierView> tiers, List<PackView> packs) {
    static OfferView of(Authorization.InsufficientCredits no, Map<String, Long> prices, String currency,
        boolean mayBuyPacks, RateCard card) {
      List<TierView> tiers = no.offer().tiers().stream()
          .filter(t -> t.tier().paid())
          .map(t -> TierView.of(t.tier(), prices, currency, t.coversShortfall(), t.current(), card))
          .toList();
      List<PackView> packs = mayBuyPacks
          ? no.offer().packs().stream().map(p -> new PackView(p.pack().id(), p.pack().credits(),
              money(p.pack().priceMinor(), p.pack().currency()), p.coversShortfall())).toList()
          : List.of();
      return new OfferView(no.available(), no.estimate(), no.shortfall(), tiers, packs);
    }
  }

  /**
   * A paid tier as the pages show it.
   *
   * @param id its id
   * @param name its name
   * @param monthlyCredits its monthly allowance
   * @param price its monthly price, written out
   * @param features what it unlocks, in words
   * @param coversShortfall whether its allowance would cover the blocked generation
   * @param current whether the account is on it
   */
  record TierView(String id, String name, long monthlyCredits, String price, String features,
      boolean coversShortfall, boolean current) {
    static TierView of(Tier t, Map<String, Long> prices, String currency, boolean coversShortfall, boolean current,
        RateCard card) {
      Long price = prices.get(t.id());
      var e = t.entitlements();
      List<String> resolutions = new ArrayList<>();
      List<String> models = new ArrayList<>();
      for (StudioController.KindOption k : StudioController.catalog(card)) {
        for (StudioController.ModelOption m : k.models()) {
          addIf(models, m.name(), e.models());
          m.resolutions().forEach(r -> addIf(resolutions, r, e.resolutions()));
        }
      }
      String features = String.join(", ", resolutions) + "; clips up to " + e.maxClipSeconds() + " s; "
          + e.maxVariants() + " variants; models: " + String.join(", ", models);
      return new TierView(t.id(), t.name(), t.monthlyAllowance(),
          price == null ? "" : money(price, currency) + " a month", features, coversShortfall, current);
    }
  }

  /**
   * A pack as the pages show it.
   *
   * @param id its id
   * @param credits its credits, which never expire
   * @param price its price, written out
   * @param coversShortfall whether it would cover the blocked generation
   */
  record PackView(String id, long credits, String price, boolean coversShortfall) {}

  /**
   * An option the account's tier lacks.
   *
   * @param option the option, e.g. {@code resolution=4k}
   * @param currentTier the account's tier
   * @param lowestTier the lowest tier that has it
   */
  record NeedsTierView(String option, String currentTier, String lowestTier) {}

  /** Adds a value the tier has, once, in the rate card's order (cheapest first). */
  private static void addIf(List<String> ordered, String value, Set<String> allowed) {
    if (allowed.contains(value) && !ordered.contains(value)) {
      ordered.add(value);
    }
  }

  /** Writes an amount in minor units, e.g. {@code $12.00} or {@code 12.00 EUR}. */
  static String money(long minor, String currency) {
    String amount = (minor / 100) + "." + String.format(Locale.ROOT, "%02d", Math.abs(minor % 100));
    return "USD".equals(currency) ? "$" + amount : amount + " " + currency;
  }

  /** A kind's name for people: {@code VIDEO_CLIP} is "Video clip". */
  static String label(GenerationKind kind) {
    String n = kind.name().replace('_', ' ').toLowerCase(Locale.ROOT);
    return Character.toUpperCase(n.charAt(0)) + n.substring(1);
  }
}
