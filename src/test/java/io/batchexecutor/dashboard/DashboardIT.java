package io.batchexecutor.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ScratchCacheDir;
import io.batchexecutor.support.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The dashboard in a real headless Chromium against the packaged service (one service and one
 * browser for the class): signing in and out, and the token the API takes.
 */
class DashboardIT {

  /** A second client's token, beside {@code tester}'s. */
  static final String OTHER = "test-token-other-client-0003";

  static Path cacheDir;
  static ServiceProcess service;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    browser = Browser.start();
    cacheDir = ScratchCacheDir.create("dashboard");
    service =
        ServiceProcess.start(
            cacheDir,
            cacheDir.resolve("service.log"),
            "batch-executor.security.tokens=other=" + OTHER,
            "batch-executor.backend=local",
            "batch-executor.image.base-image=" + DockerAvailable.BASE_IMAGE,
            "logging.level.root=WARN");
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (browser != null) {
        browser.close();
      }
    } finally {
      if (service != null) {
        service.close();
      }
      ScratchCacheDir.remove(cacheDir);
    }
  }

  @BeforeEach
  void freshTab() {
    browser.open(service.url() + "/#/sign-in");
    browser.clearConsole();
  }

  @AfterEach
  void noScriptFailed() {
    assertThat(browser.scriptErrors()).as("errors in the browser's console").isEmpty();
  }

  @Test
  void aClientSignsInWithItsTokenAndSeesItsEmptyTaskListThenSignsOut() {
    signIn(OTHER);

    WebElement list = browser.visible(By.id("task-list"));
    browser.await(Duration.ofSeconds(10), d -> list.getText().contains("No tasks yet"));
    assertThat(browser.driver().getCurrentUrl()).endsWith("#/tasks");
    assertThat(sessionToken()).isEqualTo(OTHER);
    browser.screenshot("tasks-empty", false);

    browser.driver().findElement(By.id("sign-out")).click();
    browser.visible(By.id("token"));
    assertThat(sessionToken()).isNull();
    browser.open(service.url() + "/#/tasks");
    browser.visible(By.id("token")); // back to sign-in: the token is forgotten
  }

  @Test
  void aWrongTokenIsRefusedWithAMessage() {
    browser.visible(By.id("token")).sendKeys("not-the-token-of-anyone");
    browser.driver().findElement(By.id("sign-in-button")).click();

    WebElement message = browser.visible(By.cssSelector("#sign-in-message .notice-error"));
    assertThat(message.getText()).contains("This token was refused");
    assertThat(sessionToken()).isNull();
    assertThat(browser.driver().getCurrentUrl()).contains("#/sign-in");
    browser.screenshot("sign-in-refused", false);
  }

  @Test
  void thePagesCarryAStrictContentSecurityPolicyAndSwaggerUiStillWorks() {
    Api api = service.api().as(null);
    for (String path : new String[] {"/", "/index.html", "/assets/app.css", "/assets/js/main.js"}) {
      Api.Response answer = api.get(path);
      assertThat(answer.status()).as(path).isEqualTo(200);
      assertThat(answer.header("Content-Security-Policy"))
          .as(path)
          .hasValueSatisfying(
              csp ->
                  assertThat(csp)
                      .contains("default-src 'none'")
                      .contains("script-src 'self';")
                      .contains("frame-ancestors 'none'")
                      .doesNotContain("unsafe"));
      assertThat(answer.header("X-Content-Type-Options")).as(path).contains("nosniff");
      assertThat(answer.header("Referrer-Policy")).as(path).contains("no-referrer");
    }
    assertThat(api.get("/api/v1/tasks").status()).as("the API takes tokens only").isEqualTo(401);

    browser.open(service.url() + "/swagger-ui/index.html");
    browser.visible(By.cssSelector(".swagger-ui .opblock"));
    assertThat(api.get("/swagger-ui/index.html").header("Content-Security-Policy")).isEmpty();
  }

  private void signIn(String token) {
    browser.visible(By.id("token")).sendKeys(token);
    browser.driver().findElement(By.id("sign-in-button")).click();
    browser.visible(By.cssSelector("#nav a[href='#/tasks']"));
  }

  private Object sessionToken() {
    return browser.script("return sessionStorage.getItem('batch-executor.token')");
  }
}
