package io.preprompt.credits.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.balance.Allocation;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ResultsTest {

  @Test
  @DisplayName("a hold is encoded field by field, allocations as lot:amount pairs, and decodes to an equal hold")
  void encodeHold_settledHoldWithMetadata_roundTrips() {
    AccountId account = AccountId.of("acct-1");
    Hold hold = new Hold(HoldId.of("h_abc123"), account, 7, HoldState.SETTLED, Instant.parse("2026-01-02T03:04:05Z"),
        Instant.parse("2026-01-02T03:19:05.5Z"), 6, Instant.parse("2026-01-02T03:05:00Z"),
        Map.of("model", "a=b", "kind", "IMAGE"), List.of(new Allocation(new LotId(3), 5), new Allocation(new LotId(7), 2)));

    String encoded = Results.encodeHold(hold);

    assertThat(encoded).startsWith("id=h_abc123\namount=7\nstate=SETTLED\ncreatedAt=2026-01-02T03:04:05Z\n"
        + "deadline=2026-01-02T03:19:05.500Z\nsettled=6\nendedAt=+2026-01-02T03:05:00Z\nmetadata=")
        .endsWith("\nallocations=3:5,7:2\n");
    assertThat(Results.decodeHold(account, encoded)).isEqualTo(hold);
  }

  @Test
  @DisplayName("a hold whose metadata names hold '=', '%' and line breaks decodes to exactly that metadata")
  void decodeHold_metadataNamesNeedingEscapes_sameMetadata() {
    AccountId account = AccountId.of("acct-1");
    Map<String, String> metadata = new java.util.TreeMap<>(Map.of("a=b", "c", "a", "b=c", "50%", "x\ny", "k\r\n", ""));
    Hold hold = new Hold(HoldId.of("h_x"), account, 5, HoldState.ACTIVE, Instant.parse("2026-01-02T03:04:05Z"),
        Instant.parse("2026-01-02T03:19:05Z"), 0, null, metadata, List.of(new Allocation(new LotId(1), 5)));

    assertThat(Results.decodeHold(account, Results.encodeHold(hold)).metadata()).isEqualTo(metadata);
  }

  @Test
  @DisplayName("a hold's encoding can be followed by another list's on the same thread")
  void encodeHold_twice_sameText() {
    AccountId account = AccountId.of("acct-1");
    Hold hold = new Hold(HoldId.of("h_x"), account, 5, HoldState.ACTIVE, Instant.parse("2026-01-02T03:04:05Z"),
        Instant.parse("2026-01-02T03:19:05Z"), 0, null, Map.of(), List.of(new Allocation(new LotId(1), 5)));

    assertThat(Results.encodeHold(hold)).isEqualTo(Results.encodeHold(hold))
        .endsWith("endedAt=-\nmetadata=\nallocations=1:5\n");
  }
}
