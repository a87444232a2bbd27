package io.batchexecutor.dashboard;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's {@code chromium}, driven through its {@code
 * /usr/bin/chromedriver}) with a fresh profile of its own, no network of its own (no updates, sync
 * or QUIC), for the dashboard's tests. It saves screenshots under {@code
 * target/dashboard-screenshots/} and collects what the pages wrote to the console, so that a test
 * can assert that no script failed.
 *
 * <p>Without Chromium or chromedriver it fails, saying that {@code .ci/provision} installs them:
 * the browser tests are never skipped in silence.
 */
public final class Browser implements AutoCloseable {

  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots").toAbsolutePath();

  private final ChromeDriver driver;
  private final Path profile;
  private final List<LogEntry> console = new ArrayList<>();

  private Browser(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** Starts headless Chromium with a fresh profile; fails when Chromium is not installed. */
  public static Browser start() {
    List<String> missing = new ArrayList<>();
    for (Path binary : List.of(CHROMIUM, CHROMEDRIVER)) {
      if (!Files.isExecutable(binary)) {
        missing.add(binary.toString());
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "the dashboard's browser tests need Debian's chromium and chromium-driver, but "
              + String.join(" and ", missing)
              + " are missing: source .ci/provision, which installs them");
    }
    try {
      Files.createDirectories(SCREENSHOTS);
      Path profile = Files.createTempDirectory("dashboard-chromium-");
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM.toFile());
      options.addArguments(
          "--headless=new",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--disable-dev-shm-usage",
          "--window-size=1280,900",
          "--user-data-dir=" + profile);
      LoggingPreferences logs = new LoggingPreferences();
      logs.enable(LogType.BROWSER, Level.ALL);
      options.setCapability("goog:loggingPrefs", logs);
      // this chromedriver, never one that Selenium Manager would look for and download
      System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
      System.setProperty(
          "webdriver.chrome.logfile", SCREENSHOTS.resolve("chromedriver.log").toString());
      return new Browser(new ChromeDriver(options), profile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public WebDriver driver() {
    return driver;
  }

  /**
   * Loads {@code url} as a new document, even when only its {@code #} part differs from the page's
   * (what the earlier page wrote to the console is kept; sessionStorage stays, as in a tab).
   */
  public void open(String url) {
    collectConsole();
    driver.get("about:blank");
    driver.get(url);
  }

  /**
   * Waits up to {@code timeout} for {@code condition} to answer something other than null/false.
   */
  public <T> T await(Duration timeout, Function<WebDriver, T> condition) {
    return new WebDriverWait(driver, timeout, Duration.ofMillis(100)).until(condition);
  }

  /** Waits up to 20 s for an element that {@code by} finds and that is displayed. */
  public WebElement visible(By by) {
    return visible(by, Duration.ofSeconds(20));
  }

  /** Waits up to {@code timeout} for an element that {@code by} finds and that is displayed. */
  public WebElement visible(By by, Duration timeout) {
    return await(
        timeout,
        d -> d.findElements(by).stream().filter(WebElement::isDisplayed).findFirst().orElse(null));
  }

  /** Runs {@code script} in the page and answers its value. */
  public Object script(String script, Object... args) {
    return driver.executeScript(script, args);
  }

  /**
   * Installs {@code source} to run in every document this browser opens from now on, before the
   * page's own scripts (the Content-Security-Policy does not apply to it).
   */
  public void beforeEveryPage(String source) {
    driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", source));
  }

  /**
   * Saves what the window shows as {@code target/dashboard-screenshots/<name>.png} — the whole page
   * when {@code fullPage} (the window is made as tall as the page for it).
   */
  public Path screenshot(String name, boolean fullPage) {
    Dimension before = driver.manage().window().getSize();
    try {
      if (fullPage) {
        long height =
            ((Number) driver.executeScript("return document.documentElement.scrollHeight"))
                .longValue();
        driver
            .manage()
            .window()
            .setSize(new Dimension(before.getWidth(), (int) Math.min(height + 140, 4000)));
      }
      File file = driver.getScreenshotAs(OutputType.FILE);
      Path target = SCREENSHOTS.resolve(name + ".png");
      Files.copy(file.toPath(), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      if (fullPage) {
        driver.manage().window().setSize(before);
      }
    }
  }

  /** Everything the pages wrote to the console so far. */
  public List<LogEntry> console() {
    collectConsole();
    return List.copyOf(console);
  }

  /**
   * The console errors of scripts: uncaught exceptions, console.error, and what the
   * Content-Security-Policy refused. Chromium's own line for each HTTP answer that was not a
   * success ("Failed to load resource") is left out: the dashboard asks for some on purpose (a
   * refused token at sign-in, output before a task printed anything) and shows them itself.
   */
  public List<String> scriptErrors() {
    return console().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .filter(m -> !m.contains("Failed to load resource"))
        .toList();
  }

  /** Forgets the console entries collected so far. */
  public void clearConsole() {
    collectConsole();
    console.clear();
  }

  private void collectConsole() {
    try {
      driver.manage().logs().get(LogType.BROWSER).forEach(console::add);
    } catch (RuntimeException e) {
      // no page yet
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      try (Stream<Path> files = Files.walk(profile)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException e) {
        // a profile left in the temporary directory is harmless
      }
    }
  }
}
