package io.preprompt.credits.plans;

import static org.assertj.core.api.Assertions.assertThat;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.balance.BalanceView;
import io.preprompt.credits.core.CreditAmount;
import io.preprompt.credits.core.CreditsConfig;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.gate.GateConfig;
import io.preprompt.credits.gate.GenerationGate;
import io.preprompt.credits.gate.GenerationRequest;
import io.preprompt.credits.gate.ModelRate;
import io.preprompt.credits.spi.CreditStore;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReader;
import java.lang.module.ModuleReference;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Checks, by reflection over every public type of credits-core's exported packages (read from its
 * {@code module-info}), the two rules of issue 16's construction point, so that a method added later
 * that breaks one fails here:
 *
 * <ul>
 *   <li>credit amounts: a caller names the credits it asks to move with {@link CreditAmount}; what
 *       the library reports, catalog and config settings and the store port count in {@code long}
 *       (the rule is written in the root package's javadoc and in {@link CreditAmount}'s);
 *   <li>construction: tiers, entitlements, rates, packs, generation requests and configs have no
 *       public constructor, only named factories and builders ({@link NamedConstructionTest}).
 * </ul>
 */
@DisplayName("The public API's rules for credit amounts and construction")
class PublicApiRulesTest {
  private static final String SPI = "io.preprompt.credits.spi";

  /** The public types of the exported packages, nested ones included, by name. */
  private static final List<Class<?>> API = exportedTypes();

  /** Types whose positional constructors were replaced by named factories and builders. */
  private static final List<Class<?>> NAMED_CONSTRUCTION = List.of(Tier.class, Entitlements.class,
      Entitlements.Builder.class, Pack.class, PlansConfig.class, ModelRate.class, GateConfig.class,
      GenerationRequest.class, CreditsConfig.class, CreditsConfig.Builder.class);

  /** Parameter types that would carry credits as a bare number. */
  private static final Set<Class<?>> BARE_NUMBERS = Set.of(long.class, int.class, short.class, byte.class,
      double.class, float.class, Long.class, Integer.class, Short.class, Byte.class, Double.class, Float.class,
      Number.class, BigInteger.class, BigDecimal.class);

