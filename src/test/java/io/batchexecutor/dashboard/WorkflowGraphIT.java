package io.batchexecutor.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.support.Api;
import io.batchexecutor.support.DockerAvailable;
import io.batchexecutor.support.ServiceProcess;
import io.batchexecutor.support.Tasks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import tools.jackson.databind.JsonNode;

/**
 * A workflow's page in a real headless Chromium against the packaged service on the local Docker
 * backend (one service and one browser for the class): its graph with a node per task and an arrow
 * per reference, coloured by status as the tasks run, fail and are cancelled, without a reload; a
 * node opening its task by click and by Enter; names and outputs that are markup shown as text; and
 * a workflow of 1,000 tasks (the most the service takes) drawn whole, with the time its layout took
 * printed (measured, not asserted: speed is for benchmarks). After each test no script has failed.
 * Screenshots are in {@code target/dashboard-screenshots/}.
 */
class WorkflowGraphIT {

  /** The failed status's colour in app.css ({@code --status-failed: #d64545}), as computed. */
  static final String FAILED_FILL = "rgb(214, 69, 69)";

  static final String SUCCEEDED_FILL = "rgb(46, 157, 91)";

  static DashboardUnderTest dashboard;
  static ServiceProcess service;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    dashboard = DashboardUnderTest.start("workflow-graph");
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
  void signIn() {
    dashboard.open("#/sign-in");
    browser.visible(By.id("token")).sendKeys(Api.TESTER);
    browser.driver().findElement(By.id("sign-in-button")).click();
    browser.visible(By.cssSelector("#nav a[href='#/tasks']"));
  }

  @AfterEach
  void noScriptFailed() {
    dashboard.assertNoScriptFailed();
  }

