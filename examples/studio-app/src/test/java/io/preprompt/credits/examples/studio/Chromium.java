package io.preprompt.credits.examples.studio;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium under WebDriver, for the browser tests. The packages {@code chromium}
 * and {@code chromium-driver} are installed when missing (the tests run as root on CI); Selenium
 * is pointed at them, so it never downloads a browser or a driver.
 */
final class Chromium {
  static final Path BROWSER = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");
  /** Where the screenshots go, under the module's {@code target}. */
  static final Path SCREENSHOTS = Path.of("target", "screenshots");

  /** The browsers' profile folders, deleted when the test JVM exits (each browser has quit by then). */
  private static final List<Path> PROFILES = new CopyOnWriteArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> PROFILES.forEach(Chromium::deleteQuietly),
        "delete-chromium-profiles"));
  }

  private Chromium() {}

  private static void deleteQuietly(Path folder) {
    try (var paths = Files.walk(folder)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // A profile left in the temporary folder is harmless.
    }
  }

  /** Installs the Debian packages once, when the browser or its driver is missing. */
  static synchronized void install() {
    if (Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER)) {
      return;
    }
    run(List.of("apt-get", "install", "-y", "-q", "chromium", "chromium-driver"), false);
    if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
      run(List.of("apt-get", "update", "-q"), true);
      run(List.of("apt-get", "install", "-y", "-q", "chromium", "chromium-driver"), true);
    }
    if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
      throw new IllegalStateException("the browser tests need Debian's chromium and chromium-driver: "
          + BROWSER + " and " + DRIVER + " are still missing after apt-get install");
    }
  }

  private static void run(List<String> command, boolean mustSucceed) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(new File("target/apt-get.log")).start();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " took more than 10 minutes");
      }
      if (mustSucceed && p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed with " + p.exitValue()
            + "; see target/apt-get.log");
      }
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + String.join(" ", command), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted installing Chromium", e);
    }
  }

  /**
   * Starts a headless browser with a fresh profile.
   *
   * @param width the window's width in CSS pixels
   * @param height the window's height
   * @return the driver; quit it when done
   */
  static ChromeDriver start(int width, int height) {
    install();
    Path profile;
    try {
      profile = Files.createTempDirectory("studio-chromium-");
    } catch (IOException e) {
      throw new IllegalStateException("no temporary folder for the browser profile", e);
    }
    PROFILES.add(profile);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    // Root needs --no-sandbox; the network flags keep Chromium from calling out of this closed machine.
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-extensions", "--force-device-scale-factor=1",
        "--user-data-dir=" + profile.toAbsolutePath(), "--window-size=" + width + "," + height);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort()
        .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().window().setSize(new Dimension(width, height));
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    return driver;
  }

  /**
   * Writes a screenshot of what the browser shows.
   *
   * @param driver the browser
   * @param name the file's name without {@code .png}, e.g. {@code journey/01-signup}
   * @return the file
   */
  static Path screenshot(ChromeDriver driver, String name) {
    Path file = SCREENSHOTS.resolve(name + ".png");
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, fullPage(driver));
    } catch (IOException e) {
      throw new IllegalStateException("could not write " + file, e);
    }
    return file;
  }

  /**
   * The whole page, not only the window: Chromium's own capture beyond the viewport, through
   * WebDriver's command for it (no DevTools connection). With a modal open, the window as the user
   * sees it: a capture beyond the viewport would stretch the modal's backdrop.
   */
  private static byte[] fullPage(ChromeDriver driver) {
    if (Boolean.TRUE.equals(driver.executeScript("return document.querySelector('dialog[open]') !== null;"))) {
      return ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
    }
    Map<String, Object> metrics = driver.executeCdpCommand("Page.getLayoutMetrics", Map.of());
    @SuppressWarnings("unchecked")
    Map<String, Object> size = (Map<String, Object>) metrics.get("cssContentSize");
    if (size == null) {
      return ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
    }
    Map<String, Object> clip = Map.of("x", 0, "y", 0, "width", ((Number) size.get("width")).doubleValue(),
        "height", ((Number) size.get("height")).doubleValue(), "scale", 1);
    Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot",
        Map.of("format", "png", "captureBeyondViewport", true, "clip", clip));
    return Base64.getDecoder().decode((String) shot.get("data"));
  }
}
