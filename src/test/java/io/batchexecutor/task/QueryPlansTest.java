package io.batchexecutor.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.batchexecutor.config.FileTransferProperties;
import io.batchexecutor.support.ServiceTest;
import io.batchexecutor.workflow.WorkflowListing;
import io.batchexecutor.workflow.WorkflowRepository;
import io.batchexecutor.workflow.WorkflowStatus;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The reads behind the task and workflow lists, the counts, the dashboard and the metrics gauge
 * read about as many rows as they return, however much history is stored: with 200,000 tasks stored
 * (most of them finished, most of one client's) each statement that the real {@link TaskQueries}
 * and {@link WorkflowListing} send is run again as {@code EXPLAIN (ANALYZE, FORMAT JSON)} with the
 * same parameters, and the rows its scans read are added up.
 *
 * <p>Rows read: for every scan node of the plan (sequential, index, index-only, bitmap heap; a
 * bitmap index scan only hands its heap scan a set of rows, so it is not counted again), its actual
 * rows plus the rows its filter and its recheck removed, times its loops. A sequential scan of the
 * history or an index range filtered row by row shows up as hundreds of thousands; a read from an
 * index in the order asked for, stopped by its LIMIT, as the rows returned plus one.
 */
@ServiceTest
@TestPropertySource(properties = "batch-executor.api.max-page-size=201") // a context of its own
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueryPlansTest {

  private static final int HISTORY = 190_000;
  private static final int IN_FLIGHT = 300;

  @Autowired JdbcClient jdbc;
  @Autowired DataSource dataSource;
  @Autowired TaskRows rows;
  @Autowired TaskEventRows eventRows;
  @Autowired JsonMapper json;
  @Autowired Clock clock;
  @Autowired FileTransferProperties files;

  private final List<JsonNode> plans = new ArrayList<>();
  private TaskQueries tasks;
  private JdbcClient explaining;
  private DataSource explainingSource;
  private WorkflowListing workflows;

  @BeforeAll
  void storeHistory() {
    // alice: 190,000 finished tasks, 300 in flight; bob and carol a few of each; alice's 2,000
    // workflows of 3 finished tasks each (6,000 tasks more)
    // in statements of 1,000 rows: the insert trigger keeps the counters one row at a time, and a
    // counter row changed many times in one transaction is walked through its versions each time
    store("alice", 1, HISTORY, true);
    store("alice", HISTORY + 1, HISTORY + IN_FLIGHT, false);
    store("bob", 1, 500, true);
    store("bob", 501, 520, false);
    store("carol", 1, 50, true);
    store("carol", 51, 55, false);
    jdbc.sql(
            """
            INSERT INTO workflow (id, owner, name, created_at)
            SELECT gen_random_uuid(), 'alice', 'w' || i,
                   timestamptz '2026-01-01' + i * interval '1 minute'
            FROM generate_series(1, 2000) AS i
            """)
        .update();
    jdbc.sql(
            """
            INSERT INTO task (id, owner, name, status, spec, settings, backend, next_run_at,
                              created_at, updated_at, finished_at, workflow_id, workflow_key)
            SELECT gen_random_uuid(), w.owner, 'k' || k, CASE WHEN k = 3 THEN 'FAILED'
                   ELSE 'SUCCEEDED' END, '{}', '{}', 'none', w.created_at, w.created_at,
                   w.created_at, w.created_at, w.id, 'k' || k
            FROM workflow w, generate_series(1, 3) AS k
            WHERE w.name LIKE 'w%' AND (w.name <> 'w2000' OR k < 3)
            """)
        .update();
    // the history of alice's 20,000 oldest tasks: 7 events each, as a task on the local engine has
    jdbc.sql(
            """
            INSERT INTO task_event (task_id, at, kind, from_status, to_status, reason, details)
            SELECT t.id, t.created_at + k * interval '10 milliseconds', 'STATUS', 'QUEUED',
                   'QUEUED', 'event ' || k, '{}'
            FROM (SELECT id, created_at FROM task WHERE owner = 'alice' AND workflow_id IS NULL
                  ORDER BY created_at LIMIT 20000) t, generate_series(1, 7) AS k
            """)
        .update();
    jdbc.sql("VACUUM ANALYZE task").update();
    jdbc.sql("VACUUM ANALYZE task_event").update();
    jdbc.sql("VACUUM ANALYZE workflow").update();
    jdbc.sql("VACUUM ANALYZE task_finished_count").update();
    explainingSource = explaining(dataSource);
    explaining = JdbcClient.create(explainingSource);
    tasks = new TaskQueries(explaining, rows, eventRows);
    workflows = new WorkflowListing(explaining);
  }

  private void store(String owner, int first, int last, boolean finished) {
    for (int from = first; from <= last; from += 1_000) {
      jdbc.sql(
              """
              INSERT INTO task (id, owner, name, status, spec, settings, backend, next_run_at,
                                created_at, updated_at, finished_at)
              SELECT gen_random_uuid(), :owner, 'f' || i,
                     CASE WHEN :finished THEN (ARRAY['SUCCEEDED','FAILED','CANCELLED'])[1 + i % 3]
                          ELSE (ARRAY['QUEUED','RUNNING','BUILDING'])[1 + i % 3] END,
                     '{}', '{}', 'none', t, t, t, CASE WHEN :finished THEN t END
              FROM generate_series(:from, :to) AS i,
                   LATERAL (SELECT timestamptz '2026-01-01' + i * interval '1 second' AS t) at
              """)
          .param("owner", owner)
          .param("finished", finished)
          .param("from", from)
          .param("to", Math.min(last, from + 999))
          .update();
    }
  }

  @Test
  void theCountsAreExactAndKeptByTheTriggers() {
    assertThat(new TaskQueries(jdbc, rows, eventRows).countByStatus("carol"))
        .isEqualTo(counted("carol"));
    // a task ends, one is put back (a retry after a lost lease), a few are deleted, a workflow goes
    // with its tasks: the counters follow in the same statements
    jdbc.sql("UPDATE task SET status = 'SUCCEEDED' WHERE owner = 'carol' AND status = 'RUNNING'")
        .update();
    jdbc.sql(
            "UPDATE task SET status = 'QUEUED' WHERE id = (SELECT id FROM task WHERE owner ="
                + " 'carol' AND status = 'FAILED' LIMIT 1)")
        .update();
    jdbc.sql(
            "DELETE FROM task WHERE id IN (SELECT id FROM task WHERE owner = 'carol' AND status"
                + " = 'CANCELLED' LIMIT 7)")
        .update();
    jdbc.sql(
            "INSERT INTO workflow (id, owner, name, created_at) VALUES (gen_random_uuid(),"
                + " 'carol', 'gone', timestamptz '2026-01-01')")
        .update();
    jdbc.sql(
            """
            INSERT INTO task (id, owner, status, spec, settings, backend, next_run_at, created_at,
                              updated_at, finished_at, workflow_id, workflow_key)
            SELECT gen_random_uuid(), 'carol', 'SUCCEEDED', '{}', '{}', 'none', w.created_at,
                   w.created_at, w.created_at, w.created_at, w.id, 'k' || k
            FROM workflow w, generate_series(1, 4) AS k WHERE w.name = 'gone'
            """)
        .update();
    Map<TaskStatus, Long> withWorkflow =
        new TaskQueries(jdbc, rows, eventRows).countByStatus("carol");
    assertThat(withWorkflow).isEqualTo(counted("carol"));
    jdbc.sql("DELETE FROM workflow WHERE name = 'gone'").update();
    Map<TaskStatus, Long> after = new TaskQueries(jdbc, rows, eventRows).countByStatus("carol");
    assertThat(after).isEqualTo(counted("carol"));
    assertThat(after.get(TaskStatus.SUCCEEDED))
        .isEqualTo(withWorkflow.get(TaskStatus.SUCCEEDED) - 4);
    assertThat(new TaskQueries(jdbc, rows, eventRows).countByStatus("alice"))
        .isEqualTo(counted("alice"));
  }

  private Map<TaskStatus, Long> counted(String owner) {
    Map<TaskStatus, Long> counted = new java.util.EnumMap<>(TaskStatus.class);
    jdbc.sql("SELECT status, count(*) AS n FROM task WHERE owner = :owner GROUP BY status")
        .param("owner", owner)
        .query(
            (org.springframework.jdbc.core.RowCallbackHandler)
                rs -> counted.put(TaskStatus.valueOf(rs.getString(1)), rs.getLong(2)));
    return counted;
  }

  @Test
  void aTaskPageReadsTheRowsItReturns() {
    List<Task> first = measured(() -> tasks.page("alice", null, null, 51), 51, 1);
    Task last = first.get(49);
    measured(
        () -> tasks.page("alice", null, new PageCursor(last.createdAt(), last.id()), 51), 51, 1);
    for (TaskStatus status : List.of(TaskStatus.SUCCEEDED, TaskStatus.RUNNING)) {
      List<Task> page = measured(() -> tasks.page("alice", status, null, 51), 51, 1);
      Task end = page.get(49);
      measured(
          () -> tasks.page("alice", status, new PageCursor(end.createdAt(), end.id()), 51), 51, 1);
    }
    // the deprecated numbered page reads what it skips, at most 10,000 rows
    measured(() -> tasks.list("alice", null, 9_800, 201), 201, 9_800 + 1);
  }

  @Test
  void theCountsReadTheTasksInFlightNotTheHistory() {
    // alice's unfinished tasks and her counter rows (3 final statuses x 8 shards)
    int bound = IN_FLIGHT + 3 * 8 + 10;
    measured(() -> tasks.countByStatus("alice"), 0, bound);
    measured(() -> tasks.count("alice", null), 0, bound);
    measured(() -> tasks.count("alice", TaskStatus.SUCCEEDED), 0, 8 + 1);
    measured(() -> tasks.count("alice", TaskStatus.RUNNING), 0, IN_FLIGHT + 1);
    // the gauge: every client's tasks in flight and every counter row
    measured(() -> tasks.countByStatus(), 0, IN_FLIGHT + 20 + 5 + 3 * 3 * 8 + 10);

    // the measure sees a read of the history: the count as it was made before
    plans.clear();
    JdbcClient.create(explaining(dataSource))
        .sql("SELECT status, count(*) FROM task WHERE owner = 'alice' GROUP BY status")
        .query()
        .listOfRows();
    assertThat(rowsRead(plans.get(0).get(0).get("Plan"))).isGreaterThanOrEqualTo(HISTORY);
  }

  @Test
  void aWorkflowPageReadsItsWorkflowsAndTheirTasks() {
    // a workflow's summary reads its 3 tasks twice (its status, its counts)
    WorkflowListing.Page first =
        measured(() -> workflows.page("alice", null, null, 20), 21, 21 * 7);
    measured(() -> workflows.page("alice", null, first.next(), 20), 21, 21 * 7);
    // a status no workflow has: one window of 1,000 workflows, no more
    measured(
        () -> workflows.page("alice", WorkflowStatus.RUNNING, null, 20),
        0,
        WorkflowListing.WINDOW * 7 + 10);
    // the total: the client's counter rows (8 shards at most), as many as its workflows
    assertThat(measured(() -> workflows.countUpToCap("alice"), 0, 8 + 1)).isEqualTo(2000);
    // the deprecated numbered page with a status: the workflows it skips and one window more
    measured(
        () -> workflows.skipping("alice", WorkflowStatus.RUNNING, 100, 20),
        0,
        (100 + 20 + WorkflowListing.WINDOW) * 7 + 10);
  }

  @Test
  void aTaskItsHistoryAWorkflowAndTheUsageAreReadByTheirKeys() {
    UUID id =
        jdbc.sql(
                "SELECT id FROM task WHERE owner = 'alice' AND workflow_id IS NULL"
                    + " ORDER BY created_at LIMIT 1")
            .query(UUID.class)
            .single();
    measured(() -> tasks.find(id), 1, 1);
    measured(() -> tasks.findOwned(id, "alice"), 1, 1);
    assertThat(measured(() -> tasks.events(id), 7, 1)).hasSize(7);

    UUID workflow =
        jdbc.sql("SELECT id FROM workflow WHERE owner = 'alice' AND name = 'w1000'")
            .query(UUID.class)
            .single();
    WorkflowRepository repository =
        new WorkflowRepository(
            explaining,
            new TransactionTemplate(new DataSourceTransactionManager(explainingSource)),
            null,
            tasks,
            null);
    // its row, its 3 tasks read for its summary, and its 3 tasks
    assertThat(measured(() -> repository.detail(workflow, "alice"), 0, 1 + 7 + 3 + 2)).isPresent();

    // retention's look for expired workflows: the 10 oldest (their 3 tasks each, and that each has
    // one), never every workflow's tasks
    List<UUID> expired =
        measured(
            () ->
                repository.finishedBefore(
                    java.time.Instant.parse("2026-01-01T00:10:30Z"), WorkflowListing.WINDOW),
            0,
            10 * (1 + 3 + 1) + 10);
    assertThat(expired).hasSize(10);

    // the usage: a client's tasks in flight, not its history
    UnfinishedTasks unfinished = new UnfinishedTasks(explaining, clock);
    measured(() -> unfinished.of("alice"), 0, IN_FLIGHT + 1);
    measured(() -> unfinished.of(List.of("alice", "bob", "carol")), 0, IN_FLIGHT + 20 + 5 + 3);
  }

  @Test
  void aClientsUploadsAreListedFromTheirIndexAndTheirUsageIsOneRow() {
    // alice: 20,000 uploads; bob: 30
    jdbc.sql(
            """
            INSERT INTO uploaded_file (owner, id, size, pointer, created_at)
            SELECT CASE WHEN i <= 20000 THEN 'alice' ELSE 'bob' END, md5(i::text) || md5(i::text),
                   i, 'file:///objects/' || i, timestamptz '2026-01-01' + i * interval '1 second'
            FROM generate_series(1, 20030) AS i
            """)
        .update();
    jdbc.sql("VACUUM ANALYZE uploaded_file").update();
    UploadedFiles uploads = new UploadedFiles(explaining, null, null, null, files, clock);

    assertThat(measured(() -> uploads.list("alice", 50), 50, 1)).hasSize(50);
    assertThat(measured(() -> uploads.list("bob", 1000), 30, 1)).hasSize(30);
    assertThat(measured(() -> uploads.used("alice"), 1, 0)).isEqualTo(20000L * 20001 / 2);
  }

  /**
   * Runs {@code read}, and checks that each statement it sent read at most {@code returned + extra}
   * rows in its scans ({@code returned}: rows the statement returned, when that is the bound).
   */
  private <T> T measured(Supplier<T> read, int returned, int extra) {
    plans.clear();
    T answer = read.get();
    assertThat(plans).isNotEmpty();
    for (JsonNode plan : plans) {
      JsonNode top = plan.get(0).get("Plan");
      long scanned = rowsRead(top);
      assertThat(scanned)
          .as("rows read by %s", plan.get(0).path("Query Text"))
          .isLessThanOrEqualTo((long) returned + extra);
    }
    return answer;
  }

  private static long rowsRead(JsonNode node) {
    long read = 0;
    String type = node.path("Node Type").asString("");
    if (type.endsWith("Scan") && !type.equals("Bitmap Index Scan")) {
      long perLoop =
          node.path("Actual Rows").asLong(0)
              + node.path("Rows Removed by Filter").asLong(0)
              + node.path("Rows Removed by Index Recheck").asLong(0);
      read += perLoop * Math.max(1, node.path("Actual Loops").asLong(1));
    }
    for (JsonNode child : node.path("Plans")) {
      read += rowsRead(child);
    }
    return read;
  }

  /**
   * A data source whose prepared queries, before they run, are run as {@code EXPLAIN (ANALYZE,
   * FORMAT JSON)} with the same parameters, the plans kept in {@link #plans}.
   */
  private DataSource explaining(DataSource real) {
    return proxy(
        DataSource.class,
        (self, method, args) -> {
          Object result = invoke(real, method, args);
          return result instanceof Connection c ? connection(c) : result;
        });
  }

  private Connection connection(Connection real) {
    return proxy(
        Connection.class,
        (self, method, args) -> {
          Object result = invoke(real, method, args);
          if (method.getName().equals("prepareStatement")
              && result instanceof PreparedStatement ps) {
            return statement(real, (String) args[0], ps);
          }
          return result;
        });
  }

  private PreparedStatement statement(Connection connection, String sql, PreparedStatement real) {
    List<Map.Entry<Method, Object[]>> bound = new ArrayList<>();
    return proxy(
        PreparedStatement.class,
        (self, method, args) -> {
          if (method.getName().startsWith("set") && args != null && args[0] instanceof Integer) {
            bound.add(Map.entry(method, args));
          }
          if (method.getName().equals("executeQuery") && (args == null || args.length == 0)) {
            try (PreparedStatement explain =
                connection.prepareStatement("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)) {
              for (Map.Entry<Method, Object[]> set : bound) {
                set.getKey().invoke(explain, set.getValue());
              }
              try (ResultSet rs = explain.executeQuery()) {
                rs.next();
                plans.add(json.readTree(rs.getString(1)));
              }
            }
          }
          return invoke(real, method, args);
        });
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, InvocationHandler handler) {
    return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
  }
}
