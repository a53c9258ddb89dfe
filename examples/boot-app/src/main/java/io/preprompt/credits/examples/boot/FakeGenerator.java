package io.preprompt.credits.examples.boot;

import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.gate.GenerationRequest;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * Stands in for the model and the asset store a real app calls. It does what the request's
 * {@code simulate} says, so every path of a generation can be tried from curl or a test.
 */
@Component
class FakeGenerator {

  /** What the fake generation does. */
  enum Simulation {
    /** The output is produced and costs what was estimated. */
    SUCCESS,
    /** The output is produced for half the estimate, rounded up: a clip that came out shorter. */
    CHEAPER,
    /** The model fails; nothing is produced. */
    FAILURE,
    /** The output is produced but saving it fails, after the charge was written in the same transaction. */
    UNSAVED;

    static Simulation parse(@Nullable String value) {
      if (value == null) {
        return SUCCESS;
      }
      for (Simulation s : values()) {
        if (s.name().toLowerCase(Locale.ROOT).equals(value.toLowerCase(Locale.ROOT))) {
          return s;
        }
      }
      throw Json.badRequest("simulate must be one of success, cheaper, failure, unsaved; was " + value);
    }
  }

  /** What a generation gave. */
  sealed interface Output {}

  /**
   * An output and what it cost.
   *
   * @param cost the credits it used
   * @param asset where the output is kept
   * @param savable false when saving it will fail
   */
  record Produced(long cost, String asset, boolean savable) implements Output {}

  /**
   * No output.
   *
   * @param reason why, for the ledger and the user
   */
  record Failed(String reason) implements Output {}

  /** Saving an output failed; nothing of it may be charged. */
  static final class OutputNotSavedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OutputNotSavedException(String asset) {
      super("the asset store refused " + asset);
    }
  }

  /**
   * Runs the fake generation.
   *
   * @param account whose generation it is
   * @param key the client's idempotency key, which names the output
   * @param request what to generate
   * @param estimate the credits held for it
   * @param simulate what to do
   * @return the output, or why there is none
   */
  Output generate(AccountId account, String key, GenerationRequest request, long estimate, Simulation simulate) {
    String asset = "fake-assets/" + account.value() + "/" + key + "." + extension(request);
    return switch (simulate) {
      case SUCCESS -> new Produced(estimate, asset, true);
      case CHEAPER -> new Produced((estimate + 1) / 2, asset, true);
      case FAILURE -> new Failed("the model timed out");
      case UNSAVED -> new Produced(estimate, asset, false);
    };
  }

  /**
   * Saves an output to the asset store.
   *
   * @param output the output
   * @throws OutputNotSavedException when the store refuses it
   */
  void save(Produced output) {
    if (!output.savable()) {
      throw new OutputNotSavedException(output.asset());
    }
  }

  private static String extension(GenerationRequest request) {
    return switch (request.kind().name()) {
      case "IMAGE" -> "png";
      case "VIDEO_CLIP" -> "mp4";
      case "VOICE_LINE", "MUSIC_CUE" -> "wav";
      default -> "bin";
    };
  }
}
