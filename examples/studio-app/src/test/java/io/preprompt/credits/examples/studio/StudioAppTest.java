package io.preprompt.credits.examples.studio;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The app as every test of this module runs it, so they share one application context: a random
 * port, a fake model that takes 700 ms (long enough for a running generation's hold to show), and a
 * simulated provider that pays 100 ms after it is asked.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"studio.generation-time=700ms", "studio.payment-delay=100ms",
        // Selenium looks for DevTools support matching the browser; these tests use WebDriver only.
        "logging.level.org.openqa.selenium.devtools=ERROR"})
@interface StudioAppTest {}
