package io.preprompt.credits.stripe;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Stripe event payloads in the shapes of Stripe's API reference (API version 2026-07-29.dahlia),
 * from templates under {@code src/test/resources/stripe}, and their {@code Stripe-Signature} headers
 * computed as Stripe does: {@code t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<payload>" with the
 * endpoint secret>}, written here from Stripe's documentation, not with the SDK.
 */
final class StripeFixtures {
  static final String SECRET = "whsec_test_0123456789abcdef";
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([a-zA-Z]+)}");

  private StripeFixtures() {}

  /**
   * Fills a template.
   *
   * @param template the file name under {@code stripe/}
   * @param values every placeholder's value, as raw JSON text
   * @return the payload
   */
  static String payload(String template, Map<String, String> values) {
    String text;
    try (InputStream in = StripeFixtures.class.getResourceAsStream("/stripe/" + template)) {
      if (in == null) {
        throw new IllegalArgumentException("no template " + template);
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = values.get(m.group(1));
      if (value == null) {
        throw new IllegalArgumentException(template + " needs a value for ${" + m.group(1) + "}");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Values as alternating names and raw JSON texts. */
  static Map<String, String> values(String... namesAndValues) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      values.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return values;
  }

  /** The {@code credits_account} metadata entry (and more pairs) as JSON members. */
  static String metadata(String... pairs) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < pairs.length; i += 2) {
      out.append(i == 0 ? "" : ", ").append('"').append(pairs[i]).append("\": \"").append(pairs[i + 1]).append('"');
    }
    return out.toString();
  }

  /**
   * Signs a payload as Stripe does.
   *
   * @param payload the body
   * @param secret the endpoint secret
   * @param at the signing time
   * @return the {@code Stripe-Signature} header
   */
  static String sign(String payload, String secret, Instant at) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      String signed = at.getEpochSecond() + "." + payload;
      return "t=" + at.getEpochSecond() + ",v1="
          + HexFormat.of().formatHex(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static String epoch(Instant at) {
    return Long.toString(at.getEpochSecond());
  }
}