  @Test
  void aWorkflowsGraphShowsItsNodesAndTheFailedOneInItsColour() {
    DockerAvailable.assume(DockerAvailable.client());
    Map<String, Object> tasks = new LinkedHashMap<>();
    tasks.put(
        "load",
        Tasks.function("def load():\n    return [1, 2, 3]\n", "load")
            .name("read the numbers")
            .build());
    tasks.put(
        "check",
        Tasks.function(
                "def check(xs):\n    raise ValueError('not enough: %d' % len(xs))\n", "check")
            .name("check there are enough")
            .set("args", List.of(ref("load")))
            .build());
    tasks.put(
        "report",
        Tasks.function("def report(x):\n    return x\n", "report")
            .name("write the report")
            .set("args", List.of(ref("check")))
            .build());
    tasks.put(
        "total",
        Tasks.function("def total(xs):\n    return sum(xs)\n", "total")
            .name("add them up")
            .set("args", List.of(ref("load")))
            .build());
    String id = submitWorkflow("load, check, report, total", tasks);
    JsonNode accepted = service.api().get("/api/v1/workflows/" + id).json();

    browser.open(service.url() + "/#/workflows/" + id);
    browser.await(Duration.ofSeconds(20), d -> nodeCount() == 4);
    browser.script("window.sameDocument = true");
    assertThat(browser.driver().findElements(By.cssSelector("#workflow-graph path.edge")))
        .extracting(e -> e.getAttribute("data-from") + "->" + e.getAttribute("data-to"))
        .containsExactlyInAnyOrder("load->check", "check->report", "load->total");
    assertThat(x("load")).as("a task is right of what it takes").isLessThan(x("check"));
    assertThat(x("check")).isEqualTo(x("total")).isLessThan(x("report"));

    browser.visible(node("check", "FAILED"), Duration.ofMinutes(3));
    browser.visible(node("report", "CANCELLED"), Duration.ofMinutes(1));
    browser.visible(node("total", "SUCCEEDED"), Duration.ofMinutes(3));
    browser.visible(node("load", "SUCCEEDED"));
    browser.visible(By.cssSelector("#workflow-status .badge[data-status='FAILED']"));
    assertThat(browser.script("return window.sameDocument === true"))
        .as("the graph was recoloured in place, never reloaded")
        .isEqualTo(true);

    assertThat(fill("check")).as("the failed node's colour").isEqualTo(FAILED_FILL);
    assertThat(fill("total")).isEqualTo(SUCCEEDED_FILL);
    assertThat(browser.driver().findElement(nodeBy("check")).getAttribute("class"))
        .contains("st-FAILED");
    assertThat(browser.driver().findElement(nodeBy("check")).getText()).contains("check");
    assertThat(
            browser
                .driver()
                .findElement(By.cssSelector("a.node[data-key='report'] title"))
                .getAttribute("textContent"))
        .contains("CANCELLED")
        .contains("check");
    assertThat(taskCount("FAILED")).isEqualTo("1");
    assertThat(taskCount("SUCCEEDED")).isEqualTo("2");
    assertThat(taskCount("CANCELLED")).isEqualTo("1");
    assertThat(taskCount("ALL")).isEqualTo("4");
    assertThat(
            browser.driver().findElements(By.cssSelector("#graph-legend .chip")).stream()
                .map(e -> e.getAttribute("data-status"))
                .toList())
        .containsExactly("SUCCEEDED", "FAILED", "CANCELLED");
    assertThat(browser.visible(By.cssSelector("#outputs .output[data-key='total'] pre")).getText())
        .isEqualTo("6");
    assertThat(browser.driver().findElements(By.cssSelector("#workflow-tasks li")))
        .as("the list in the graph's order, by layer")
        .extracting(e -> e.getAttribute("data-key") + ":" + e.getAttribute("data-status"))
        .startsWith("load:SUCCEEDED")
        .endsWith("report:CANCELLED")
        .contains("check:FAILED", "total:SUCCEEDED");
    assertThat(
            browser
                .driver()
                .findElement(By.cssSelector("#workflow-tasks li[data-key='check'] .task-name"))
                .getText())
        .isEqualTo("check there are enough");
    browser.screenshot("workflow-graph", true);

    browser.driver().findElement(nodeBy("check")).click();
    browser.await(
        Duration.ofSeconds(10),
        d -> d.getCurrentUrl().endsWith("#/tasks/" + taskId(accepted, "check")));
    assertThat(browser.visible(By.id("error-type")).getText()).isEqualTo("ValueError");
    assertThat(browser.visible(By.id("error-message")).getText()).isEqualTo("not enough: 3");

    browser.driver().navigate().back();
    WebElement report = browser.visible(node("report", "CANCELLED"));
    assertThat(browser.script("return arguments[0].tabIndex", report))
        .as("a node is in the tab order")
        .isEqualTo(0L);
    browser.script("arguments[0].focus()", report);
    assertThat(browser.script("return document.activeElement === arguments[0]", report))
        .isEqualTo(true);
    new Actions(browser.driver()).sendKeys(Keys.ENTER).perform();
    browser.await(
        Duration.ofSeconds(10),
        d -> d.getCurrentUrl().endsWith("#/tasks/" + taskId(accepted, "report")));
    browser.visible(By.cssSelector("#task-status .badge[data-status='CANCELLED']"));
  }

