package io.preprompt.credits.examples.boot;

import java.time.InstantSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/**
 * The example app: the starter wires the library over the app's DataSource (embedded H2 from
 * {@code application.yml}), the controllers expose it as JSON.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class CreditsApp {

  /** Creates the application's configuration; Spring calls it. */
  public CreditsApp() {}

  /**
   * Starts the app.
   *
   * @param args Spring Boot's command line, for example {@code --server.port=9090}
   */
  public static void main(String[] args) {
    SpringApplication.run(CreditsApp.class, args);
  }

  /**
   * The one clock of the app: the starter hands it to the library, and the history's default
   * period is measured with it, so the two never disagree.
   *
   * @return the system clock
   */
  @Bean
  InstantSource clock() {
    return InstantSource.system();
  }
}
