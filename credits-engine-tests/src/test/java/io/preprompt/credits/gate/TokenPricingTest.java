package io.preprompt.credits.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Kinds as data, token, flat and custom-unit prices, and requests with quantities. */
@DisplayName("Token, flat and custom pricing")
class TokenPricingTest {
  static final GenerationKind CHAT = GenerationKind.of("CHAT");
  static final GenerationKind MODERATION = GenerationKind.of("MODERATION");
  static final GenerationKind OCR = GenerationKind.of("OCR");
  static final PriceDimension PAGES = PriceDimension.of("pages");

  /** 2 credits per million input tokens, 8 per million output, cached 0.5, reasoning 8. */
  static final ModelRate CHAT_PRO = ModelRate.perToken(CHAT, "chat-pro",
      TokenPrices.of(2_000_000, 8_000_000).withCachedInput(500_000).withReasoning(8_000_000));
  /** No cached-input or reasoning price, a base of half a credit per call. */
  static final ModelRate CHAT_MINI = ModelRate.perToken(CHAT, "chat-mini",
      TokenPrices.of(150_000, 600_000).withBase(500));

  /** The default card plus language models, a flat-priced moderation check and a per-page OCR. */
  static RateCard card() {
    return RateCard.defaults().with("2026-11-llm", CHAT_PRO, CHAT_MINI,
        ModelRate.flat(MODERATION, "mod-1", 1_500),
        ModelRate.of(OCR, "ocr-1", 0, Map.of(PAGES, UnitPrice.perUnit(250)), Map.of()));
  }

  private static ErrorCode code(Runnable call) {
    Throwable t = catchThrowable(call::run);
    assertThat(t).isInstanceOf(InvalidRequestException.class);
    return ((InvalidRequestException) t).code();
  }

