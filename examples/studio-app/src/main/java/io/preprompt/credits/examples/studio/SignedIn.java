package io.preprompt.credits.examples.studio;

import io.preprompt.credits.core.AccountId;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import org.jspecify.annotations.Nullable;
import org.springframework.web.servlet.HandlerInterceptor;

/**
 * The signed-in account, kept in the HTTP session. Pages behind sign-in send a visitor without one
 * to the sign-up page; the scripts' endpoints answer 401.
 */
final class SignedIn implements HandlerInterceptor {
  private static final String ATTRIBUTE = "studio.account";

  static void signIn(HttpSession session, AccountId account) {
    session.setAttribute(ATTRIBUTE, account.value());
  }

  static @Nullable AccountId of(@Nullable HttpSession session) {
    Object value = session == null ? null : session.getAttribute(ATTRIBUTE);
    return value == null ? null : AccountId.of((String) value);
  }

  static AccountId require(HttpServletRequest request) {
    AccountId account = of(request.getSession(false));
    if (account == null) {
      throw new IllegalStateException("the sign-in interceptor lets no anonymous request through");
    }
    return account;
  }

  @Override
  public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler)
      throws IOException {
    if (of(request.getSession(false)) != null) {
      return true;
    }
    String path = request.getRequestURI().substring(request.getContextPath().length());
    if (path.startsWith("/api/") || path.equals("/events")) {
      response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "sign in first");
    } else {
      response.sendRedirect(request.getContextPath() + "/");
    }
    return false;
  }
}
