package io.preprompt.credits.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class GenerationGateFingerprintTest {

  @Test
  @DisplayName("a request is written into the fingerprint exactly as its record toString writes it")
  void appendRequest_anyRequest_sameAsToString() {
    List<GenerationRequest> requests = List.of(GenerationRequest.image("standard", "720p"),
        GenerationRequest.clip("pro", "1080p", 12), GenerationRequest.voice("narrator", 30),
        GenerationRequest.music("score", 45),
        new GenerationRequest(GenerationKind.IMAGE, "standard", "720p", 0, 4, true, "upscale"));
    for (GenerationRequest r : requests) {
      assertThat(GenerationGate.appendRequest(new StringBuilder(), r).toString()).isEqualTo(r.toString());
    }
  }
}
