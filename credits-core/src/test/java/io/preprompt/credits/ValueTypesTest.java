package io.preprompt.credits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.CreditsException;
import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import io.preprompt.credits.core.HoldStateException;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.core.InvalidRequestException;
import io.preprompt.credits.ledger.LedgerQuery;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Value types check themselves")
class ValueTypesTest {

  static void assertCode(ThrowingCallable call, ErrorCode code) {
    assertThatThrownBy(call)
        .isInstanceOf(InvalidRequestException.class)
        .satisfies(e -> assertThat(((CreditsException) e).code()).isEqualTo(code));
  }

  @Nested
  @DisplayName("CreditAmount")
  class CreditAmountTest {
    @Test
    void of_zero_equalsZero() {
      assertThat(CreditAmount.of(0)).isEqualTo(CreditAmount.ZERO);
      assertThat(CreditAmount.ZERO.isZero()).isTrue();
    }

    @Test
    void of_negative_throwsInvalidAmount() {
      assertCode(() -> CreditAmount.of(-1), ErrorCode.INVALID_AMOUNT);
      assertCode(() -> new CreditAmount(Long.MIN_VALUE), ErrorCode.INVALID_AMOUNT);
    }

    @Test
    void positive_zeroOrNegative_throwsInvalidAmount() {
      assertCode(() -> CreditAmount.positive(0), ErrorCode.INVALID_AMOUNT);
      assertCode(() -> CreditAmount.positive(-5), ErrorCode.INVALID_AMOUNT);
      assertThat(CreditAmount.positive(1).value()).isEqualTo(1);
    }

    @Test
    void plus_withinRange_adds() {
      assertThat(CreditAmount.of(2).plus(CreditAmount.of(3))).isEqualTo(CreditAmount.of(5));
      assertThat(CreditAmount.of(Long.MAX_VALUE - 1).plus(CreditAmount.of(1)).value()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void plus_overflow_throwsAmountOverflow() {
      assertCode(() -> CreditAmount.of(Long.MAX_VALUE).plus(CreditAmount.of(1)), ErrorCode.AMOUNT_OVERFLOW);
      assertCode(() -> CreditAmount.addExact(Long.MAX_VALUE, Long.MAX_VALUE), ErrorCode.AMOUNT_OVERFLOW);
    }

    @Test
    void minus_belowZero_throwsInvalidAmount() {
      assertThat(CreditAmount.of(5).minus(CreditAmount.of(5))).isEqualTo(CreditAmount.ZERO);
      assertCode(() -> CreditAmount.of(1).minus(CreditAmount.of(2)), ErrorCode.INVALID_AMOUNT);
    }

    @Test
    void times_overflowOrNegativeFactor_throws() {
      assertThat(CreditAmount.of(7).times(3).value()).isEqualTo(21);
      assertCode(() -> CreditAmount.of(Long.MAX_VALUE / 2 + 1).times(2), ErrorCode.AMOUNT_OVERFLOW);
      assertCode(() -> CreditAmount.of(1).times(-1), ErrorCode.INVALID_AMOUNT);
    }

    @Test
    void compareTo_ordersByValue() {
      assertThat(CreditAmount.of(1)).isLessThan(CreditAmount.of(2));
      assertThat(CreditAmount.of(42)).hasToString("42");
    }
  }

  @Nested
  @DisplayName("AccountId")
  class AccountIdTest {
    @ParameterizedTest
    @ValueSource(strings = {"a", "alice", "user-42", "org:acme/ws_1", "a.b@c+d=e"})
    void of_safeChars_accepted(String value) {
      assertThat(AccountId.of(value).value()).isEqualTo(value);
      assertThat(AccountId.of(value)).hasToString(value);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "   ", "has space", "tab\t", "new\nline", "émile", "semi;colon", "a#b", "quote'"})
    void of_nullBlankOrBadChars_throwsInvalidAccountId(String value) {
      assertCode(() -> AccountId.of(value), ErrorCode.INVALID_ACCOUNT_ID);
    }

    @Test
    void of_tooLong_throwsInvalidAccountId() {
      assertThat(AccountId.of("a".repeat(AccountId.MAX_LENGTH)).value()).hasSize(128);
      assertCode(() -> AccountId.of("a".repeat(AccountId.MAX_LENGTH + 1)), ErrorCode.INVALID_ACCOUNT_ID);
    }

    @Test
    void of_hugeValue_messageIsTruncated() {
      assertThatThrownBy(() -> AccountId.of("x".repeat(10_000)))
          .hasMessageContaining("(10000 chars)")
          .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
    }
  }