  @Test
  void aWorkflowTaskNamedWithMarkupShowsAsTextAndNoScriptRuns() {
    DockerAvailable.assume(DockerAvailable.client());
    browser.beforeEveryPage(
        "window.alerts = []; window.alert = (m) => window.alerts.push(String(m));");
    String workflowName = "<img src=x onerror=alert(1)>";
    String taskName = "<script>alert(2)</script>";
    Map<String, Object> tasks = new LinkedHashMap<>();
    tasks.put(
        "shout",
        Tasks.function("def shout():\n    return '<img src=y onerror=alert(3)>'\n", "shout")
            .name(taskName)
            .build());
    String id = submitWorkflow(workflowName, tasks);
    browser.open(service.url() + "/#/workflows/" + id);

    browser.visible(node("shout", "SUCCEEDED"), Duration.ofMinutes(3));
    assertThat(browser.visible(By.id("workflow-name")).getText()).isEqualTo(workflowName);
    assertThat(browser.driver().getTitle()).startsWith(workflowName);
    assertThat(
            browser
                .visible(By.cssSelector("#workflow-tasks li[data-key='shout'] .task-name"))
                .getText())
        .isEqualTo(taskName);
    assertThat(
            browser
                .driver()
                .findElement(By.cssSelector("a.node[data-key='shout'] title"))
                .getAttribute("textContent"))
        .contains(taskName);
    assertThat(browser.visible(By.cssSelector("#outputs .output[data-key='shout'] pre")).getText())
        .isEqualTo("\"<img src=y onerror=alert(3)>\"");

    assertThat(browser.script("return document.querySelectorAll('#view img, #view script').length"))
        .as("no element was made from a client's text")
        .isEqualTo(0L);
    assertThat(browser.script("return window.alerts"))
        .as("alert was never called")
        .asInstanceOf(InstanceOfAssertFactories.LIST)
        .isEmpty();
    browser.screenshot("workflow-markup-as-text", false);
  }

  /**
   * 1,000 tasks (the service's limit per workflow): a first one that raises, and 37 layers of 27
   * below it, each task taking the results of one or two of the layer before. Every node is drawn,
   * no two boxes of a layer overlap, and when the first task has failed every other one turns
   * cancelled in place. The layout's and the drawing's times, as the page measured them, and the
   * time until all 1,000 nodes were on the page are printed, not asserted.
   */
  @Test
  void aThousandTaskWorkflowDrawsEveryNode() {
    DockerAvailable.assume(DockerAvailable.client());
    Map<String, Object> tasks = new LinkedHashMap<>();
    tasks.put(
        "root",
        Tasks.function("def root():\n    raise RuntimeError('stop here')\n", "root").build());
    String step = "def step(*xs):\n    return len(xs)\n";
    int references = 0;
    List<String> previous = List.of("root");
    for (int layer = 0; layer < 37; layer++) {
      List<String> current = new ArrayList<>();
      for (int i = 0; i < 27; i++) {
        String key = "l" + layer + "-t" + i;
        Set<String> takes = new LinkedHashSet<>();
        takes.add(previous.get(i % previous.size()));
        if (i % 3 != 0) {
          takes.add(previous.get((i * 7 + layer + 3) % previous.size()));
        }
        List<Object> args = new ArrayList<>();
        takes.forEach(k -> args.add(ref(k)));
        references += takes.size();
        tasks.put(key, Tasks.function(step, "step").set("args", args).build());
        current.add(key);
      }
      previous = current;
    }
    assertThat(tasks).hasSize(1000);
    String id = submitWorkflow("a thousand tasks", tasks);

    long started = System.nanoTime();
    browser.open(service.url() + "/#/workflows/" + id);
    browser.await(Duration.ofSeconds(60), d -> nodeCount() == 1000);
    long onPageMs = (System.nanoTime() - started) / 1_000_000;
    WebElement graph = browser.driver().findElement(By.id("workflow-graph"));
    browser.await(Duration.ofSeconds(10), d -> graph.getAttribute("data-shown-ms") != null);
    System.out.printf(
        "1,000-task workflow (%d references, %s layers): layout %s ms, layout and drawing %s ms,"
            + " to the first frame painted %s ms; all nodes on the page %d ms after it was"
            + " opened%n",
        references,
        graph.getAttribute("data-layers"),
        graph.getAttribute("data-layout-ms"),
        graph.getAttribute("data-draw-ms"),
        graph.getAttribute("data-shown-ms"),
        onPageMs);
    assertThat(graph.getAttribute("data-nodes")).isEqualTo("1000");
    assertThat(graph.getAttribute("data-layers")).isEqualTo("38");
    assertThat(browser.driver().findElements(By.cssSelector("#workflow-graph path.edge")))
        .hasSize(references);
    assertThat(
            browser.script(
                "const columns = new Map();"
                    + "for (const r of document.querySelectorAll('#workflow-graph .node-box')) {"
                    + "  const x = r.getAttribute('x');"
                    + "  if (!columns.has(x)) columns.set(x, []);"
                    + "  columns.get(x).push(Number(r.getAttribute('y')));"
                    + "}"
                    + "let overlaps = 0;"
                    + "for (const ys of columns.values()) {"
                    + "  ys.sort((a, b) => a - b);"
                    + "  for (let i = 1; i < ys.length; i++) if (ys[i] - ys[i - 1] < 40) overlaps++;"
                    + "}"
                    + "const x = (key) => Number(document.querySelector("
                    + "  `#workflow-graph a.node[data-key='${key}'] .node-box`).getAttribute('x'));"
                    + "let backwards = 0;"
                    + "for (const e of document.querySelectorAll('#workflow-graph path.edge')) {"
                    + "  if (x(e.dataset.from) >= x(e.dataset.to)) backwards++;"
                    + "}"
                    + "return [columns.size, overlaps, backwards];"))
        .as("38 columns, no two boxes of one overlapping, every arrow pointing right")
        .isEqualTo(List.of(38L, 0L, 0L));
    browser.screenshot("workflow-graph-1000", false);
    browser.driver().findElement(By.id("graph-fit")).click();
    browser.script("document.getElementById('graph').scrollIntoView()");
    browser.screenshot("workflow-graph-1000-fitted", false);

    browser.visible(node("root", "FAILED"), Duration.ofMinutes(3));
    browser.await(Duration.ofSeconds(30), d -> count("#workflow-graph a.node.st-CANCELLED") == 999);
    assertThat(taskCount("CANCELLED")).isEqualTo("999");
    assertThat(nodeCount()).isEqualTo(1000);
    assertThat(graph.isDisplayed()).as("recoloured in place, not drawn again").isTrue();
  }

