package io.preprompt.credits.internal;

import io.preprompt.credits.balance.Allocation;
import io.preprompt.credits.balance.ExpiryChange;
import io.preprompt.credits.balance.GrantVoid;
import io.preprompt.credits.balance.GrantReceipt;
import io.preprompt.credits.balance.Hold;
import io.preprompt.credits.balance.LotId;
import io.preprompt.credits.balance.LotSource;
import io.preprompt.credits.balance.Release;
import io.preprompt.credits.balance.Settlement;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.HoldId;
import io.preprompt.credits.core.HoldState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Encodings of the core results for idempotency records; each round-trips exactly. */
final class Results {
  private Results() {}

  public static String encodeGrant(GrantReceipt r) {
    return FieldCodec.fields().add("lot", r.lot().value()).add("source", r.source()).add("amount", r.amount())
        .add("at", r.grantedAt()).addNullable("expiresAt", r.expiresAt()).encode();
  }

  public static GrantReceipt decodeGrant(AccountId account, String s) {
    Map<String, String> f = FieldCodec.decode(s);
    String exp = FieldCodec.nullable(f.get("expiresAt"));
    return new GrantReceipt(account, new LotId(Long.parseLong(f.get("lot"))), LotSource.valueOf(f.get("source")),
        Long.parseLong(f.get("amount")), Instant.parse(f.get("at")), exp == null ? null : Instant.parse(exp));
  }

  public static String encodeHold(Hold h) {
    FieldCodec.Fields fields = FieldCodec.fields(256).add("id", h.id()).add("amount", h.amount())
        .add("state", h.state()).add("createdAt", h.createdAt()).add("deadline", h.deadline())
        .add("settled", h.settled()).addNullable("endedAt", h.endedAt()).addMap("metadata", h.metadata());
    // Numbers, colons and commas need no escaping: written straight into the encoding.
    StringBuilder alloc = fields.startRaw("allocations");
    List<Allocation> allocations = h.allocations();
    for (int i = 0; i < allocations.size(); i++) {
      Allocation a = allocations.get(i);
      if (i > 0) {
        alloc.append(',');
      }
      alloc.append(a.lot().value()).append(':').append(a.amount());
    }
    return fields.endRaw().encode();
  }

  public static Hold decodeHold(AccountId account, String s) {
    Map<String, String> f = FieldCodec.decode(s);
    String ended = FieldCodec.nullable(f.get("endedAt"));
    return new Hold(HoldId.of(f.get("id")), account, Long.parseLong(f.get("amount")), HoldState.valueOf(f.get("state")),
        Instant.parse(f.get("createdAt")), Instant.parse(f.get("deadline")), Long.parseLong(f.get("settled")),
        ended == null ? null : Instant.parse(ended), FieldCodec.map(f.get("metadata")),
        decodeAllocations(f.get("allocations")));
  }

  /**
   * Decodes {@code lot:amount,lot:amount}.
   *
   * @param s the encoding
   * @return the allocations
   */
  public static List<Allocation> decodeAllocations(String s) {
    List<Allocation> out = new ArrayList<>();
    if (s.isEmpty()) {
      return out;
    }
    for (String part : s.split(",")) {
      int colon = part.indexOf(':');
      out.add(new Allocation(new LotId(Long.parseLong(part.substring(0, colon))),
          Long.parseLong(part.substring(colon + 1))));
    }
    return out;
  }

  public static String encodeSettlement(Settlement r) {
    FieldCodec.Fields fields = FieldCodec.fields(128).add("hold", r.hold()).add("settled", r.settled())
        .add("returned", r.returned()).add("expiredOnReturn", r.expiredOnReturn()).add("at", r.at());
    if (r.requested() != r.settled() || r.debtIncurred() != 0) {
      // Only for a settle above its hold, so that a settlement within it encodes as it always did.
      fields.add("requested", r.requested()).add("uncollected", r.uncollected()).add("debt", r.debtIncurred());
    }
    return fields.encode();
  }

  public static Settlement decodeSettlement(AccountId account, String s) {
    Map<String, String> f = FieldCodec.decode(s);
    long settled = Long.parseLong(f.get("settled"));
    String requested = f.get("requested");
    return new Settlement(account, HoldId.of(f.get("hold")), settled, Long.parseLong(f.get("returned")),
        Long.parseLong(f.get("expiredOnReturn")), Instant.parse(f.get("at")),
        requested == null ? settled : Long.parseLong(requested),
        requested == null ? 0 : Long.parseLong(f.get("uncollected")), requested == null ? 0 : Long.parseLong(f.get("debt")));
  }

  public static String encodeRelease(Release r) {
    return FieldCodec.fields().add("hold", r.hold()).add("returned", r.returned())
        .add("expiredOnReturn", r.expiredOnReturn()).add("at", r.at()).encode();
  }

  public static Release decodeRelease(AccountId account, String s) {
    Map<String, String> f = FieldCodec.decode(s);
    return new Release(account, HoldId.of(f.get("hold")), Long.parseLong(f.get("returned")),
        Long.parseLong(f.get("expiredOnReturn")), Instant.parse(f.get("at")));
  }

  public static String encodeVoid(GrantVoid r) {
    return FieldCodec.fields().add("lot", r.lot().value()).add("source", r.source()).add("voided", r.voided())
        .add("held", r.held()).add("used", r.used()).add("at", r.at()).encode();
  }

  public static GrantVoid decodeVoid(AccountId account, String s) {
    Map<String, String> f = FieldCodec.decode(s);
    return new GrantVoid(account, new LotId(Long.parseLong(f.get("lot"))), LotSource.valueOf(f.get("source")),
        Long.parseLong(f.get("voided")), Long.parseLong(f.get("held")), Long.parseLong(f.get("used")),
        Instant.parse(f.get("at")));
  }

  public static String encodeExpiryChange(ExpiryChange r) {
    return FieldCodec.fields().add("lot", r.lot().value()).add("source", r.source())
        .addNullable("previousExpiry", r.previousExpiry()).addNullable("newExpiry", r.newExpiry())
        .add("at", r.at()).encode();
  }

  public static ExpiryChange decodeExpiryChange(AccountId account, String s) {
    Map<String, String> f = FieldCodec.decode(s);
    String previous = FieldCodec.nullable(f.get("previousExpiry"));
    String next = FieldCodec.nullable(f.get("newExpiry"));
    return new ExpiryChange(account, new LotId(Long.parseLong(f.get("lot"))), LotSource.valueOf(f.get("source")),
        previous == null ? null : Instant.parse(previous), next == null ? null : Instant.parse(next),
        Instant.parse(f.get("at")));
  }
}
