package io.batchexecutor.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ScratchCacheDir;
import io.batchexecutor.support.ServiceProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a browser test of the dashboard runs against, for a whole test class: the packaged service
 * on the local Docker backend, on a scratch cache directory of its own, and one headless Chromium.
 */
final class DashboardUnderTest implements AutoCloseable {

  final Browser browser;
  final ServiceProcess service;
  private final Path cacheDir;

  private DashboardUnderTest(Browser browser, ServiceProcess service, Path cacheDir) {
    this.browser = browser;
    this.service = service;
    this.cacheDir = cacheDir;
  }

  /**
   * Starts both, side by side; {@code properties} are further {@code name=value} settings of the
   * service.
   */
  static DashboardUnderTest start(String name, String... properties) throws Exception {
    Path cacheDir = ScratchCacheDir.create(name);
    List<String> settings =
        new ArrayList<>(
            List.of(
                "batch-executor.backend=local",
                "batch-executor.image.base-image=" + DockerAvailable.BASE_IMAGE,
                "logging.level.root=WARN"));
    settings.addAll(List.of(properties));
    ServiceProcess service = null;
    Browser browser = null;
    try {
      service =
          ServiceProcess.launch(
              cacheDir, cacheDir.resolve("service.log"), settings.toArray(String[]::new));
      browser = Browser.start();
      service.awaitUp();
      return new DashboardUnderTest(browser, service, cacheDir);
    } catch (Exception | Error e) {
      try {
        if (browser != null) {
          browser.close();
        }
        if (service != null) {
          service.close();
        }
      } finally {
        ScratchCacheDir.remove(cacheDir);
      }
      throw e;
    }
  }

  /** Opens {@code fragment} (such as {@code #/sign-in}) in the browser, its console emptied. */
  void open(String fragment) {
    browser.open(service.url() + "/" + fragment);
    browser.clearConsole();
  }

  /** Fails when a script of the page failed since the console was last emptied. */
  void assertNoScriptFailed() {
    assertThat(browser.scriptErrors()).as("errors in the browser's console").isEmpty();
  }

  @Override
  public void close() throws Exception {
    try {
      browser.close();
    } finally {
      try {
        service.close();
      } finally {
        ScratchCacheDir.remove(cacheDir);
      }
    }
  }
}