  @Nested
  @DisplayName("Kinds are data")
  class Kinds {
    @Test
    @DisplayName("the four media kinds keep their names; any well-formed name is a kind, equal by name")
    void kindsByName() {
      assertThat(GenerationKind.of("IMAGE")).isSameAs(GenerationKind.IMAGE);
      assertThat(GenerationKind.VIDEO_CLIP.name()).isEqualTo("VIDEO_CLIP");
      assertThat(GenerationKind.VIDEO_CLIP).hasToString("VIDEO_CLIP");
      assertThat(GenerationKind.of("CHAT")).isEqualTo(CHAT).hasSameHashCodeAs(CHAT).hasToString("CHAT")
          .isNotEqualTo(GenerationKind.IMAGE);
      assertThat(GenerationKind.of("A" + "B".repeat(39)).name()).hasSize(40);
      assertThat(code(() -> GenerationKind.of("A" + "B".repeat(40)))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(code(() -> GenerationKind.of("1CHAT"))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(code(() -> GenerationKind.of(null))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("the default card lists exactly the four media kinds; a card lists its kinds in card order")
    void cardKinds() {
      assertThat(RateCard.defaults().kinds()).containsExactly(GenerationKind.IMAGE, GenerationKind.VIDEO_CLIP,
          GenerationKind.VOICE_LINE, GenerationKind.MUSIC_CUE);
      assertThat(card().kinds()).containsExactly(GenerationKind.IMAGE, GenerationKind.VIDEO_CLIP,
          GenerationKind.VOICE_LINE, GenerationKind.MUSIC_CUE, CHAT, MODERATION, OCR);
      assertThat(card().version()).isEqualTo("2026-11-llm");
      assertThat(card().rate(CHAT, "chat-pro")).contains(CHAT_PRO);
      assertThat(card().rate(CHAT, "nope")).isEmpty();
    }

    @Test
    @DisplayName("adding rates keeps the default prices; a rate of the same kind and model replaces the old one")
    void withKeepsAndReplaces() {
      RateCard defaults = RateCard.defaults();
      RateCard extended = card();
      for (GenerationRequest r : List.of(GenerationRequest.image("ultra", "4k"), GenerationRequest.clip("pro", "1080p", 7),
          GenerationRequest.voice("standard", 12), GenerationRequest.music("pro", 30).asReshot())) {
        assertThat(extended.estimate(r).credits()).isEqualTo(defaults.estimate(r).credits());
      }
      RateCard cheaper = defaults.with("2026-12", ModelRate.perCall(GenerationKind.IMAGE, "standard", 6_000,
          Map.of("720p", Ratio.ONE)));
      assertThat(cheaper.estimate(GenerationRequest.image("standard", "720p")).credits()).isEqualTo(6);
      assertThat(cheaper.rates()).hasSameSizeAs(defaults.rates());
      assertThat(cheaper.reshotFactor()).isEqualTo(defaults.reshotFactor());
    }

    @Test
    @DisplayName("gate hold deadlines: the four defaults unchanged, a default for other kinds, overrides for any")
    void holdDeadlines() {
      GateConfig config = GateConfig.defaults();
      assertThat(config.holdDeadline(GenerationKind.IMAGE)).hasMinutes(2);
      assertThat(config.holdDeadline(GenerationKind.VOICE_LINE)).hasMinutes(2);
      assertThat(config.holdDeadline(GenerationKind.MUSIC_CUE)).hasMinutes(5);
      assertThat(config.holdDeadline(GenerationKind.VIDEO_CLIP)).hasMinutes(15);
      assertThat(config.holdDeadline(CHAT)).isEqualTo(GateConfig.DEFAULT_HOLD_DEADLINE);
      GateConfig custom = config.withHoldDeadline(CHAT, java.time.Duration.ofMinutes(3))
          .withDefaultHoldDeadline(java.time.Duration.ofMinutes(1));
      assertThat(custom.holdDeadline(CHAT)).hasMinutes(3);
      assertThat(custom.holdDeadline(OCR)).hasMinutes(1);
      assertThat(custom.holdDeadline(GenerationKind.IMAGE)).hasMinutes(2);
      assertThat(custom).isNotEqualTo(config).isEqualTo(config.withHoldDeadline(CHAT, java.time.Duration.ofMinutes(3))
          .withDefaultHoldDeadline(java.time.Duration.ofMinutes(1)));
      assertThat(code(() -> config.withDefaultHoldDeadline(java.time.Duration.ZERO)))
          .isEqualTo(ErrorCode.INVALID_CONFIGURATION);
    }
  }

  @Nested
  @DisplayName("Token estimates")
  class Estimates {
    @Test
    @DisplayName("input and output tokens at a price per million, itemized per dimension")
    void inputAndOutput() {
      // 1200 x 2000000/1M = 2400 mc; + 500 x 8000000/1M = 4000 mc; 6400 mc -> 7 credits
      Estimate e = card().estimate(GenerationRequest.tokens(CHAT, "chat-pro", 1_200, 500));
      assertThat(e.credits()).isEqualTo(7);
      assertThat(e.lines()).containsExactly(
          new EstimateLine("base", "CHAT chat-pro: 0 mc", 0),
          new EstimateLine("input_tokens", "input tokens: 1200 x 2000000 mc/1M", 2_400),
          new EstimateLine("output_tokens", "output tokens: 500 x 8000000 mc/1M", 6_400),
          new EstimateLine("rounding", "rounded up to whole credits: 7", 7_000));
    }

    @Test
    @DisplayName("cached input and reasoning tokens, each at its own price")
    void cachedAndReasoning() {
      // 1000 x 2 + 4000 x 0.5 + 300 x 8 + 700 x 8 = 2000 + 2000 + 2400 + 5600 = 12000 mc = 12 credits exactly
      GenerationRequest r = GenerationRequest.tokens(CHAT, "chat-pro", 1_000, 300).withCachedInputTokens(4_000)
          .withReasoningTokens(700);
      Estimate e = card().estimate(r);
      assertThat(e.credits()).isEqualTo(12);
      assertThat(e.lines()).extracting(EstimateLine::label).containsExactly("base", "input_tokens",
          "cached_input_tokens", "output_tokens", "reasoning_tokens", "rounding");
      assertThat(r.quantities()).containsExactly(Map.entry(PriceDimension.CACHED_INPUT_TOKENS, 4_000L),
          Map.entry(PriceDimension.INPUT_TOKENS, 1_000L), Map.entry(PriceDimension.OUTPUT_TOKENS, 300L),
          Map.entry(PriceDimension.REASONING_TOKENS, 700L));
    }

    @Test
    @DisplayName("the one rounding rule: the item is rounded up once, never each dimension")
    void roundsOncePerItem() {
      // 1 x 2 mc + 1 x 8 mc = 10 mc -> 1 credit (rounding each dimension would give 2)
      assertThat(card().estimate(GenerationRequest.tokens(CHAT, "chat-pro", 1, 1)).credits()).isEqualTo(1);
      // 499 x 0.15 + 0 = 74.85 mc, + 500 mc base -> 574.85 mc -> 1 credit
      assertThat(card().estimate(GenerationRequest.tokens(CHAT, "chat-mini", 499, 0)).credits()).isEqualTo(1);
      // 500 + 833 x 0.6 = 999.8 mc -> 1 credit; 500 + 834 x 0.6 = 1000.4 mc -> 2
      assertThat(card().estimate(GenerationRequest.tokens(CHAT, "chat-mini", 0, 833)).credits()).isEqualTo(1);
      assertThat(card().estimate(GenerationRequest.tokens(CHAT, "chat-mini", 0, 834)).credits()).isEqualTo(2);
    }

    @Test
    @DisplayName("a call with no tokens costs its base; variants multiply the whole item")
    void baseAndVariants() {
      assertThat(card().estimate(GenerationRequest.of(CHAT, "chat-mini")).credits()).isEqualTo(1);
      // (500 + 1000 x 0.6) x 3 = 3300 mc -> 4 credits
      assertThat(card().estimate(GenerationRequest.tokens(CHAT, "chat-mini", 0, 1_000).withVariants(3)).credits())
          .isEqualTo(4);
    }

    @Test
    @DisplayName("a flat price is the same whatever the call; a custom unit is priced per unit")
    void flatAndCustom() {
      Estimate flat = card().estimate(GenerationRequest.of(MODERATION, "mod-1"));
      assertThat(flat.credits()).isEqualTo(2);
      assertThat(flat.lines()).extracting(EstimateLine::label).containsExactly("base", "rounding");
      assertThat(card().estimate(GenerationRequest.of(MODERATION, "mod-1").withVariants(2)).credits()).isEqualTo(3);
      // 9 pages x 250 mc = 2250 mc -> 3 credits
      Estimate ocr = card().estimate(GenerationRequest.of(OCR, "ocr-1").with(PAGES, 9));
      assertThat(ocr.credits()).isEqualTo(3);
      assertThat(ocr.lines()).contains(new EstimateLine("pages", "pages: 9 x 250 mc", 2_250));
    }

    @Test
    @DisplayName("a quantity the rate does not price is refused, naming it and what the rate prices")
    void unknownDimension() {
      Throwable t = catchThrowable(() -> card().estimate(
          GenerationRequest.tokens(CHAT, "chat-mini", 10, 10).withReasoningTokens(5)));
      assertThat(t).isInstanceOfSatisfying(InvalidRequestException.class, e -> {
        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_PRICE_DIMENSION);
        assertThat(e.getMessage()).contains("reasoning_tokens", "[input_tokens, output_tokens]");
      });
      assertThat(code(() -> card().estimate(GenerationRequest.of(MODERATION, "mod-1").with(PAGES, 1))))
          .isEqualTo(ErrorCode.UNKNOWN_PRICE_DIMENSION);
      // A quantity of 0 is no quantity at all.
      assertThat(card().estimate(GenerationRequest.tokens(CHAT, "chat-mini", 10, 10).withReasoningTokens(0))
          .credits()).isEqualTo(1);
    }

    @Test
    @DisplayName("token counts up to Long.MAX_VALUE give AMOUNT_OVERFLOW, never an arithmetic exception")
    void overflow() {
      assertThat(code(() -> card().estimate(GenerationRequest.tokens(CHAT, "chat-pro", Long.MAX_VALUE, Long.MAX_VALUE))))
          .isEqualTo(ErrorCode.AMOUNT_OVERFLOW);
      assertThat(code(() -> card().estimate(GenerationRequest.tokens(CHAT, "chat-pro", 0, Long.MAX_VALUE)
          .withVariants(64)))).isEqualTo(ErrorCode.AMOUNT_OVERFLOW);
      // Within range however large: 10^18 cached tokens at 0.5 mc each.
      assertThat(card().estimate(GenerationRequest.tokens(CHAT, "chat-pro", 0, 0)
          .withCachedInputTokens(1_000_000_000_000_000_000L)).credits()).isEqualTo(500_000_000_000_000L);
    }

    @Test
    @DisplayName("the default card's prices are unchanged (the help page's numbers)")
    void defaultsUnchanged() {
      RateCard d = RateCard.defaults();
      assertThat(d.version()).isEqualTo("2026-11");
      assertThat(d.estimate(GenerationRequest.image("standard", "720p")).credits()).isEqualTo(8);
      assertThat(d.estimate(GenerationRequest.image("ultra", "4k")).credits()).isEqualTo(90);
      assertThat(d.estimate(GenerationRequest.clip("cinematic", "1440p", 10)).credits()).isEqualTo(224);
      assertThat(d.estimate(GenerationRequest.voice("pro", 3)).credits()).isEqualTo(3);
      assertThat(d.estimate(GenerationRequest.music("standard", 10).asReshot()).credits()).isEqualTo(4);
      assertThat(d.rate(GenerationKind.VIDEO_CLIP, "pro").orElseThrow().perSecondMillis()).isEqualTo(6_500);
      assertThat(d.rate(GenerationKind.IMAGE, "pro").orElseThrow().prices()).isEmpty();
    }
  }

  @Nested
  @DisplayName("Requests with quantities")
  class Requests {
    @Test
    @DisplayName("a media request's text form is the record form stored fingerprints contain")
    void mediaFormUnchanged() {
      assertThat(GenerationRequest.image("standard", "720p")).hasToString("GenerationRequest[kind=IMAGE, model=standard,"
          + " resolution=720p, durationSeconds=0, variants=1, reshot=false, feature=null]");
      assertThat(GenerationRequest.clip("pro", "1080p", 5).withVariants(2)).hasToString("GenerationRequest["
          + "kind=VIDEO_CLIP, model=pro, resolution=1080p, durationSeconds=5, variants=2, reshot=false, feature=null]");
      assertThat(GenerationRequest.tokens(CHAT, "chat-pro", 1_200, 500)).hasToString("GenerationRequest[kind=CHAT,"
          + " model=chat-pro, resolution=null, durationSeconds=0, variants=1, reshot=false, feature=null,"
          + " quantities={input_tokens=1200, output_tokens=500}]");
    }

    @Test
    @DisplayName("quantities: seconds are the duration, 0 is none, later values replace earlier ones")
    void quantities() {
      GenerationRequest clip = GenerationRequest.clip("pro", "720p", 5);
      assertThat(clip.quantity(PriceDimension.SECONDS)).isEqualTo(5);
      assertThat(clip.quantities()).containsExactly(Map.entry(PriceDimension.SECONDS, 5L));
      assertThat(clip.with(PriceDimension.SECONDS, 8).durationSeconds()).isEqualTo(8);
      GenerationRequest chat = GenerationRequest.tokens(CHAT, "chat-pro", 10, 20);
      assertThat(chat.with(PriceDimension.INPUT_TOKENS, 11).quantity(PriceDimension.INPUT_TOKENS)).isEqualTo(11);
      assertThat(chat.withReasoningTokens(0)).isEqualTo(chat).hasSameHashCodeAs(chat);
      assertThat(chat.withReasoningTokens(3)).isNotEqualTo(chat);
      assertThat(chat.quantity(PriceDimension.REASONING_TOKENS)).isZero();
      assertThat(GenerationRequest.of(CHAT, "m").quantities()).isEmpty();
      assertThat(code(() -> chat.with(PriceDimension.SECONDS, 3601))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(code(() -> chat.with(null, 1))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(code(() -> GenerationRequest.of(GenerationKind.VIDEO_CLIP, "pro")))
          .isEqualTo(ErrorCode.INVALID_ARGUMENT);
      GenerationRequest many = GenerationRequest.of(OCR, "ocr-1");
      for (int i = 0; i < GenerationRequest.MAX_QUANTITIES; i++) {
        many = many.with(PriceDimension.of("unit_" + i), 1);
      }
      GenerationRequest full = many;
      assertThat(code(() -> full.with(PriceDimension.of("one_more"), 1))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    @DisplayName("dimensions are values: the named constants come back from of, custom names are lower case")
    void dimensions() {
      assertThat(PriceDimension.of("input_tokens")).isSameAs(PriceDimension.INPUT_TOKENS);
      assertThat(PriceDimension.of("pages")).isEqualTo(PAGES).hasToString("pages");
      assertThat(code(() -> PriceDimension.of("Pages"))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
      assertThat(UnitPrice.perMillion(2_500)).hasToString("2500 mc/1M");
      assertThat(code(() -> new UnitPrice(1, 0))).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
      assertThat(CHAT_PRO.price(PriceDimension.REASONING_TOKENS)).contains(UnitPrice.perMillion(8_000_000));
      assertThat(CHAT_MINI.price(PriceDimension.REASONING_TOKENS)).isEmpty();
      assertThat(CHAT_MINI.baseMillis()).isEqualTo(500);
      assertThat(ModelRate.perToken(CHAT, "chat-mini", TokenPrices.of(150_000, 600_000).withBase(500)))
          .isEqualTo(CHAT_MINI).hasSameHashCodeAs(CHAT_MINI).isNotEqualTo(CHAT_PRO);
    }
  }
}
