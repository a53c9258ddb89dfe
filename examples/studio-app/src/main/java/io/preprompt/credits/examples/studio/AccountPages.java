package io.preprompt.credits.examples.studio;

import io.preprompt.credits.core.AccountId;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.util.Optional;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Signing up, the verification email (shown in a simulated inbox: the demo sends no mail), and
 * signing out.
 */
@Controller
class AccountPages {
  private final Accounts accounts;

  AccountPages(Accounts accounts) {
    this.accounts = accounts;
  }

  @GetMapping("/")
  String home(HttpSession session) {
    return SignedIn.of(session) == null ? "signup" : "redirect:/studio";
  }

  @PostMapping("/signup")
  String signUp(@RequestParam(defaultValue = "") String email, HttpServletRequest request, Model model) {
    Accounts.User user;
    try {
      user = signUpOnce(email);
    } catch (Accounts.BadEmailException e) {
      model.addAttribute("error", e.getMessage());
      model.addAttribute("email", email);
      return "signup";
    }
    // A new session id on sign-in, so a session fixed before it is worth nothing.
    if (request.getSession(false) != null) {
      request.changeSessionId();
    }
    SignedIn.signIn(request.getSession(true), user.account());
    return user.verified() ? "redirect:/studio" : "redirect:/inbox";
  }

  private Accounts.User signUpOnce(String email) {
    try {
      return accounts.signUp(email);
    } catch (Accounts.SignUpRaceException e) {
      return accounts.signUp(email);  // the other sign-up committed: this finds its account
    }
  }

  @GetMapping("/inbox")
  String inbox(HttpSession session, Model model) {
    AccountId account = SignedIn.of(session);
    if (account == null) {
      return "redirect:/";
    }
    model.addAttribute("user", accounts.byAccount(account).orElseThrow());
    return "inbox";
  }

  @GetMapping("/verify")
  String verify(@RequestParam(defaultValue = "") String token, HttpServletRequest request,
      RedirectAttributes redirect) {
    Optional<Accounts.Verified> verified = accounts.verify(token);
    if (verified.isEmpty()) {
      redirect.addFlashAttribute("error", "That verification link is not valid.");
      return "redirect:/";
    }
    Accounts.Verified v = verified.get();
    if (!v.user().account().equals(SignedIn.of(request.getSession(false)))) {
      request.getSession().invalidate();
      SignedIn.signIn(request.getSession(true), v.user().account());
    }
    redirect.addFlashAttribute("notice", v.result().granted()
        ? "Email verified: " + v.result().credits() + " free credits are in your balance."
        : "Your email was already verified; the free credits are granted once.");
    return "redirect:/studio";
  }

  @PostMapping("/signout")
  String signOut(HttpSession session) {
    session.invalidate();
    return "redirect:/";
  }
}
