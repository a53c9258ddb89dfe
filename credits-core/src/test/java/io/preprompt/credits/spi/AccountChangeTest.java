package io.preprompt.credits.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.balance.Allocation;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.Lot;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("An account change carries only what the call touched")
class AccountChangeTest {
  static final Instant T0 = Instant.parse("2026-05-04T12:00:00Z");
  static final AccountId ALICE = AccountId.of("alice");
  static final AccountRecord V2 = new AccountRecord(ALICE, 2, 3, 100, 0, 0, 0, 1, T0, null, null);
  static final Lot LIVE = new Lot(new LotId(1), LotSource.PACK, 100, 90, 10, T0, null);
  static final Lot SPENT = new Lot(new LotId(2), LotSource.SIGNUP_GRANT, 10, 0, 0, T0, null);

  static Hold hold(HoldState state) {
    return new Hold(HoldId.of("h_1"), ALICE, 10, state, T0, T0.plusSeconds(60), 0,
        state == HoldState.ACTIVE ? null : T0, Map.of(), List.of(new Allocation(new LotId(1), 10)));
  }

  static AccountChange change(AccountRecord account, List<Hold> placed, List<Hold> ended) {
    return new AccountChange(1, account, List.of(), List.of(LIVE, SPENT), placed, ended, List.of(), null);
  }

  @Test
  @DisplayName("keeps what it is given, a spent lot among the changed ones included")
  void keepsTheTouchedParts() {
    Hold active = hold(HoldState.ACTIVE);
    AccountChange change = change(V2, List.of(active), List.of());
    assertThat(change.changedLots()).containsExactly(LIVE, SPENT);
    assertThat(change.newHolds()).containsExactly(active);
    assertThat(change.endedHolds()).isEmpty();
  }

  @Test
  @DisplayName("an ended hold among the new ones, an active one among the ended, or a version that does not follow is refused")
  void refusesInconsistentState() {
    assertThatThrownBy(() -> change(V2, List.of(hold(HoldState.SETTLED)), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not active");
    assertThatThrownBy(() -> change(V2, List.of(), List.of(hold(HoldState.ACTIVE))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("still active");
    AccountRecord v3 = new AccountRecord(ALICE, 3, 3, 100, 0, 0, 0, 1, T0, null, null);
    assertThatThrownBy(() -> change(v3, List.of(), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not follow");
  }

  @Test
  @DisplayName("may say the plan stays as stored, except for a new account, which has none stored")
  void planKeptOnlyOverAStoredRow() {
    AccountChange kept = new AccountChange(1, V2, List.of(), List.of(), List.of(), List.of(), List.of(), null, false);
    assertThat(kept.planChanged()).isFalse();
    assertThat(change(V2, List.of(), List.of()).planChanged()).as("the short form writes the plan").isTrue();
    AccountRecord v1 = new AccountRecord(ALICE, 1, 0, 0, 0, 0, 0, 0, T0, null, null);
    assertThatThrownBy(() -> new AccountChange(0, v1, List.of(), List.of(), List.of(), List.of(), List.of(), null, false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("new account");
  }
}
