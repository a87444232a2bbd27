package io.batchexecutor.api;

import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.config.ClientLimits;
import io.batchexecutor.config.Clients;
import io.batchexecutor.config.FileTransferProperties;
import io.batchexecutor.security.ApiTokens;
import io.batchexecutor.task.SubmissionRate;
import io.batchexecutor.task.UnfinishedTasks;
import io.batchexecutor.task.UploadedFiles;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Each client's limits and what it uses of them now. A client sees its own only; the operator's
 * token sees every client's. The number of unfinished tasks is the database's, shared by every
 * instance; the rest (the submission bucket, followed outputs, held answers, bodies arriving,
 * uploads in flight) is this instance's, as those limits are.
 */
@RestController
@Tag(name = "Usage", description = "A client's limits and its use of them")
public class UsageController {

  private final ClientLimits limits;
  private final Clients clients;
  private final ApiTokens tokens;
  private final UnfinishedTasks unfinished;
  private final SubmissionRate rate;
  private final LogFollowers followers;
  private final HeldAnswers held;
  private final ReadBodyFirst bodies;
  private final int bodiesPerClient;
  private final UploadedFiles uploads;
  private final int uploadsPerClient;
  private final Caller caller;

  public UsageController(
      ClientLimits limits,
      Clients clients,
      ApiTokens tokens,
      UnfinishedTasks unfinished,
      SubmissionRate rate,
      LogFollowers followers,
      HeldAnswers held,
      ReadBodyFirst bodies,
      BatchExecutorProperties properties,
      UploadedFiles uploads,
      FileTransferProperties files,
      Caller caller) {
    this.limits = limits;
    this.clients = clients;
    this.tokens = tokens;
    this.unfinished = unfinished;
    this.rate = rate;
    this.followers = followers;
    this.held = held;
    this.bodies = bodies;
    this.bodiesPerClient = properties.api().bodiesPerClient();
    this.uploads = uploads;
    this.uploadsPerClient = files.uploadsPerClient();
    this.caller = caller;
  }

  /**
   * Usage of the clients the caller may see.
   *
   * @param clients the calling client alone; for the operator every client with a token or an entry
   *     of its own, by name (or the one it names)
   */
  public record UsageResponse(List<ClientUsage> clients) {}

  /**
   * One client's limits and what it uses of them.
   *
   * @param client the client's name
   * @param limits what it may use
   * @param usage what it uses now
   */
  @Schema(name = "ClientUsage")
  public record ClientUsage(String client, Limits limits, Usage usage) {}

  /**
   * A client's limits; 0 where a limit is off.
   *
   * @param maxUnfinishedTasks tasks not yet ended at once, across all instances
   * @param submissionsPerSecond submissions a second on each instance
   * @param submissionBurst submissions at once on each instance
   * @param maxRunsPerRequest runs (a sweep's combinations, summed over a workflow) in one
   *     submission
   * @param maxFollows outputs followed at once on each instance
   * @param maxHeldWaits answers held with ?wait= at once on each instance
   * @param maxRequestBodies request bodies arriving at once on each instance
   * @param maxUploadsInFlight uploads and upload deletions in flight at once on each instance
   */
  @Schema(name = "ClientLimits")
  public record Limits(
      int maxUnfinishedTasks,
      double submissionsPerSecond,
      int submissionBurst,
      int maxRunsPerRequest,
      int maxFollows,
      int maxHeldWaits,
      int maxRequestBodies,
      int maxUploadsInFlight) {}

  /**
   * What a client uses now.
   *
   * @param unfinishedTasks its tasks not yet ended (WAITING to RUNNING), across all instances
   * @param submissionTokens submissions it may make at once on this instance; null when its rate is
   *     not limited
   * @param follows outputs it follows on this instance
   * @param heldWaits answers it has held on this instance
   * @param requestBodies its request bodies arriving on this instance
   * @param uploadsInFlight its uploads and upload deletions in flight on this instance
   */
  @Schema(name = "ClientUse")
  public record Usage(
      long unfinishedTasks,
      Integer submissionTokens,
      int follows,
      int heldWaits,
      int requestBodies,
      int uploadsInFlight) {}

  @GetMapping(path = "/api/v1/usage", produces = MediaType.APPLICATION_JSON_VALUE)
  @Operation(
      operationId = "getUsage",
      summary = "Limits and their use",
      description =
          "The calling client's limits and what it uses of them now: its unfinished tasks (across"
              + " all instances), and on the instance that answers the submissions it may make at"
              + " once, the outputs it follows, its held answers, its request bodies arriving and"
              + " its uploads in flight."
              + " A client sees its own only; the operator's token sees every client's, or one"
              + " with ?client=.")
  @ApiResponse(responseCode = "200", description = "The usage of the clients the caller may see")
  @ApiResponse(
      responseCode = "403",
      description = "A client asked for another client's usage (forbidden)")
  public UsageResponse usage(
      @Parameter(description = "Only this client (the operator may name any; a client itself)")
          @RequestParam(name = "client", required = false)
          String client) {
    if (!caller.isOperator()) {
      String self = caller.current();
      if (client != null && !client.equals(self)) {
        throw new ProblemException(
            HttpStatus.FORBIDDEN,
            Problems.FORBIDDEN,
            "Forbidden",
            "a client sees its own usage only");
      }
      return new UsageResponse(List.of(usageOf(self, unfinished.of(self))));
    }
    if (client != null) {
      return new UsageResponse(List.of(usageOf(client, unfinished.of(client))));
    }
    TreeSet<String> names = new TreeSet<>(tokens.clients());
    names.addAll(clients.configured());
    Map<String, Long> counts = unfinished.of(names);
    return new UsageResponse(
        names.stream().map(n -> usageOf(n, counts.getOrDefault(n, 0L))).toList());
  }

  private ClientUsage usageOf(String client, long unfinishedTasks) {
    return new ClientUsage(
        client,
        new Limits(
            limits.maxUnfinishedTasks(client),
            limits.submissionsPerSecond(client),
            limits.submissionBurst(client),
            limits.maxRunsPerRequest(client),
            limits.maxFollows(client),
            limits.maxHeldWaits(client),
            bodiesPerClient,
            uploadsPerClient),
        new Usage(
            unfinishedTasks,
            rate.tokens(client).map(t -> (int) Math.floor(t)).orElse(null),
            followers.followedBy(client),
            held.heldFor(client),
            bodies.bodiesOf(client),
            uploads.inFlight(client)));
  }
}
