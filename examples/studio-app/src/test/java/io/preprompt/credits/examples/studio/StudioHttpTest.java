package io.preprompt.credits.examples.studio;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.core.AccountId;
import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The app over plain HTTP, without a browser: what a visitor without a session gets, bad input
 * (a clear error, nothing changed), a key reused for another generation, and two instances' worth
 * of simultaneous sign-ups and verifications of one email.
 */
@StudioAppTest
class StudioHttpTest {
  @LocalServerPort
  int port;
  @Autowired
  CreditService credits;
  @Autowired
  Accounts accounts;
  @Autowired
  JdbcClient jdbc;

  /** A browser-like client: its own cookies, redirects not followed. */
  final class Visitor {
    final HttpClient http = HttpClient.newBuilder().cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NEVER).build();

    HttpResponse<String> get(String path) {
      return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    HttpResponse<String> form(String path, String body) {
      return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/x-www-form-urlencoded")
          .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    HttpResponse<String> json(String path, String body) {
      return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
          .header("Accept", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    HttpResponse<String> send(HttpRequest request) {
      try {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    String signUp(String email) {
      HttpResponse<String> r = form("/signup", "email=" + URLEncoder.encode(email, StandardCharsets.UTF_8));
      assertThat(r.statusCode()).isEqualTo(302);
      return r.headers().firstValue("Location").orElseThrow();
    }

    String verifyToken() {
      Matcher m = Pattern.compile("token=([0-9a-f]+)").matcher(get("/inbox").body());
      assertThat(m.find()).isTrue();
      return m.group(1);
    }
  }

  URI uri(String path) {
    return URI.create("http://localhost:" + port + path);
  }

  static String email(String who) {
    return who + "-" + System.nanoTime() + "@example.com";
  }

  @Test
  void withoutASession_pagesSendToSignUp_andTheScriptsGet401() {
    Visitor anonymous = new Visitor();
    for (String page : List.of("/studio", "/history", "/usage", "/billing")) {
      HttpResponse<String> r = anonymous.get(page);
      assertThat(r.statusCode()).as(page).isEqualTo(302);
      assertThat(r.headers().firstValue("Location").orElseThrow()).as(page).endsWith("/");
    }
    assertThat(anonymous.get("/events").statusCode()).isEqualTo(401);
    assertThat(anonymous.get("/api/estimate?kind=IMAGE&model=standard&resolution=720p").statusCode()).isEqualTo(401);
    assertThat(anonymous.json("/api/generations", "{\"key\":\"k\"}").statusCode()).isEqualTo(401);
    assertThat(anonymous.form("/billing/packs", "pack=pack_500&key=k").statusCode()).isEqualTo(302);
    assertThat(anonymous.get("/").body()).contains("Sign up");
  }

  @Test
  void badInputGetsAClearErrorAndChangesNothing() {
    Visitor v = new Visitor();
    assertThat(v.form("/signup", "email=not-an-email").body()).contains("Enter an email address like name@example.com");
    assertThat(accounts.byEmail("not-an-email")).isEmpty();
    assertThat(v.get("/studio").statusCode()).isEqualTo(302);  // still signed out

    String email = email("bad-input");
    v.signUp(email);
    v.get("/verify?token=" + v.verifyToken());
    AccountId account = accounts.byEmail(email).orElseThrow().account();
    assertThat(credits.balance(account).available()).isEqualTo(200);

    assertError(v.get("/api/estimate?kind=IMAGE&model=nope&resolution=720p"), 400, "UNKNOWN_MODEL");
    assertError(v.get("/api/estimate?kind=IMAGE&model=standard&resolution=8k"), 400, "UNKNOWN_RESOLUTION");
    assertError(v.get("/api/estimate?kind=no%20such%20kind&model=standard"), 400, "INVALID_ARGUMENT");
    assertError(v.get("/api/estimate?kind=IMAGE&model=standard"), 400, "BAD_REQUEST");
    assertError(v.json("/api/generations", generation("", "IMAGE", "standard", "\"720p\"", 0, 1, "succeeds")), 400,
        "BAD_REQUEST");
    assertError(v.json("/api/generations", generation("bad key!", "IMAGE", "standard", "\"720p\"", 0, 1, "succeeds")),
        400, "INVALID_IDEMPOTENCY_KEY");
    assertError(v.json("/api/generations", generation("k1", "IMAGE", "standard", "\"720p\"", 0, 1, "explodes")), 400,
        "BAD_REQUEST");
    assertError(v.json("/api/generations", generation("k2", "IMAGE", "standard", "\"720p\"", 0, -3, "succeeds")), 400,
        "INVALID_ARGUMENT");
    assertError(v.json("/api/generations", generation("k3", "VIDEO_CLIP", "standard", "\"720p\"", -5, 1, "succeeds")),
        400, "INVALID_ARGUMENT");
    assertError(v.json("/api/generations", "{not json"), 400, null);
    assertThat(v.form("/billing/packs", "pack=pack_500&key=buy-1").headers().firstValue("Location").orElseThrow())
        .endsWith("/billing");
    assertThat(v.get("/billing").body()).contains("packs");  // the refusal is shown as the page's error
    assertThat(v.form("/billing/subscribe", "tier=free&key=sub-1").statusCode()).isEqualTo(302);
    assertThat(v.get("/billing").body()).contains("role=\"alert\"");

    assertThat(credits.balance(account).available()).isEqualTo(200);
    assertThat(credits.balance(account).held()).isZero();
    assertThat(jdbc.sql("SELECT count(*) FROM studio_generations WHERE account_id = ?").param(account.value())
        .query(Long.class).single()).isZero();
    assertThat(credits.reconcile(account).consistent()).isTrue();
  }

  @Test
  void theScriptsEndpointTakesJsonOnly_soAnotherSitesFormCannotPostToIt() {
    Visitor v = new Visitor();
    String email = email("forms");
    v.signUp(email);
    v.get("/verify?token=" + v.verifyToken());
    AccountId account = accounts.byEmail(email).orElseThrow().account();
    String body = generation("form-1", "IMAGE", "standard", "\"720p\"", 0, 1, "succeeds");
    // The content types an HTML form can send, without a preflight, from any site.
    for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x")) {
      HttpResponse<String> r = v.send(HttpRequest.newBuilder(uri("/api/generations")).header("Content-Type", type)
          .POST(HttpRequest.BodyPublishers.ofString(body)).build());
      assertThat(r.statusCode()).as(type).isEqualTo(415);
    }
    assertThat(credits.balance(account).available()).isEqualTo(200);
    assertThat(jdbc.sql("SELECT count(*) FROM studio_generations WHERE account_id = ?").param(account.value())
        .query(Long.class).single()).isZero();
  }

  @Test
  void aKeyReusedForAnotherGeneration_is409() {
    Visitor v = new Visitor();
    String email = email("reuse");
    v.signUp(email);
    v.get("/verify?token=" + v.verifyToken());
    AccountId account = accounts.byEmail(email).orElseThrow().account();
    HttpResponse<String> first = v.json("/api/generations", generation("same", "IMAGE", "standard", "\"720p\"", 0, 1,
        "succeeds"));
    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(first.body()).contains("\"status\":\"succeeded\"", "\"replayed\":false");
    HttpResponse<String> again = v.json("/api/generations", generation("same", "IMAGE", "standard", "\"720p\"", 0, 1,
        "succeeds"));
    assertThat(again.body()).contains("\"status\":\"succeeded\"", "\"replayed\":true");
    assertError(v.json("/api/generations", generation("same", "IMAGE", "pro", "\"720p\"", 0, 1, "succeeds")), 409,
        "IDEMPOTENCY_CONFLICT");
    assertThat(credits.balance(account).available()).isEqualTo(192);
  }

  @Test
  void eightSimultaneousSignUpsAndVerificationsOfOneEmail_oneAccountOneGrant() throws Exception {
    String email = email("race");
    List<Visitor> visitors = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      visitors.add(new Visitor());
    }
    List<String> locations = all(visitors, v -> v.signUp(email));
    assertThat(locations).allSatisfy(l -> assertThat(l).endsWith("/inbox"));
    assertThat(jdbc.sql("SELECT count(*) FROM studio_users WHERE email = ?").param(email).query(Long.class).single())
        .isEqualTo(1);
    AccountId account = accounts.byEmail(email).orElseThrow().account();
    String token = visitors.get(0).verifyToken();

    List<String> notices = all(visitors, v -> {
      v.get("/verify?token=" + token);
      return v.get("/studio").body();
    });
    assertThat(notices.stream().filter(b -> b.contains("200 free credits are in your balance"))).hasSize(1);
    assertThat(notices.stream().filter(b -> b.contains("already verified"))).hasSize(7);
    assertThat(credits.balance(account).available()).isEqualTo(200);
    assertThat(credits.reconcile(account).consistent()).isTrue();
  }

  private static <T> List<T> all(List<Visitor> visitors, java.util.function.Function<Visitor, T> call)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(visitors.size());
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (Visitor v : visitors) {
        Callable<T> task = () -> {
          start.await();
          return call.apply(v);
        };
        futures.add(pool.submit(task));
      }
      start.countDown();
      List<T> out = new ArrayList<>();
      for (Future<T> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  private static String generation(String key, String kind, String model, String resolution, int seconds,
      int variants, String outcome) {
    return "{\"key\":\"" + key + "\",\"kind\":\"" + kind + "\",\"model\":\"" + model + "\",\"resolution\":" + resolution
        + ",\"seconds\":" + seconds + ",\"variants\":" + variants + ",\"reshot\":false,\"outcome\":\"" + outcome + "\"}";
  }

  private static void assertError(HttpResponse<String> r, int status, String code) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    if (code != null) {
      assertThat(r.body()).contains("\"code\":\"" + code + "\"");
    }
  }
}
