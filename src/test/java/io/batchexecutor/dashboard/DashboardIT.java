package io.batchexecutor.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ServiceProcess;
import io.batchexecutor.support.Tasks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The dashboard in a real headless Chromium against the packaged service on the local Docker
 * backend (one service and one browser for the class): signing in and out; a task submitted through
 * the API appearing in the list and reaching SUCCEEDED without a reload; its timeline; its output
 * while it prints; a sweep's grid; cancel and delete; a name that is markup shown as text; and a
 * second client seeing none of the first's tasks. After each test no script has failed. Screenshots
 * are in {@code target/dashboard-screenshots/}.
 */
class DashboardIT {

  /** A second client's token, beside {@code tester}'s. */
  static final String OTHER = "test-token-other-client-0003";

  /** A third client's, whose tasks fill more than one page of the list. */
  static final String PAGER = "test-token-pager-client-0004";

  static DashboardUnderTest dashboard;
  static ServiceProcess service;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    dashboard =
        DashboardUnderTest.start(
            "dashboard", "batch-executor.security.tokens=other=" + OTHER + ",pager=" + PAGER);
    service = dashboard.service;
    browser = dashboard.browser;
  }

  @AfterAll
  static void stop() throws Exception {
    if (dashboard != null) {
      dashboard.close();
    }
  }

  @BeforeEach
  void freshTab() {
    dashboard.open("#/sign-in");
  }

  @AfterEach
  void noScriptFailed() {
    dashboard.assertNoScriptFailed();
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

  @Test
  void aTaskSubmittedThroughTheApiAppearsAndSucceedsWithoutAReloadAndItsTimelineShowsItsPhases() {
    DockerAvailable.assume(DockerAvailable.client());
    signIn(Api.TESTER);
    browser.visible(By.id("task-counts"));
    browser.script("window.sameDocument = true");

    String id =
        submit(
            Tasks.function(
                    "def add(x, y):\n    print('adding', x, 'and', y)\n    return {'sum': x + y}\n",
                    "add")
                .name("add two numbers")
                .set("args", List.of(1, 2)));

    browser.visible(By.cssSelector("tr.task-row[data-id='" + id + "']"));
    browser.visible(
        By.cssSelector("tr.task-row[data-id='" + id + "'] .badge[data-status='SUCCEEDED']"),
        Duration.ofMinutes(3));
    browser.await(
        Duration.ofSeconds(10),
        d ->
            d.findElement(By.cssSelector("#task-counts a[data-status='SUCCEEDED'] .n"))
                .getText()
                .matches("[1-9]\\d*"));
    assertThat(browser.script("return window.sameDocument === true"))
        .as("the list was updated in place, never reloaded")
        .isEqualTo(true);
    browser.screenshot("tasks", false);

    browser.driver().findElement(By.cssSelector("tr.task-row[data-id='" + id + "'] a")).click();
    browser.visible(By.cssSelector("#task-status .badge[data-status='SUCCEEDED']"));
    assertThat(browser.driver().findElement(By.id("task-name")).getText())
        .isEqualTo("add two numbers");
    for (String phase : List.of("QUEUED", "BUILDING", "RUNNING")) {
      assertThat(browser.driver().findElements(timelinePhase(phase))).as(phase).hasSize(1);
    }
    browser.visible(By.cssSelector("#timeline-chart g.ended[data-status='SUCCEEDED']"));
    browser.visible(By.cssSelector("#timeline-chart g.attempt[data-attempt='1']"));
    assertThat(browser.visible(By.id("result-json")).getText().replaceAll("\\s", ""))
        .isEqualTo("{\"sum\":3}");
    browser.await(
        Duration.ofSeconds(20),
        d -> d.findElement(By.id("logs")).getText().contains("adding 1 and 2"));
    assertThat(browser.driver().findElement(By.id("settings")).getText()).contains("time_limit");
    browser.screenshot("task", true);
  }

  @Test
  void theOutputOfASlowTaskAppearsWhileItPrints() {
    DockerAvailable.assume(DockerAvailable.client());
    signIn(Api.TESTER);
    // prints for ten seconds of real time (the container's own): the output of a task that still
    // runs must show, with over nine seconds left after the third line for the check
    String id =
        submit(
            Tasks.function(
                    "import time\n"
                        + "def slow():\n"
                        + "    for i in range(40):\n"
                        + "        print('tick', i, flush=True)\n"
                        + "        time.sleep(0.25)\n"
                        + "    return 'done'\n",
                    "slow")
                .name("slow printer"));
    browser.open(service.url() + "/#/tasks/" + id);

    browser.await(
        Duration.ofMinutes(3), d -> d.findElement(By.id("logs")).getText().contains("tick 2"));
    String status = service.api().get("/api/v1/tasks/" + id).json().get("status").asString();
    assertThat(status).as("the task still runs while its output shows").isEqualTo("RUNNING");
    assertThat(browser.driver().findElement(By.id("logs")).getText()).doesNotContain("tick 39");
    browser.screenshot("task-logs-live", false);

    browser.visible(
        By.cssSelector("#task-status .badge[data-status='SUCCEEDED']"), Duration.ofMinutes(1));
    browser.await(
        Duration.ofSeconds(20), d -> d.findElement(By.id("logs")).getText().contains("tick 39"));
    String logs = browser.driver().findElement(By.id("logs")).getText();
    assertThat(logs.lines().filter(l -> l.startsWith("tick ")).count())
        .as("each line once, in order:%n%s", logs)
        .isEqualTo(40);
  }

  @Test
  void aSweepsGridIsColouredByOutcomeAndEachCellOpensItsRun() {
    DockerAvailable.assume(DockerAvailable.client());
    signIn(Api.TESTER);
    String id =
        submit(
            Tasks.function(
                    "from fractions import Fraction\n"
                        + "def ratio(num, d):\n"
                        + "    print('dividing', num, 'by', d)\n"
                        + "    return num / d if num == 1 else Fraction(num, d)\n",
                    "ratio")
                .name("ratios")
                // the names in the order given, the last varying fastest: run i is
                // num=[1, 2][i / 2], d=[0, 4][i % 2], as the grid must show
                .set("sweep", sweep("num", List.of(1, 2), "d", List.of(0, 4))));
    browser.open(service.url() + "/#/tasks/" + id);
    browser.visible(By.cssSelector("#sweep-grid a.cell[data-index='3']"));
    browser.visible(
        By.cssSelector("#task-status .badge[data-status='SUCCEEDED']"), Duration.ofMinutes(3));
    browser.visible(By.cssSelector("#sweep-grid a.cell[data-index='0'][data-outcome='error']"));
    assertThat(
            browser
                .driver()
                .findElement(By.cssSelector("#sweep-grid a.cell[data-index='1']"))
                .getAttribute("title"))
        .contains("num=1, d=4")
        .contains("returned 0.25");
    assertThat(browser.driver().findElements(By.cssSelector("#sweep-grid a.cell.st-FAILED")))
        .hasSize(2);
    assertThat(browser.driver().findElements(By.cssSelector("#sweep-grid a.cell.st-SUCCEEDED")))
        .hasSize(2);
    browser.screenshot("sweep", true);

    browser.driver().findElement(By.cssSelector("#sweep-grid a.cell[data-index='3']")).click();
    awaitText(By.id("run-title"), "Run 3 of 4");
    assertThat(browser.visible(By.id("result-type")).getText()).isEqualTo("fractions.Fraction");
    assertThat(browser.visible(By.id("result-repr")).getText()).isEqualTo("Fraction(1, 2)");
    browser.await(
        Duration.ofSeconds(20),
        d -> d.findElement(By.id("logs")).getText().contains("dividing 2 by 4"));
    browser.driver().findElement(By.id("download-pickle")).click();
    browser.await(
        Duration.ofSeconds(10),
        d ->
            d.findElement(By.id("download-pickle"))
                .findElement(By.xpath(".."))
                .getText()
                .matches("(?s).*\\d+ bytes.*"));
    browser.screenshot("sweep-run", true);

    browser.driver().findElement(By.linkText("‹ Run 2")).click();
    awaitText(By.id("run-title"), "Run 2 of 4");
    assertThat(browser.visible(By.id("error-type")).getText()).isEqualTo("ZeroDivisionError");
    assertThat(browser.visible(By.id("traceback")).getText()).contains("Traceback");
    assertThat(browser.driver().findElement(By.id("run")).getText()).contains("num=2, d=0");
    browser.driver().findElement(By.linkText("‹ Run 1")).click();
    awaitText(By.id("run-title"), "Run 1 of 4");
    assertThat(browser.visible(By.id("result-json")).getText()).isEqualTo("0.25");
    assertThat(browser.driver().findElement(By.id("run")).getText()).contains("num=1, d=4");
  }

  @Test
  void cancelAndDeleteAskForAConfirmationFirst() {
    DockerAvailable.assume(DockerAvailable.client());
    signIn(Api.TESTER);
    String id =
        submit(
            Tasks.function("import time\ndef nap():\n    time.sleep(120)\n", "nap")
                .name("a long nap"));
    browser.open(service.url() + "/#/tasks/" + id);

    browser.visible(By.id("cancel-task")).click();
    browser.visible(By.id("confirm-no")).click();
    assertThat(service.api().get("/api/v1/tasks/" + id).json().get("cancel_requested").asBoolean())
        .as("kept: nothing was asked of the service")
        .isFalse();

    browser.visible(By.id("cancel-task")).click();
    browser.visible(By.id("confirm-yes")).click();
    browser.visible(
        By.cssSelector("#task-status .badge[data-status='CANCELLED']"), Duration.ofMinutes(1));

    browser.visible(By.id("delete-task")).click();
    browser.visible(By.id("confirm-yes")).click();
    browser.await(Duration.ofSeconds(10), d -> d.getCurrentUrl().endsWith("#/tasks"));
    assertThat(service.api().get("/api/v1/tasks/" + id).status()).isEqualTo(404);
  }

  @Test
  void aNameThatIsMarkupIsShownAsTextAndNoScriptRuns() {
    DockerAvailable.assume(DockerAvailable.client());
    String markup = "<img src=x onerror=alert(1)>";
    browser.beforeEveryPage(
        "window.alerts = []; window.alert = (m) => window.alerts.push(String(m));");
    String id =
        submit(
            Tasks.function(
                    "def task():\n"
                        + "    print('<script>alert(2)</script>', flush=True)\n"
                        + "    return '<img src=y onerror=alert(3)>'\n",
                    "task")
                .name(markup));
    browser.open(service.url() + "/#/sign-in");
    signIn(Api.TESTER);

    WebElement name = browser.visible(By.cssSelector("tr.task-row[data-id='" + id + "'] a"));
    assertThat(name.getText()).isEqualTo(markup);
    browser.visible(
        By.cssSelector("tr.task-row[data-id='" + id + "'] .badge[data-status='SUCCEEDED']"),
        Duration.ofMinutes(3));
    name = browser.driver().findElement(By.cssSelector("tr.task-row[data-id='" + id + "'] a"));
    name.click();
    assertThat(browser.visible(By.id("task-name")).getText()).isEqualTo(markup);
    assertThat(browser.visible(By.id("result-json")).getText())
        .isEqualTo("\"<img src=y onerror=alert(3)>\"");
    browser.await(
        Duration.ofSeconds(20),
        d -> d.findElement(By.id("logs")).getText().contains("<script>alert(2)</script>"));
    assertThat(browser.driver().getTitle()).startsWith(markup);

    assertThat(browser.script("return document.querySelectorAll('#view img, #view script').length"))
        .as("no element was made from a client's text")
        .isEqualTo(0L);
    assertThat(browser.script("return window.alerts"))
        .as("alert was never called")
        .asInstanceOf(InstanceOfAssertFactories.LIST)
        .isEmpty();
    browser.screenshot("markup-as-text", false);
  }

  @Test
  void theWorkflowListFollowsAWorkflowToItsEndAndOpensItsTasks() {
    DockerAvailable.assume(DockerAvailable.client());
    signIn(Api.TESTER);
    browser.open(service.url() + "/#/workflows");
    browser.visible(By.id("workflow-list"));
    Map<String, Object> tasks = new LinkedHashMap<>();
    tasks.put("load", Tasks.function("def load():\n    return [1, 2, 3]\n", "load").build());
    tasks.put(
        "total",
        Tasks.function("def total(xs):\n    return sum(xs)\n", "total")
            .set("args", List.of(Map.of("$task", "load")))
            .build());
    Api.Response answer =
        service.api().post("/api/v1/workflows", Map.of("name", "load and total", "tasks", tasks));
    assertThat(answer.status()).as(answer.text()).isEqualTo(202);
    String id = answer.json().get("id").asString();

    browser.visible(
        By.cssSelector("tr.workflow-row[data-id='" + id + "'] .badge[data-status='SUCCEEDED']"),
        Duration.ofMinutes(3));
    assertThat(
            browser
                .driver()
                .findElement(By.cssSelector("tr.workflow-row[data-id='" + id + "']"))
                .getText())
        .contains("load and total")
        .contains("2 succeeded");
    browser.screenshot("workflows", false);

    browser.driver().findElement(By.linkText("load and total")).click();
    browser.visible(By.cssSelector("#workflow-tasks li[data-key='total'] a")).click();
    awaitText(By.id("result-json"), "6");

    // a re-run from the workflow's page: nothing changed, so both tasks reuse their results
    browser.open(service.url() + "/#/workflows/" + id);
    browser.visible(By.id("workflow-rerun")).click();
    browser.visible(By.id("confirm-yes")).click();
    browser.await(
        Duration.ofSeconds(10),
        d -> d.getCurrentUrl().contains("#/workflows/") && !d.getCurrentUrl().endsWith(id));
    browser.visible(By.cssSelector("#workflow-tasks li[data-key='load'] a.reused"));
    browser.visible(By.cssSelector("#workflow-tasks li[data-key='total'] a.reused"));
    browser.await(
        Duration.ofSeconds(20),
        d ->
            d.findElement(By.id("workflow-details"))
                .getText()
                .contains("2 of 2 tasks reused an earlier result; 0 ran"));
    assertThat(browser.driver().findElement(By.id("workflow-details")).getText())
        .contains("Re-run of")
        .contains(id.substring(id.length() - 8));
    browser.screenshot("workflow-rerun", false);
  }

  @Test
  void anotherClientsTokenSeesNoneOfTheFirstClientsTasks() {
    String id = submit(Tasks.add().name("tester's own"));
    signIn(OTHER);

    WebElement list = browser.visible(By.id("task-list"));
    browser.await(Duration.ofSeconds(10), d -> list.getText().contains("No tasks yet"));
    assertThat(browser.visible(By.cssSelector("#task-counts a[data-status='ALL'] .n")).getText())
        .isEqualTo("0");

    browser.open(service.url() + "/#/tasks/" + id);
    assertThat(browser.visible(By.cssSelector(".notice-error")).getText())
        .contains("No such task (or not yours)");
    assertThat(browser.driver().findElements(By.id("result-json"))).isEmpty();

    browser.open(service.url() + "/#/workflows");
    WebElement workflows = browser.visible(By.id("workflow-list"));
    browser.await(Duration.ofSeconds(10), d -> workflows.getText().contains("No workflows yet"));
  }

  @Test
  void theTaskListPagesOlderAndBackNewerByCursor() {
    Api pager = service.api().as(PAGER);
    List<String> ids = new ArrayList<>(); // oldest first
    for (int i = 0; i < 30; i++) {
      String id =
          pager
              .post("/api/v1/tasks", Tasks.add().name("paged " + i).build())
              .json()
              .get("id")
              .asString();
      pager.post("/api/v1/tasks/" + id + "/cancel", "");
      ids.add(id);
    }
    signIn(PAGER);
    browser.visible(By.cssSelector("tr.task-row[data-id='" + ids.get(29) + "']"));
    assertThat(browser.driver().findElements(By.cssSelector("tr.task-row"))).hasSize(25);
    awaitText(By.id("page-range"), "1–25 of 30");
    assertThat(browser.driver().findElements(By.id("newer"))).isEmpty();

    browser.visible(By.id("older")).click();
    browser.visible(By.cssSelector("tr.task-row[data-id='" + ids.get(0) + "']"));
    awaitText(By.id("page-range"), "26–30 of 30");
    assertThat(
            browser.driver().findElements(By.cssSelector("tr.task-row")).stream()
                .map(tr -> tr.getAttribute("data-id"))
                .toList())
        .containsExactly(ids.get(4), ids.get(3), ids.get(2), ids.get(1), ids.get(0));
    assertThat(browser.driver().findElements(By.id("older"))).isEmpty();

    browser.visible(By.id("newer")).click();
    browser.visible(By.cssSelector("tr.task-row[data-id='" + ids.get(29) + "']"));
    awaitText(By.id("page-range"), "1–25 of 30");
  }

  /** Waits until the element {@code by} finds shows {@code text}. */
  private static void awaitText(By by, String text) {
    browser.await(
        Duration.ofSeconds(20),
        d -> d.findElements(by).stream().anyMatch(e -> e.getText().equals(text)));
  }

  /** A sweep's names and values, in this order (the order decides which run is which). */
  private static Map<String, Object> sweep(String name, Object values, String other, Object more) {
    Map<String, Object> sweep = new LinkedHashMap<>();
    sweep.put(name, values);
    sweep.put(other, more);
    return sweep;
  }

  private static By timelinePhase(String status) {
    return By.cssSelector("#timeline-chart g.phase:not(.ended)[data-status='" + status + "']");
  }

  /** Submits a task as client tester through the API; answers its id. */
  private static String submit(Tasks task) {
    Api.Response answer = service.api().post("/api/v1/tasks", task.build());
    assertThat(answer.status()).as(answer.text()).isEqualTo(202);
    return answer.json().get("id").asString();
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
