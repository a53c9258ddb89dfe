package io.preprompt.credits.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class GenerationGateFingerprintTest {

  @Test
  @DisplayName("a request is written into the fingerprint exactly as its toString writes it")
  void appendRequest_anyRequest_sameAsToString() {
    List<GenerationRequest> requests = List.of(GenerationRequest.image("standard", "720p"),
        GenerationRequest.clip("pro", "1080p", 12), GenerationRequest.voice("narrator", 30),
        GenerationRequest.music("score", 45),
        GenerationRequest.image("standard", "720p").withVariants(4).asReshot().withFeature("upscale"));
    for (GenerationRequest r : requests) {
      assertThat(GenerationGate.appendRequest(new StringBuilder(), r).toString()).isEqualTo(r.toString());
    }
  }

  @Test
  @DisplayName("a request is written in the record form that fingerprints stored by earlier versions contain")
  void toString_anyRequest_recordForm() {
    assertThat(GenerationRequest.image("standard", "720p").withVariants(4).asReshot().withFeature("upscale"))
        .hasToString("GenerationRequest[kind=IMAGE, model=standard, resolution=720p, durationSeconds=0, variants=4, "
            + "reshot=true, feature=upscale]");
    assertThat(GenerationRequest.voice("narrator", 30)).hasToString("GenerationRequest[kind=VOICE_LINE, "
        + "model=narrator, resolution=null, durationSeconds=30, variants=1, reshot=false, feature=null]");
  }
}