  @Nested
  @DisplayName("IdempotencyKey")
  class IdempotencyKeyTest {
    @ParameterizedTest
    @ValueSource(strings = {"k", "3f2b8c1e-7a4d-4e7b-9c1a-2b3c4d5e6f70", "stripe:evt_1NXk2", "req/42"})
    void of_safeChars_accepted(String value) {
      assertThat(IdempotencyKey.of(value)).hasToString(value);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "two words", "ключ", "a\u0000b", "a,b"})
    void of_nullBlankOrBadChars_throwsInvalidIdempotencyKey(String value) {
      assertCode(() -> IdempotencyKey.of(value), ErrorCode.INVALID_IDEMPOTENCY_KEY);
    }

    @Test
    void of_tooLong_throwsInvalidIdempotencyKey() {
      assertThat(IdempotencyKey.of("k".repeat(IdempotencyKey.MAX_LENGTH)).value()).hasSize(200);
      assertCode(() -> IdempotencyKey.of("k".repeat(IdempotencyKey.MAX_LENGTH + 1)),
          ErrorCode.INVALID_IDEMPOTENCY_KEY);
    }
  }

  @Nested
  @DisplayName("HoldId")
  class HoldIdTest {
    @Test
    void random_isValidAndUnique() {
      HoldId a = HoldId.random();
      HoldId b = HoldId.random();
      assertThat(a).isNotEqualTo(b);
      assertThat(a.value()).matches("h_[0-9a-f]{32}");
      assertThat(HoldId.of(a.value())).isEqualTo(a);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h_1", "h_abcDEF123"})
    void of_wellFormed_accepted(String value) {
      assertThat(HoldId.of(value)).hasToString(value);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "h_", "h", "x_abc", "H_abc", "h_ab-c", "h_ab c", "h_ab_c", "abc"})
    void of_malformed_throwsInvalidHoldId(String value) {
      assertCode(() -> HoldId.of(value), ErrorCode.INVALID_HOLD_ID);
    }

    @Test
    void of_tooLong_throwsInvalidHoldId() {
      assertThat(HoldId.of("h_" + "a".repeat(64)).value()).hasSize(66);
      assertCode(() -> HoldId.of("h_" + "a".repeat(65)), ErrorCode.INVALID_HOLD_ID);
    }
  }

  @Nested
  @DisplayName("Hold")
  class HoldTest {
    final Instant t0 = Instant.parse("2026-05-04T12:00:00Z");

    Hold hold(long amount, HoldState state, long settled, @Nullable Instant endedAt) {
      return new Hold(HoldId.of("h_1"), AccountId.of("alice"), amount, state, t0, t0.plusSeconds(60), settled, endedAt,
          Map.of(), List.of());
    }