  private static Map<String, String> ref(String key) {
    return Map.of("$task", key);
  }

  private static String submitWorkflow(String name, Map<String, Object> tasks) {
    Api.Response answer =
        service.api().post("/api/v1/workflows", Map.of("name", name, "tasks", tasks));
    assertThat(answer.status()).as(answer.text()).isEqualTo(202);
    return answer.json().get("id").asString();
  }

  private static String taskId(JsonNode workflow, String key) {
    return workflow.get("tasks").get(key).get("id").asString();
  }

  private static int nodeCount() {
    return count("#workflow-graph a.node");
  }

  /** How many elements {@code selector} finds, counted in the page. */
  private static int count(String selector) {
    return ((Number)
            browser.script("return document.querySelectorAll(arguments[0]).length", selector))
        .intValue();
  }

  private static By nodeBy(String key) {
    return By.cssSelector("#workflow-graph a.node[data-key='" + key + "']");
  }

  private static By node(String key, String status) {
    return By.cssSelector(
        "#workflow-graph a.node[data-key='" + key + "'][data-status='" + status + "']");
  }

  private static double x(String key) {
    return Double.parseDouble(
        browser
            .driver()
            .findElement(By.cssSelector("a.node[data-key='" + key + "'] .node-box"))
            .getAttribute("x"));
  }

  private static String fill(String key) {
    return (String)
        browser.script(
            "return getComputedStyle(arguments[0]).fill;",
            browser
                .driver()
                .findElement(By.cssSelector("a.node[data-key='" + key + "'] .node-box")));
  }

  /** The number the workflow's counts show for {@code status}. */
  private static String taskCount(String status) {
    return browser
        .visible(By.cssSelector("#workflow-counts .count[data-status='" + status + "'] .n"))
        .getText();
  }
}
