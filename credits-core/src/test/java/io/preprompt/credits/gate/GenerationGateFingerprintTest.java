package io.preprompt.credits.gate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class GenerationGateFingerprintTest {

  @Test
  @DisplayName("a request is written into fingerprints in the record form that earlier versions stored")
  void toString_anyRequest_recordForm() {
    assertThat(GenerationRequest.image("standard", "720p").withVariants(4).asReshot().withFeature("upscale"))
        .hasToString("GenerationRequest[kind=IMAGE, model=standard, resolution=720p, durationSeconds=0, variants=4, "
            + "reshot=true, feature=upscale]");
    assertThat(GenerationRequest.voice("narrator", 30)).hasToString("GenerationRequest[kind=VOICE_LINE, "
        + "model=narrator, resolution=null, durationSeconds=30, variants=1, reshot=false, feature=null]");
  }
}