    @Test
    @DisplayName("keeps its rules: settled within its amount, an end time exactly when ended, settled credits only when settled")
    void checksItsRules() {
      assertThat(hold(30, HoldState.ACTIVE, 0, null).settled()).isZero();
      assertThat(hold(30, HoldState.SETTLED, 30, t0).settled()).isEqualTo(30);
      assertThat(hold(30, HoldState.SETTLED, 0, t0).settled()).isZero();
      assertThat(hold(30, HoldState.RELEASED, 0, t0).state()).isEqualTo(HoldState.RELEASED);
      assertThatThrownBy(() -> hold(30, HoldState.SETTLED, 31, t0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("settles 31 of 30");
      assertThatThrownBy(() -> hold(30, HoldState.SETTLED, -1, t0)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> hold(30, HoldState.ACTIVE, 0, t0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("with an end time");
      assertThatThrownBy(() -> hold(30, HoldState.EXPIRED, 0, null)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("without an end time");
      assertThatThrownBy(() -> hold(30, HoldState.RELEASED, 30, t0)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("RELEASED with 30 settled");
    }
  }

  @Nested
  @DisplayName("HoldRequest")
  class HoldRequestTest {
    final AccountId account = AccountId.of("alice");
    final IdempotencyKey key = IdempotencyKey.of("k1");

    @Test
    void new_zeroAmount_throwsInvalidAmount() {
      assertCode(() -> HoldRequest.of(account, CreditAmount.ZERO, key), ErrorCode.INVALID_AMOUNT);
    }

    @Test
    void new_zeroOrNegativeTtl_throwsInvalidArgument() {
      HoldRequest request = HoldRequest.of(account, CreditAmount.of(5), key);
      assertCode(() -> request.withTtl(Duration.ZERO), ErrorCode.INVALID_ARGUMENT);
      assertCode(() -> request.withTtl(Duration.ofSeconds(-1)), ErrorCode.INVALID_ARGUMENT);
      assertThat(request.withTtl(Duration.ofMinutes(1)).ttl()).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void checkMetadata_badEntries_throwInvalidArgument() {
      assertCode(() -> HoldRequest.checkMetadata(null), ErrorCode.INVALID_ARGUMENT);
      assertCode(() -> HoldRequest.checkMetadata(Map.of(" ", "v")), ErrorCode.INVALID_ARGUMENT);
      assertCode(() -> HoldRequest.checkMetadata(Map.of("k", "v".repeat(257))), ErrorCode.INVALID_ARGUMENT);
      assertCode(() -> HoldRequest.checkMetadata(Map.of("k".repeat(257), "v")), ErrorCode.INVALID_ARGUMENT);
      Map<String, String> many = new HashMap<>();
      for (int i = 0; i <= HoldRequest.MAX_METADATA_ENTRIES; i++) {
        many.put("k" + i, "v");
      }
      assertCode(() -> HoldRequest.checkMetadata(many), ErrorCode.INVALID_ARGUMENT);
      Map<String, String> nullValue = new HashMap<>();
      nullValue.put("k", null);
      assertCode(() -> HoldRequest.checkMetadata(nullValue), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void checkMetadata_valid_isSortedAndImmutable() {
      Map<String, String> meta = HoldRequest.checkMetadata(Map.of("model", "m1", "kind", "image", "estimate", ""));
      assertThat(meta.keySet()).containsExactly("estimate", "kind", "model");
      assertThatThrownBy(() -> meta.put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }
  }

  @Nested
  @DisplayName("Other values")
  class Others {
    @Test
    void lotId_notPositive_throwsInvalidArgument() {
      assertCode(() -> new LotId(0), ErrorCode.INVALID_ARGUMENT);
      assertCode(() -> new LotId(-3), ErrorCode.INVALID_ARGUMENT);
    }

    @Test
    void lotSource_paidOnlyForAllowanceProrationAndPacks() {
      assertThat(LotSource.values()).filteredOn(LotSource::isPaid)
          .containsExactlyInAnyOrder(LotSource.MONTHLY_ALLOWANCE, LotSource.PRORATION, LotSource.PACK);
    }

    @Test
    void ledgerQuery_badArguments_throwInvalidArgument() {
      Instant t = Instant.parse("2026-01-15T10:00:00Z");
      assertCode(() -> new LedgerQuery(-1, null, null, 10), ErrorCode.INVALID_ARGUMENT);
      assertCode(() -> LedgerQuery.firstPage(0), ErrorCode.INVALID_ARGUMENT);
      assertCode(() -> LedgerQuery.firstPage(LedgerQuery.MAX_LIMIT + 1), ErrorCode.INVALID_ARGUMENT);
      assertCode(() -> LedgerQuery.between(t.plusSeconds(1), t, 10), ErrorCode.INVALID_ARGUMENT);
      assertThat(LedgerQuery.between(t, t.plusSeconds(1), 10).matchesTime(t)).isTrue();
      assertThat(LedgerQuery.between(t, t.plusSeconds(1), 10).matchesTime(t.plusSeconds(1))).isFalse();
    }

    @Test
    void creditsConfig_outOfRange_throwsInvalidConfiguration() {
      assertCode(() -> CreditsConfig.builder().maxCommitAttempts(0), ErrorCode.INVALID_CONFIGURATION);
      assertCode(() -> CreditsConfig.builder().sweepBatchSize(0), ErrorCode.INVALID_CONFIGURATION);
      assertCode(() -> CreditsConfig.builder().defaultHoldTtl(Duration.ZERO), ErrorCode.INVALID_CONFIGURATION);
      assertCode(() -> CreditsConfig.builder().maxHoldTtl(Duration.ofMinutes(1)), ErrorCode.INVALID_CONFIGURATION);
    }

    @Test
    void serviceBuilder_withoutStore_throwsInvalidConfiguration() {
      assertCode(() -> CreditService.builder().build(), ErrorCode.INVALID_CONFIGURATION);
    }

    @Test
    void holdStateException_codeNamesTheState() {
      HoldId id = HoldId.of("h_1");
      assertThat(new HoldStateException(id, io.preprompt.credits.core.HoldState.SETTLED).code())
          .isEqualTo(ErrorCode.HOLD_ALREADY_SETTLED);
      assertThat(new HoldStateException(id, io.preprompt.credits.core.HoldState.RELEASED).code())
          .isEqualTo(ErrorCode.HOLD_ALREADY_RELEASED);
      assertThat(new HoldStateException(id, io.preprompt.credits.core.HoldState.EXPIRED).code())
          .isEqualTo(ErrorCode.HOLD_EXPIRED);
    }
  }
}
