package io.preprompt.credits.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import com.stripe.StripeClient;
import com.sun.net.httpserver.HttpServer;
import io.preprompt.credits.Credits;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.plans.BillingEvent;
import io.preprompt.credits.plans.PackOrder;
import io.preprompt.credits.plans.PlanChange;
import io.preprompt.credits.testkit.InMemoryCreditStore;
import io.preprompt.credits.testkit.MutableClock;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The gateway's requests, made by the SDK, as a local stub of Stripe's API receives them. */
class StripeBillingGatewayTest {
  private static final AccountId MAYA = AccountId.of("maya");

  /** One request the stub received. */
  record Received(String method, String path, String idempotencyKey, String body) {}

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final List<String> pages = new CopyOnWriteArrayList<>();
  private HttpServer stripe;
  private Credits credits;

  @BeforeEach
  void start() throws IOException {
    stripe = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    stripe.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String path = exchange.getRequestURI().getPath();
      received.add(new Received(exchange.getRequestMethod(), path,
          exchange.getRequestHeaders().getFirst("Idempotency-Key"), URLDecoder.decode(body, StandardCharsets.UTF_8)));
      String answer;
      if (path.equals("/v1/checkout/sessions")) {
        answer = "{\"id\": \"cs_test_" + received.size() + "\", \"object\": \"checkout.session\","
            + " \"url\": \"https://checkout.stripe.com/c/pay/cs_test_" + received.size() + "\"}";
      } else if (path.equals("/v1/subscriptions/search")) {
        answer = "{\"object\": \"search_result\", \"data\": [{\"id\": \"sub_maya\", \"object\": \"subscription\","
            + " \"status\": \"active\", \"items\": {\"object\": \"list\", \"data\": [{\"id\": \"si_maya\","
            + " \"object\": \"subscription_item\"}]}}], \"has_more\": false, \"url\": \"/v1/subscriptions/search\"}";
      } else if (path.equals("/v1/subscriptions/sub_maya")) {
        answer = "{\"id\": \"sub_maya\", \"object\": \"subscription\", \"status\": \"active\"}";
      } else {
        answer = "{\"error\": {\"type\": \"invalid_request_error\", \"message\": \"no such path\"}}";
      }
      byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(answer.contains("\"error\"") ? 404 : 200, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    stripe.start();
    StripeClient client = StripeClient.builder().setApiKey("sk_test_stub")
        .setApiBase("http://127.0.0.1:" + stripe.getAddress().getPort()).setMaxNetworkRetries(0).build();
    StripePrices prices = StripePrices.builder().tier("price_studio", "studio").tier("price_studio_pro", "studio_pro")
        .pack("price_pack_500", "pack_500").build();
    StripeBillingGateway gateway = new StripeBillingGateway(client, prices, URI.create("https://app.example/paid"),
        URI.create("https://app.example/billing"), (account, reference, url) -> pages.add(account + " " + url));
    credits = Credits.builder().store(new InMemoryCreditStore()).clock(MutableClock.at("2026-03-01T10:00:00Z"))
        .billing(gateway).build();
    credits.credits().openAccount(MAYA, IdempotencyKey.of("open"));
  }

  @AfterEach
  void stop() {
    stripe.stop(0);
  }

  private static Map<String, String> form(Received r) {
    Map<String, String> fields = new java.util.LinkedHashMap<>();
    for (String pair : r.body().split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        fields.put(pair.substring(0, eq), pair.substring(eq + 1));
      }
    }
    return fields;
  }

  @Test
  void subscribing_opensASubscriptionCheckout_keyedByTheLibrarysReference() {
    PlanChange change = credits.plans().subscribe(MAYA, "studio", IdempotencyKey.of("sub"));
    assertThat(received).hasSize(1);
    Received r = received.get(0);
    assertThat(r.method()).isEqualTo("POST");
    assertThat(r.path()).isEqualTo("/v1/checkout/sessions");
    assertThat(form(r)).containsEntry("mode", "subscription").containsEntry("line_items[0][price]", "price_studio")
        .containsEntry("subscription_data[metadata][credits_account]", "maya")
        .containsEntry("success_url", "https://app.example/paid");
    assertThat(r.idempotencyKey()).isNotBlank().isEqualTo(form(r).get("client_reference_id"));
    assertThat(pages).containsExactly("maya https://checkout.stripe.com/c/pay/cs_test_1");
    assertThat(change).isNotNull();
  }

  @Test
  void buyingAPack_opensAPaymentCheckout_whoseChargeWillNameTheOrder() {
    credits.plans().subscribe(MAYA, "studio", IdempotencyKey.of("sub"));
    credits.plans().handle(new BillingEvent.CyclePaid("evt_paid_0", MAYA, 0));
    PackOrder order = credits.plans().buyPack(MAYA, "pack_500", IdempotencyKey.of("buy"));
    Received r = received.get(received.size() - 1);
    assertThat(form(r)).containsEntry("mode", "payment").containsEntry("line_items[0][price]", "price_pack_500")
        .containsEntry("metadata[credits_reference]", order.paymentReference())
        .containsEntry("payment_intent_data[metadata][credits_reference]", order.paymentReference())
        .containsEntry("payment_intent_data[metadata][credits_account]", "maya")
        .containsEntry("payment_intent_data[metadata][credits_pack]", "pack_500");
    assertThat(r.idempotencyKey()).isEqualTo(order.paymentReference());
  }

  @Test
  void changesMadeThroughTheLibrary_updateTheStripeSubscription() {
    credits.plans().subscribe(MAYA, "studio", IdempotencyKey.of("sub"));
    credits.plans().handle(new BillingEvent.CyclePaid("evt_paid_0", MAYA, 0));
    received.clear();
    credits.plans().changePlan(MAYA, "studio_pro", IdempotencyKey.of("up"));
    assertThat(received).extracting(Received::method, Received::path)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("GET", "/v1/subscriptions/search"),
            org.assertj.core.groups.Tuple.tuple("POST", "/v1/subscriptions/sub_maya"));
    assertThat(form(received.get(1))).containsEntry("items[0][id]", "si_maya")
        .containsEntry("items[0][price]", "price_studio_pro");
    received.clear();
    credits.plans().cancel(MAYA, IdempotencyKey.of("cancel"));
    assertThat(form(received.get(1))).containsEntry("cancel_at_period_end", "true");
  }
}
