package io.preprompt.credits.plans;

import io.preprompt.credits.core.ErrorCode;
import io.preprompt.credits.core.InvalidRequestException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The packs on sale. Immutable; ids are unique. */
public final class PackCatalog {
  private final Map<String, Pack> packs;

  private PackCatalog(Map<String, Pack> packs) {
    this.packs = packs;
  }

  /**
   * Builds a catalog.
   *
   * @param packs the packs
   * @return the catalog
   * @throws InvalidRequestException with {@link ErrorCode#INVALID_CONFIGURATION} on duplicate ids or nulls
   */
  public static PackCatalog of(List<Pack> packs) {
    if (packs == null || packs.stream().anyMatch(p -> p == null)) {
      throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "a pack catalog needs a list of packs, without nulls");
    }
    Map<String, Pack> m = new LinkedHashMap<>();
    for (Pack p : packs) {
      if (m.put(p.id(), p) != null) {
        throw new InvalidRequestException(ErrorCode.INVALID_CONFIGURATION, "duplicate pack id '" + p.id() + "'");
      }
    }
    return new PackCatalog(java.util.Collections.unmodifiableMap(m));
  }

  /**
   * Returns the default packs: 500, 1,500 and 5,000 credits.
   *
   * @return the catalog
   */
  public static PackCatalog defaults() {
    return of(List.of(Pack.of("pack_500", 500, Pack.Price.of(500, "USD")),
        Pack.of("pack_1500", 1_500, Pack.Price.of(1_200, "USD")),
        Pack.of("pack_5000", 5_000, Pack.Price.of(3_500, "USD"))));
  }

  /**
   * Returns the packs.
   *
   * @return the packs in catalog order
   */
  public List<Pack> packs() {
    return List.copyOf(packs.values());
  }

  /**
   * Finds a pack.
   *
   * @param id the id
   * @return the pack, if any
   */
  public Optional<Pack> find(String id) {
    return Optional.ofNullable(id == null ? null : packs.get(id));
  }

  /**
   * Returns a pack or fails.
   *
   * @param id the id
   * @return the pack
   * @throws InvalidRequestException with {@link ErrorCode#UNKNOWN_PACK} when there is none
   */
  public Pack require(String id) {
    return find(id).orElseThrow(() -> new InvalidRequestException(ErrorCode.UNKNOWN_PACK, "no pack '" + id + "'"));
  }
}
