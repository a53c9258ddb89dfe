package io.preprompt.credits.examples.studio;

import java.time.InstantSource;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/**
 * The studio app: the starter wires the library over the app's DataSource (embedded H2 from
 * {@code application.yml}); the controllers render the pages of the help page.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class StudioApp {

  /** Creates the application's configuration; Spring calls it. */
  public StudioApp() {}

  /**
   * Starts the app.
   *
   * @param args Spring Boot's command line, for example {@code --server.port=9090}
   */
  public static void main(String[] args) {
    SpringApplication.run(StudioApp.class, args);
  }

  /**
   * The one clock of the app, handed to the library by the starter.
   *
   * @return the system clock
   */
  @Bean
  InstantSource clock() {
    return InstantSource.system();
  }

  /**
   * Runs work that must not hold up the thread that committed: the simulated payment provider's
   * confirmations, and the live balance pushes. One thread, so pushes leave in commit order.
   *
   * @return the executor, shut down with the app
   */
  @Bean(destroyMethod = "shutdownNow")
  ScheduledExecutorService studioExecutor() {
    return Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "studio-background");
      t.setDaemon(true);
      return t;
    });
  }
}
