package io.preprompt.credits.examples.boot;

import io.preprompt.credits.core.CreditsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Turns every error into a problem detail: the library's exceptions by their error code (see
 * {@link Problems#statusOf}), and Spring MVC's own (a missing header, unreadable JSON, a wrong
 * parameter type: 400) by the base class.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ProblemHandler.class);

  @ExceptionHandler(CreditsException.class)
  ResponseEntity<ProblemDetail> credits(CreditsException e) {
    ProblemDetail problem = Problems.of(e);
    if (problem.getStatus() >= 500) {
      LOG.error("credits call failed", e);
    }
    return ResponseEntity.status(problem.getStatus()).body(problem);
  }
}
