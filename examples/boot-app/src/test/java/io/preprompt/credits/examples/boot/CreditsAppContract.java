package io.preprompt.credits.examples.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.HoldRequest;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.ledger.EntryType;
import io.preprompt.credits.ledger.LedgerQuery;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.EntityExchangeResult;
import org.springframework.test.web.servlet.client.RestTestClient;
import tools.jackson.databind.JsonNode;

/**
 * The app over real HTTP, the help page's journey first. Subclasses choose the database; every test
 * uses accounts of its own, so the tests share one application context per database.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "credits.housekeeping.enabled=false", "billing.webhook.secret=" + CreditsAppContract.SECRET})
@AutoConfigureRestTestClient
abstract class CreditsAppContract {
  static final String SECRET = "test-webhook-secret";
  private static final AtomicInteger ACCOUNTS = new AtomicInteger();

  private static final String IMAGE = """
      {"kind": "image", "model": "standard", "resolution": "720p", "simulate": "%s"}""";

  @Autowired
  private RestTestClient client;

  @Autowired
  private CreditService credits;

  @Test
  @DisplayName("open, estimate, generate: success charges, failure releases, beyond the balance answers 402 with"
      + " the offer, and the history shows estimate against charge")
  void journey() {
    String maya = newAccount();
    Reply opened = post("/accounts/" + maya, null, null);
    assertThat(opened.status()).isEqualTo(201);
    assertThat(opened.longAt("signupGrant")).isEqualTo(200);
    assertThat(get("/accounts/" + maya + "/balance").longAt("available")).isEqualTo(200);

    Reply estimate = post("/accounts/" + maya + "/estimate", null, """
        {"kind": "video_clip", "model": "standard", "resolution": "720p", "seconds": 5}""");
    assertThat(estimate.status()).isEqualTo(200);
    assertThat(estimate.longAt("credits")).isEqualTo(25);                  // (5 + 4 * 5) at 720p
    assertThat(estimate.body().get("lines").size()).isPositive();
    assertThat(estimate.body().get("covered").asBoolean()).isTrue();

    Reply success = post("/accounts/" + maya + "/generations", "frame-1", IMAGE.formatted("success"));
    assertThat(success.status()).isEqualTo(200);
    assertThat(success.text("outcome")).isEqualTo("succeeded");
    assertThat(success.longAt("estimate")).isEqualTo(8);
    assertThat(success.longAt("charged")).isEqualTo(8);
    assertThat(success.longAt("available")).isEqualTo(192);

    Reply failure = post("/accounts/" + maya + "/generations", "frame-2", IMAGE.formatted("failure"));
    assertThat(failure.text("outcome")).isEqualTo("failed");
    assertThat(failure.longAt("charged")).isZero();
    assertThat(failure.longAt("available")).isEqualTo(192);

    Reply cheaper = post("/accounts/" + maya + "/generations", "frame-3", IMAGE.formatted("cheaper"));
    assertThat(cheaper.longAt("charged")).isEqualTo(4);
    assertThat(get("/accounts/" + maya + "/balance").longAt("held")).isZero();

    Reply blocked = post("/accounts/" + maya + "/generations", "narration-1", """
        {"kind": "voice_line", "model": "standard", "seconds": 900}""");
    assertThat(blocked.status()).isEqualTo(402);
    assertThat(blocked.contentType()).isEqualTo("application/problem+json");
    assertThat(blocked.text("code")).isEqualTo("INSUFFICIENT_CREDITS");
    assertThat(blocked.longAt("balance")).isEqualTo(188);
    assertThat(blocked.longAt("estimate")).isEqualTo(271);                 // 0.5 + 0.3 * 900, rounded up
    assertThat(blocked.longAt("shortfall")).isEqualTo(83);
    List<String> tiers = new ArrayList<>();
    blocked.body().get("tiers").forEach(t -> tiers.add(t.get("id").asString()));
    assertThat(tiers).contains("studio", "studio_pro", "studio_plus");
    assertThat(get("/accounts/" + maya + "/balance").longAt("available")).isEqualTo(188);  // nothing held

    JsonNode history = get("/accounts/" + maya + "/history").body().get("generations");
    assertThat(history.size()).isEqualTo(3);
    List<String> rows = new ArrayList<>();
    history.forEach(g -> rows.add(g.get("outcome").asString() + " " + g.get("estimate").asLong() + " -> "
        + g.get("charged").asLong()));
    assertThat(rows).containsExactly("succeeded 8 -> 8", "failed 8 -> 0", "succeeded 8 -> 4");
    assertThat(history.get(2).get("chargeDiffers").asBoolean()).isTrue();

    Reply overview = get("/accounts/" + maya + "/overview");
    assertThat(overview.body().get("tier").get("id").asString()).isEqualTo("free");
    assertThat(overview.longAt("usedThisCycle")).isEqualTo(12);
  }

  @Test
  @DisplayName("a replayed Idempotency-Key answers with the first generation and charges once")
  void replayedKey_chargesOnce() {
    String sam = openAccount();
    Reply first = post("/accounts/" + sam + "/generations", "retry-me", IMAGE.formatted("success"));
    Reply again = post("/accounts/" + sam + "/generations", "retry-me", IMAGE.formatted("success"));
    assertThat(first.header("Idempotent-Replayed")).isEqualTo("false");
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
    assertThat(again.text("hold")).isEqualTo(first.text("hold"));
    assertThat(get("/accounts/" + sam + "/balance").longAt("available")).isEqualTo(192);

    Reply otherRequest = post("/accounts/" + sam + "/generations", "retry-me", """
        {"kind": "image", "model": "standard", "resolution": "720p", "variants": 2}""");
    assertThat(otherRequest.status()).isEqualTo(409);
    assertThat(otherRequest.text("code")).isEqualTo("IDEMPOTENCY_CONFLICT");
  }

  @Test
  @DisplayName("an output that cannot be saved is not charged: the settle rolls back with the app's own write")
  void unsavedOutput_settleRollsBack() {
    String lee = openAccount();
    Reply unsaved = post("/accounts/" + lee + "/generations", "lost-1", IMAGE.formatted("unsaved"));
    assertThat(unsaved.status()).isEqualTo(200);
    assertThat(unsaved.text("outcome")).isEqualTo("failed");
    assertThat(unsaved.text("reason")).isEqualTo("the output could not be saved");
    Reply balance = get("/accounts/" + lee + "/balance");
    assertThat(balance.longAt("available")).isEqualTo(200);
    assertThat(balance.longAt("held")).isZero();

    List<EntryType> ledger = new ArrayList<>();
    credits.forEachEntry(AccountId.of(lee), LedgerQuery.firstPage(100), e -> ledger.add(e.type()));
    assertThat(ledger).contains(EntryType.HOLD, EntryType.RELEASE).doesNotContain(EntryType.SETTLE);
    assertThat(credits.reconcile(AccountId.of(lee)).consistent()).isTrue();
  }

  @Test
  @DisplayName("an option above the account's tier answers 403 with the tiers that include it")
  void optionAboveTier_is403WithTiers() {
    String kim = openAccount();
    Reply hd = post("/accounts/" + kim + "/generations", "hd-1", """
        {"kind": "image", "model": "standard", "resolution": "1080p"}""");
    assertThat(hd.status()).isEqualTo(403);
    assertThat(hd.text("option")).isEqualTo("resolution=1080p");
    assertThat(hd.body().get("tiers").get(0).get("id").asString()).isEqualTo("studio");
    assertThat(get("/accounts/" + kim + "/balance").longAt("available")).isEqualTo(200);
  }

  @Test
  @DisplayName("bad input answers 400 with a problem, an unknown account 404")
  void badInput_is400_unknownAccount_is404() {
    String ada = openAccount();
    String generations = "/accounts/" + ada + "/generations";
    assertThat(post(generations, null, IMAGE.formatted("success")).status()).isEqualTo(400);  // no Idempotency-Key
    assertThat(post(generations, "bad key!", IMAGE.formatted("success")).text("code"))
        .isEqualTo("INVALID_IDEMPOTENCY_KEY");
    assertThat(post(generations, "", IMAGE.formatted("success")).status()).isEqualTo(400);
    assertThat(post(generations, "k1", """
        {"kind": "hologram", "model": "standard"}""").status()).isEqualTo(400);
    assertThat(post(generations, "k2", """
        {"kind": "image", "model": "standard", "resolution": "720p", "simulate": "maybe"}""").status()).isEqualTo(400);
    assertThat(post(generations, "k3", "{not json").status()).isEqualTo(400);
    Reply unknownModel = post("/accounts/" + ada + "/estimate", null, """
        {"kind": "image", "model": "nonexistent", "resolution": "720p"}""");
    assertThat(unknownModel.status()).isEqualTo(400);
    assertThat(unknownModel.text("code")).isEqualTo("UNKNOWN_MODEL");
    assertThat(get("/accounts/not*an*id/balance").text("code")).isEqualTo("INVALID_ACCOUNT_ID");
    assertThat(get("/accounts/" + ada + "/history?from=yesterday").status()).isEqualTo(400);

    Reply unknown = get("/accounts/nobody-" + ada + "/balance");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.text("code")).isEqualTo("ACCOUNT_NOT_FOUND");
    assertThat(post("/accounts/nobody-" + ada + "/generations", "k4", IMAGE.formatted("success")).status())
        .isEqualTo(404);
    assertThat(balanceOf(ada)).isEqualTo(200);
  }

  @Test
  @DisplayName("a subscription and a pack are granted when the signed webhook confirms their payment, once")
  void subscriptionAndPack_grantedBySignedWebhook() {
    String eve = openAccount();
    Reply studio = post("/accounts/" + eve + "/subscription", "sub-1", """
        {"tier": "studio"}""");
    assertThat(studio.status()).isEqualTo(200);
    assertThat(studio.text("to")).isEqualTo("studio");

    String cyclePaid = """
        {"id": "evt-%s-1", "type": "cycle.paid", "account": "%s", "cycle": 0}""".formatted(eve, eve);
    assertThat(webhook(cyclePaid, "sha256=0000").status()).isEqualTo(401);
    assertThat(webhook(cyclePaid, null).status()).isEqualTo(401);
    assertThat(balanceOf(eve)).isEqualTo(200);
    Reply paid = webhook(cyclePaid, sign(cyclePaid));
    assertThat(paid.text("effect")).isEqualTo("applied");
    assertThat(paid.longAt("credits")).isEqualTo(1_000);
    assertThat(webhook(cyclePaid, sign(cyclePaid)).text("effect")).isEqualTo("duplicate");

    Reply order = post("/accounts/" + eve + "/packs/pack_500", "pack-1", null);
    assertThat(order.status()).isEqualTo(200);
    String packPaid = """
        {"id": "evt-%s-2", "type": "pack.paid", "account": "%s", "pack": "pack_500", "paymentReference": "%s",
         "amountMinor": 500, "currency": "USD"}""".formatted(eve, eve, order.text("paymentReference"));
    assertThat(webhook(packPaid, sign(packPaid)).longAt("credits")).isEqualTo(500);

    Reply overview = get("/accounts/" + eve + "/overview");
    assertThat(overview.body().get("tier").get("id").asString()).isEqualTo("studio");
    assertThat(overview.longAt("allowanceTotal")).isEqualTo(1_000);
    assertThat(overview.longAt("packCredits")).isEqualTo(500);
    assertThat(overview.longAt("available")).isEqualTo(1_700);
  }

  @Test
  @DisplayName("the free tier may not buy packs: 403 with the library's error code")
  void freeTier_packIs403() {
    String bo = openAccount();
    Reply pack = post("/accounts/" + bo + "/packs/pack_500", "pack-1", null);
    assertThat(pack.status()).isEqualTo(403);
    assertThat(pack.text("code")).isEqualTo("PACKS_REQUIRE_PAID_TIER");
    assertThat(post("/accounts/" + bo + "/packs/pack_9", "pack-2", null).status()).isEqualTo(404);
  }

  @Test
  @DisplayName("the overview shows the debt, the overage policy in force and the automatic top-up, which a paid"
      + " subscriber turns on and off")
  void overview_showsDebtPolicyAndTopUp() {
    String ivy = openAccount();
    Reply fresh = get("/accounts/" + ivy + "/overview");
    assertThat(fresh.longAt("debt")).isZero();
    assertThat(fresh.text("overagePolicy")).isEqualTo("refuse");
    assertThat(fresh.body().get("topUp").get("enabled").asBoolean()).isFalse();

    String topUp = "/accounts/" + ivy + "/auto-top-up";
    String setting = """
        {"thresholdCredits": 100, "pack": "pack_500", "monthlyCapMinor": 2000}""";
    Reply free = put(topUp, "top-up-0", setting);
    assertThat(free.status()).isEqualTo(403);
    assertThat(free.text("code")).isEqualTo("PACKS_REQUIRE_PAID_TIER");

    post("/accounts/" + ivy + "/subscription", "sub-1", """
        {"tier": "studio"}""");
    String cyclePaid = """
        {"id": "evt-%s-1", "type": "cycle.paid", "account": "%s", "cycle": 0}""".formatted(ivy, ivy);
    assertThat(webhook(cyclePaid, sign(cyclePaid)).text("effect")).isEqualTo("applied");
    Reply on = put(topUp, "top-up-1", setting);
    assertThat(on.status()).isEqualTo(200);
    assertThat(on.body().get("enabled").asBoolean()).isTrue();
    assertThat(on.text("pack")).isEqualTo("pack_500");
    assertThat(put(topUp, "top-up-1", setting).status()).as("a replay").isEqualTo(200);
    JsonNode shown = get("/accounts/" + ivy + "/overview").body().get("topUp");
    assertThat(shown.get("enabled").asBoolean()).isTrue();
    assertThat(shown.get("thresholdCredits").asLong()).isEqualTo(100);
    assertThat(shown.get("monthlyCapMinor").asLong()).isEqualTo(2000);
    assertThat(shown.get("spentThisMonthMinor").asLong()).isZero();
    assertThat(put(topUp, "top-up-2", """
        {"pack": "pack_500"}""").status()).isEqualTo(400);
    assertThat(put(topUp, "top-up-3", """
        {"thresholdCredits": 100, "pack": "pack_500", "monthlyCapMinor": 100}""").text("code"))
        .isEqualTo("TOP_UP_CAP_BELOW_PACK");
    assertThat(put(topUp, "top-up-4", """
        {"thresholdCredits": 100, "pack": "pack_9", "monthlyCapMinor": 2000}""").status()).isEqualTo(404);
    Reply off = delete(topUp, "top-up-5");
    assertThat(off.status()).isEqualTo(200);
    assertThat(off.body().get("enabled").asBoolean()).isFalse();
    assertThat(get("/accounts/" + ivy + "/overview").body().get("topUp").get("enabled").asBoolean()).isFalse();

    String policy = "/accounts/" + ivy + "/overage-policy";
    assertThat(put(policy, "policy-1", """
        {"policy": "allow-debt:50"}""").text("policy")).isEqualTo("allow-debt:50");
    assertThat(put(policy, "policy-2", """
        {"policy": "sometimes"}""").status()).isEqualTo(400);
    assertThat(put(policy, "policy-1", """
        {"policy": "take-available"}""").text("code")).isEqualTo("IDEMPOTENCY_CONFLICT");
    // A generation that cost more than its hold, beyond the balance: what the balance lacks is
    // owed, within the account's bound.
    AccountId account = AccountId.of(ivy);
    Hold hold = credits.hold(HoldRequest.of(account, CreditAmount.of(1_000), IdempotencyKey.of("long-render")));
    credits.settle(account, hold.id(), CreditAmount.of(1_230), IdempotencyKey.of("long-render-done"));
    Reply owing = get("/accounts/" + ivy + "/overview");
    assertThat(owing.longAt("debt")).isEqualTo(30);
    assertThat(owing.longAt("available")).isEqualTo(-30);
    assertThat(owing.text("overagePolicy")).isEqualTo("allow-debt:50");
    assertThat(get("/accounts/" + ivy + "/balance").longAt("debt")).isEqualTo(30);
  }

  // ------------------------------------------------------------------------------------- helpers

  /** A status, the headers and the JSON body of an answer. */
  record Reply(int status, HttpHeaders headers, JsonNode body) {
    long longAt(String field) {
      JsonNode value = body.get(field);
      assertThat(value).as("field %s of %s", field, body).isNotNull();
      return value.asLong();
    }

    String text(String field) {
      JsonNode value = body.get(field);
      assertThat(value).as("field %s of %s", field, body).isNotNull();
      return value.asString();
    }

    @Nullable String header(String name) {
      return headers.getFirst(name);
    }

    String contentType() {
      MediaType type = headers.getContentType();
      return type == null ? "" : type.getType() + "/" + type.getSubtype();
    }
  }

  private static String newAccount() {
    return "user-" + ACCOUNTS.incrementAndGet();
  }

  private String openAccount() {
    String account = newAccount();
    assertThat(post("/accounts/" + account, null, null).status()).isEqualTo(201);
    return account;
  }

  private long balanceOf(String account) {
    return get("/accounts/" + account + "/balance").longAt("available");
  }

  private Reply get(String path) {
    return reply(client.get().uri(path).exchange().returnResult(JsonNode.class));
  }

  private Reply post(String path, @Nullable String idempotencyKey, @Nullable String json) {
    RestTestClient.RequestBodySpec request = client.post().uri(path);
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    if (json != null) {
      request.contentType(MediaType.APPLICATION_JSON).body(json);
    }
    return reply(request.exchange().returnResult(JsonNode.class));
  }

  private Reply put(String path, String idempotencyKey, String json) {
    return reply(client.put().uri(path).header("Idempotency-Key", idempotencyKey)
        .contentType(MediaType.APPLICATION_JSON).body(json).exchange().returnResult(JsonNode.class));
  }

  private Reply delete(String path, String idempotencyKey) {
    return reply(client.delete().uri(path).header("Idempotency-Key", idempotencyKey).exchange()
        .returnResult(JsonNode.class));
  }

  private Reply webhook(String json, @Nullable String signature) {
    RestTestClient.RequestBodySpec request = client.post().uri("/billing/webhook");
    if (signature != null) {
      request.header(BillingWebhookController.SIGNATURE_HEADER, signature);
    }
    return reply(request.contentType(MediaType.APPLICATION_JSON).body(json).exchange().returnResult(JsonNode.class));
  }

  private static Reply reply(EntityExchangeResult<JsonNode> result) {
    JsonNode body = result.getResponseBody();
    assertThat(body).as("a JSON body, status %s", result.getStatus()).isNotNull();
    return new Reply(result.getStatus().value(), result.getResponseHeaders(), body);
  }

  /** Signs a body as the billing system does, independently of the app's own code. */
  private static String sign(String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