  private static List<Class<?>> exportedTypes() {
    Path location;
    try {
      location = Path.of(CreditAmount.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    ModuleReference core = ModuleFinder.of(location).findAll().stream()
        .filter(m -> m.descriptor().name().equals("io.preprompt.credits.core")).findFirst()
        .orElseThrow(() -> new IllegalStateException("no credits-core module at " + location));
    Set<String> exported = core.descriptor().exports().stream().filter(e -> !e.isQualified())
        .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
    try (ModuleReader reader = core.open(); Stream<String> resources = reader.list()) {
      return resources.filter(r -> r.endsWith(".class") && !r.endsWith("module-info.class")
              && !r.endsWith("package-info.class"))
          .map(r -> r.substring(0, r.length() - ".class".length()).replace('/', '.'))
          .filter(name -> exported.contains(name.substring(0, name.lastIndexOf('.'))))
          .map(PublicApiRulesTest::load).filter(PublicApiRulesTest::visible)
          .sorted(Comparator.comparing(Class::getName)).toList();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name, false, PublicApiRulesTest.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Public, and every type it is nested in is public too. */
  private static boolean visible(Class<?> type) {
    if (type.isAnonymousClass() || type.isLocalClass() || type.isSynthetic()) {
      return false;
    }
    for (Class<?> t = type; t != null; t = t.getEnclosingClass()) {
      if (!Modifier.isPublic(t.getModifiers())) {
        return false;
      }
    }
    return true;
  }

  /** The public methods, constructors and fields a type declares. */
  private static List<Member> publicMembers(Class<?> type) {
    List<Member> members = new ArrayList<>();
    Stream.of(type.getDeclaredMethods()).filter(m -> !m.isSynthetic() && !m.isBridge()).forEach(members::add);
    members.addAll(Arrays.asList(type.getDeclaredConstructors()));
    members.addAll(Arrays.asList(type.getDeclaredFields()));
    members.removeIf(m -> !Modifier.isPublic(m.getModifiers()) || m.isSynthetic());
    return members;
  }

  private static boolean mentionsCreditAmount(Type type) {
    return type.getTypeName().matches(".*\\b" + CreditAmount.class.getName().replace(".", "\\.") + "\\b.*");
  }

  private static boolean takesCreditAmount(Executable e) {
    return Stream.of(e.getGenericParameterTypes()).anyMatch(PublicApiRulesTest::mentionsCreditAmount);
  }

  private static boolean givesCreditAmount(Member m) {
    if (m instanceof Method method) {
      return mentionsCreditAmount(method.getGenericReturnType());
    }
    return m instanceof Field field && mentionsCreditAmount(field.getGenericType());
  }

  /** A call that changes an account: every one carries an idempotency key. */
  private static boolean movesCredits(Executable e) {
    return e instanceof Method && Arrays.asList(e.getParameterTypes()).contains(IdempotencyKey.class);
  }

  /** A request a caller builds to ask for a change ({@code HoldRequest}): an input, like a call's parameters. */
  private static boolean isRequest(Class<?> type) {
    return type.getSimpleName().endsWith("Request");
  }

  private static String describe(Member m) {
    return m.getDeclaringClass().getName() + ": " + m;
  }

  @Test
  @DisplayName("the scan sees every exported package, nested types included, and nothing internal")
  void scan_coversTheExportedApi() {
    assertThat(API).contains(CreditService.class, BalanceView.class, Tier.class, Entitlements.Builder.class,
        GenerationGate.class, CreditStore.class, CreditAmount.class);
    assertThat(API).extracting(Class::getPackageName).doesNotContain("io.preprompt.credits.internal")
        .contains("io.preprompt.credits", "io.preprompt.credits.balance", "io.preprompt.credits.gate",
            "io.preprompt.credits.ledger", "io.preprompt.credits.plans", SPI);
  }

  @Nested
  @DisplayName("Credit amounts")
  class Amounts {
    @Test
    @DisplayName("nothing the library reports is a CreditAmount: results, settings and the store port count in long")
    void creditAmount_neverReported() {
      List<String> broken = API.stream().filter(t -> t != CreditAmount.class && !isRequest(t))
          .flatMap(t -> publicMembers(t).stream()).filter(PublicApiRulesTest::givesCreditAmount)
          .map(PublicApiRulesTest::describe).toList();
      assertThat(broken).as("members outside CreditAmount and request types that return a CreditAmount").isEmpty();
    }

    @Test
    @DisplayName("a CreditAmount is taken only by a call that moves credits or a request for one")
    void creditAmount_onlyToMoveCredits() {
      List<String> broken = API.stream().filter(t -> t != CreditAmount.class && !isRequest(t))
          .flatMap(t -> publicMembers(t).stream()).filter(m -> m instanceof Executable)
          .map(Executable.class::cast).filter(e -> takesCreditAmount(e) && !movesCredits(e))
          .map(PublicApiRulesTest::describe).toList();
      assertThat(broken).as("settings and queries must take long credits, not CreditAmount").isEmpty();
    }

    @Test
    @DisplayName("a call that moves credits never takes them as a bare number")
    void movingCredits_neverBareNumbers() {
      List<String> broken = API.stream().filter(t -> !t.getPackageName().equals(SPI))
          .flatMap(t -> publicMembers(t).stream()).filter(m -> m instanceof Executable)
          .map(Executable.class::cast).filter(PublicApiRulesTest::movesCredits)
          .filter(e -> Stream.of(e.getParameterTypes()).anyMatch(BARE_NUMBERS::contains))
          .map(PublicApiRulesTest::describe).toList();
      assertThat(broken).as("calls with an idempotency key must name credits with CreditAmount").isEmpty();
      assertThat(API.stream().flatMap(t -> publicMembers(t).stream()).filter(m -> m instanceof Executable)
          .map(Executable.class::cast).filter(PublicApiRulesTest::movesCredits).filter(
              PublicApiRulesTest::takesCreditAmount).map(Member::getName).distinct())
          .as("the calls the rule is about are in the scan").contains("grant", "settle", "of", "succeeded",
              "addCredits", "removeCredits");
    }

    @Test
    @DisplayName("the store port never sees a CreditAmount")
    void spi_countsInLong() {
      List<String> broken = API.stream().filter(t -> t.getPackageName().equals(SPI))
          .flatMap(t -> publicMembers(t).stream())
          .filter(m -> givesCreditAmount(m) || m instanceof Executable e && takesCreditAmount(e))
          .map(PublicApiRulesTest::describe).toList();
      assertThat(broken).isEmpty();
    }
  }

  @Nested
  @DisplayName("Construction")
  class Construction {
    @Test
    @DisplayName("tiers, entitlements, rates, packs, generation requests and configs have no public constructor")
    void namedTypes_haveNoPublicConstructor() {
      for (Class<?> type : NAMED_CONSTRUCTION) {
        assertThat(API).as("exported").contains(type);
        assertThat(type.isRecord()).as("%s is a record (its canonical constructor is public)", type).isFalse();
        assertThat(Modifier.isFinal(type.getModifiers())).as("%s is final", type).isTrue();
        assertThat(Stream.of(type.getDeclaredConstructors()).filter(c -> !Modifier.isPrivate(c.getModifiers()))
            .map(Constructor::toString)).as("constructors of %s", type).isEmpty();
      }
    }

    @Test
    @DisplayName("each of them has a named way in: a static factory or builder")
    void namedTypes_haveNamedFactories() {
      for (Class<?> type : NAMED_CONSTRUCTION) {
        if (type.getSimpleName().equals("Builder")) {
          continue;
        }
        assertThat(Stream.of(type.getDeclaredMethods()).filter(m -> Modifier.isPublic(m.getModifiers())
                && Modifier.isStatic(m.getModifiers()) && (m.getReturnType() == type
                || m.getReturnType().getEnclosingClass() == type)).map(Method::getName))
            .as("public static factories of %s", type).isNotEmpty();
      }
    }
  }
}
