package io.preprompt.credits.examples.studio;

import io.preprompt.credits.CreditService;
import io.preprompt.credits.core.AccountId;
import io.preprompt.credits.core.IdempotencyKey;
import io.preprompt.credits.plans.PlanService;
import io.preprompt.credits.plans.SignupResult;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Visitors and their credits accounts: sign up with an email, verify it (the signup grant), sign in
 * again. The demo has no passwords: an email signs in to its account, which a real app would never
 * allow.
 */
@Service
class Accounts {
  /** A plausible email: something, an at sign, a domain with a dot; no spaces. */
  private static final Pattern EMAIL = Pattern.compile("[^\\s@]{1,64}@[^\\s@]+\\.[^\\s@]+");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final JdbcClient jdbc;
  private final CreditService credits;
  private final PlanService plans;
  private final InstantSource clock;

  Accounts(JdbcClient jdbc, CreditService credits, PlanService plans, InstantSource clock) {
    this.jdbc = jdbc;
    this.credits = credits;
    this.plans = plans;
    this.clock = clock;
  }

  /**
   * A visitor.
   *
   * @param account their credits account
   * @param email the email they signed up with
   * @param verifyToken the token of their verification link
   * @param verified whether they followed it
   */
  record User(AccountId account, String email, String verifyToken, boolean verified) {}

  /** The email is not one the app can send to. */
  static final class BadEmailException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BadEmailException(String message) {
      super(message);
    }
  }

  /**
   * Signs up, or signs in to the account an email already has. A new account is opened and recorded
   * in one transaction, so a user never exists without their account.
   *
   * @param rawEmail the email as typed
   * @return the user
   * @throws BadEmailException for an email that cannot be one
   */
  @Transactional
  User signUp(String rawEmail) {
    String email = rawEmail.strip().toLowerCase(Locale.ROOT);
    if (email.length() > 254 || !EMAIL.matcher(email).matches()) {
      throw new BadEmailException("Enter an email address like name@example.com.");
    }
    Optional<User> existing = byEmail(email);
    if (existing.isPresent()) {
      return existing.get();
    }
    User user = new User(AccountId.of("u-" + random(10)), email, random(16), false);
    credits.openAccount(user.account(), IdempotencyKey.of("open"));
    try {
      jdbc.sql("INSERT INTO studio_users (account_id, email, verify_token, verified, created_at) VALUES (?, ?, ?, ?, ?)")
          .params(user.account().value(), email, user.verifyToken(), false,
              OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC))
          .update();
    } catch (DuplicateKeyException e) {
      // The same email signed up twice at once: the other request's account stands, this one rolls back.
      throw new SignUpRaceException(email, e);
    }
    return user;
  }

  /** Two sign-ups of one email raced; the caller looks the email up again. */
  static final class SignUpRaceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SignUpRaceException(String email, Throwable cause) {
      super("another sign-up of " + email + " won", cause);
    }
  }

  /**
   * Follows a verification link: grants the signup credits the first time, nothing after.
   *
   * @param token the link's token
   * @return the user and what the library granted, or empty for an unknown token
   */
  @Transactional
  Optional<Verified> verify(String token) {
    Optional<User> user = jdbc.sql("SELECT * FROM studio_users WHERE verify_token = ?").param(token)
        .query(Accounts::user).optional();
    if (user.isEmpty()) {
      return Optional.empty();
    }
    // Each click is a request of its own; the library grants once per account ever, so a second click,
    // or two tabs at once, are told the credits were already granted.
    SignupResult result = plans.verifyEmail(user.get().account(), IdempotencyKey.of("verify-email:" + random(8)));
    jdbc.sql("UPDATE studio_users SET verified = TRUE WHERE account_id = ?").param(user.get().account().value()).update();
    return Optional.of(new Verified(user.get(), result));
  }

  /**
   * What following a verification link did.
   *
   * @param user the user
   * @param result the library's answer: granted, or already granted
   */
  record Verified(User user, SignupResult result) {}

  Optional<User> byEmail(String email) {
    return jdbc.sql("SELECT * FROM studio_users WHERE email = ?").param(email).query(Accounts::user).optional();
  }

  Optional<User> byAccount(AccountId account) {
    return jdbc.sql("SELECT * FROM studio_users WHERE account_id = ?").param(account.value())
        .query(Accounts::user).optional();
  }

  private static User user(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
    return new User(AccountId.of(rs.getString("account_id")), rs.getString("email"), rs.getString("verify_token"),
        rs.getBoolean("verified"));
  }

  private static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
