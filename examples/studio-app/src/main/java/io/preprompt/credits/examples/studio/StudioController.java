package io.preprompt.credits.examples.studio;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditsException;
import io.preprompt.credits.gate.Authorization;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationKind;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.gate.ModelRate;
import io.preprompt.credits.gate.RateCard;
import io.preprompt.credits.gate.Ratio;
import io.preprompt.credits.plans.PlanService;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The studio: pick a generation, see its itemized estimate, generate. The page's script asks
 * {@code GET /api/estimate} as the choices change and {@code POST /api/generations} to generate,
 * and listens to {@code GET /events} for the live balance.
 */
@Controller
class StudioController {
  private final CreditService credits;
  private final GenerationGate gate;
  private final PlanService plans;
  private final Generations generations;
  private final LiveBalance live;
  private final Layout layout;
  private final StudioProperties properties;
  private final JsonMapper json;

  StudioController(CreditService credits, GenerationGate gate, PlanService plans, Generations generations,
      LiveBalance live, Layout layout, StudioProperties properties, JsonMapper json) {
    this.json = json;
    this.credits = credits;
    this.gate = gate;
    this.plans = plans;
    this.generations = generations;
    this.live = live;
    this.layout = layout;
    this.properties = properties;
  }

  /** A request the page should not have sent: 400 with the reason. */
  static final class BadRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadRequestException(String message) {
      super(message);
    }
  }

  /**
   * A kind in the generate form.
   *
   * @param name its name ({@code VIDEO_CLIP})
   * @param label its name for people
   * @param timed whether it is priced by the second (a length to pick)
   * @param models its models
   */
  record KindOption(String name, String label, boolean timed, List<ModelOption> models) {}

  /**
   * A model in the generate form.
   *
   * @param name its name
   * @param resolutions the resolutions it renders, cheapest first (none for audio)
   */
  record ModelOption(String name, List<String> resolutions) {}

  /**
   * The generate form as the page's script sends it.
   *
   * @param key the action's idempotency key, new for each action the page offers
   * @param kind the kind's name
   * @param model the model
   * @param resolution the resolution, for images and clips
   * @param seconds the length, for timed kinds
   * @param variants how many variants
   * @param reshot whether it is a reshot of an earlier generation
   * @param outcome what the fake model does: succeeds, costs-less or fails
   */
  record GenerateForm(@Nullable String key, @Nullable String kind, @Nullable String model,
      @Nullable String resolution, @Nullable Integer seconds, @Nullable Integer variants, boolean reshot,
      @Nullable String outcome) {}

  @GetMapping("/studio")
  String studio(Model model, HttpServletRequest request) {
    AccountId account = SignedIn.require(request);
    layout.fill(model, account, "studio");
    List<KindOption> kinds = catalog(gate.rateCard());
    model.addAttribute("kinds", kinds);
    model.addAttribute("catalogJson", json.writeValueAsString(kinds));
    model.addAttribute("key", newKey());
    return "studio";
  }

  @GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  @ResponseBody
  SseEmitter events(HttpServletRequest request) {
    return live.open(SignedIn.require(request));
  }

  @GetMapping("/api/estimate")
  @ResponseBody
  Views.EstimateView estimate(HttpServletRequest request, @RequestParam(required = false) @Nullable String kind,
      @RequestParam(required = false) @Nullable String model,
      @RequestParam(required = false) @Nullable String resolution,
      @RequestParam(required = false) @Nullable Integer seconds,
      @RequestParam(required = false) @Nullable Integer variants, @RequestParam(defaultValue = "false") boolean reshot) {
    AccountId account = SignedIn.require(request);
    GenerationRequest r = request(kind, model, resolution, seconds, variants, reshot);
    return Views.EstimateView.of(gate.rateCard().estimate(r), credits.balance(account).available());
  }

  @PostMapping("/api/generations")
  @ResponseBody
  Views.GenerationView generate(HttpServletRequest request, @RequestBody GenerateForm form) {
    AccountId account = SignedIn.require(request);
    if (form.key() == null || form.key().isBlank()) {
      throw new BadRequestException("the page must send a key for each generate action");
    }
    GenerationRequest r = request(form.kind(), form.model(), form.resolution(), form.seconds(), form.variants(),
        form.reshot());
    Generations.FakeOutcome outcome = Generations.FakeOutcome.parse(form.outcome() == null ? "succeeds" : form.outcome());
    Generations.Result result = generations.generate(account, form.key(), r, outcome);
    if (result instanceof Generations.Ran ran) {
      GenerationClaims.Claim c = ran.claim();
      String message = switch (c.status()) {
        case SUCCEEDED -> c.charged() != null && c.charged() < c.estimate()
            ? "Done. It cost " + c.charged() + " credits, less than the " + c.estimate() + " estimated."
            : "Done. It cost " + c.charged() + " credits.";
        case FAILED -> "The generation failed (" + c.reason() + "). Its " + c.estimate()
            + " held credits are back in your balance.";
        case RUNNING -> "Still running: it will show in your history when it ends.";
      };
      return new Views.GenerationView(c.status().name().toLowerCase(java.util.Locale.ROOT), message, c.estimate(),
          c.charged() == null ? 0 : c.charged(), ran.replayed(), null, null);
    }
    Authorization refusal = ((Generations.Refused) result).refusal();
    if (refusal instanceof Authorization.InsufficientCredits no) {
      Views.OfferView offer = Views.OfferView.of(no, properties.tierPrices(), properties.currency(),
          plans.mayBuyPacks(account), gate.rateCard());
      return new Views.GenerationView("blocked", "This generation needs " + no.estimate() + " credits; you have "
          + no.available() + ".", no.estimate(), 0, false, offer, null);
    }
    Authorization.NotInTier tier = (Authorization.NotInTier) refusal;
    return new Views.GenerationView("not-in-tier", tier.option() + " needs " + tier.lowestTier().name()
        + " or higher.", 0, 0, false, null,
        new Views.NeedsTierView(tier.option(), tier.currentTier().name(), tier.lowestTier().name()));
  }

  @ExceptionHandler(Generations.KeyReusedException.class)
  ResponseEntity<Map<String, String>> keyReused(Generations.KeyReusedException e) {
    return ResponseEntity.status(HttpStatus.CONFLICT)
        .body(Map.of("code", "IDEMPOTENCY_CONFLICT", "message", String.valueOf(e.getMessage())));
  }

  @ExceptionHandler({BadRequestException.class, CreditsException.class})
  ResponseEntity<Map<String, String>> badRequest(RuntimeException e) {
    String code = e instanceof CreditsException c ? c.code().name() : "BAD_REQUEST";
    HttpStatus status = e instanceof CreditsException c && !(c instanceof io.preprompt.credits.core.InvalidRequestException)
        ? HttpStatus.CONFLICT : HttpStatus.BAD_REQUEST;
    return ResponseEntity.status(status).body(Map.of("code", code, "message", String.valueOf(e.getMessage())));
  }

  /** A new key for the next generate action. */
  static String newKey() {
    return "gen-" + UUID.randomUUID();
  }

  /** Builds the library's request from the form's fields. */
  static GenerationRequest request(@Nullable String kindName, @Nullable String model, @Nullable String resolution,
      @Nullable Integer seconds, @Nullable Integer variants, boolean reshot) {
    if (kindName == null || model == null || model.isBlank()) {
      throw new BadRequestException("choose a kind and a model");
    }
    GenerationKind kind = GenerationKind.of(kindName);
    int length = seconds == null ? 0 : seconds;
    GenerationRequest r;
    if (kind.equals(GenerationKind.IMAGE) || kind.equals(GenerationKind.VIDEO_CLIP)) {
      if (resolution == null || resolution.isBlank()) {
        throw new BadRequestException("choose a resolution");
      }
      r = kind.equals(GenerationKind.IMAGE) ? GenerationRequest.image(model, resolution)
          : GenerationRequest.clip(model, resolution, length);
    } else if (kind.equals(GenerationKind.VOICE_LINE)) {
      r = GenerationRequest.voice(model, length);
    } else if (kind.equals(GenerationKind.MUSIC_CUE)) {
      r = GenerationRequest.music(model, length);
    } else {
      throw new BadRequestException("the studio generates images, clips, voice lines and music cues; not " + kindName);
    }
    if (variants != null && variants != 1) {
      r = r.withVariants(variants);
    }
    return reshot ? r.asReshot() : r;
  }

  /** The kinds, models and resolutions of the rate card, for the form. */
  static List<KindOption> catalog(RateCard card) {
    List<KindOption> kinds = new ArrayList<>();
    for (GenerationKind kind : card.kinds()) {
      List<ModelOption> models = new ArrayList<>();
      boolean timed = false;
      for (ModelRate rate : card.rates()) {
        if (!rate.kind().equals(kind)) {
          continue;
        }
        timed |= rate.perSecondMillis() > 0;
        List<String> resolutions = rate.resolutionFactors().entrySet().stream()
            .sorted(Comparator.comparing(Map.Entry<String, Ratio>::getValue, StudioController::compare)
                .thenComparing(Map.Entry::getKey))
            .map(Map.Entry::getKey)
            .toList();
        models.add(new ModelOption(rate.model(), resolutions));
      }
      kinds.add(new KindOption(kind.name(), Views.label(kind), timed, models));
    }
    return kinds;
  }

  private static int compare(Ratio a, Ratio b) {
    return Long.compare(Math.multiplyExact(a.numerator(), b.denominator()),
        Math.multiplyExact(b.numerator(), a.denominator()));
  }
}
