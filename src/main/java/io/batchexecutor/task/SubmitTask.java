package io.batchexecutor.task;

import io.batchexecutor.config.BatchExecutorProperties;
import io.batchexecutor.config.Clients;
import io.batchexecutor.config.ExecutionProfile;
import io.batchexecutor.config.ExecutionProfiles;
import io.batchexecutor.config.ExecutorSettingsResolver;
import io.batchexecutor.config.ServiceAccount;
import io.batchexecutor.config.TaskSettings;
import io.batchexecutor.support.Ids;
import jakarta.validation.Validator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/** Accepts a task: checks it, works out its settings, stores it QUEUED and wakes the pipeline. */
@Service
public class SubmitTask {

  private final TaskRepository tasks;
  private final ExecutorSettingsResolver settings;
  private final TaskValidation validation;
  private final ExecutionProfiles profiles;
  private final ExecutionProfileRules profileRules;
  private final BatchExecutorProperties properties;
  private final ApplicationEventPublisher events;
  private final JsonMapper json;
  private final Clock clock;
  private final SubmissionLimits limits;
  private final ObjectProvider<BackendTerms> terms;
  private final FileTransferChecks fileChecks;

  public SubmitTask(
      TaskRepository tasks,
      ExecutorSettingsResolver settings,
      ExecutionProfiles profiles,
      Clients clients,
      ObjectProvider<ServiceAccount> account,
      Validator validator,
      BatchExecutorProperties properties,
      ApplicationEventPublisher events,
      JsonMapper json,
      Clock clock,
      SubmissionLimits limits,
      ObjectProvider<BackendTerms> terms,
      FileTransferChecks fileChecks) {
    this.fileChecks = fileChecks;
    this.limits = limits;
    this.terms = terms;
    this.tasks = tasks;
    this.settings = settings;
    this.validation = new TaskValidation(validator, properties.api().maxSourceSize().toBytes());
    this.profiles = profiles;
    this.profileRules =
        new ExecutionProfileRules(
            clients,
            () -> {
              ServiceAccount known = account.getIfAvailable();
              return known == null ? Optional.empty() : known.accountId();
            },
            profiles.backends().deploymentNames());
    this.properties = properties;
    this.events = events;
    this.json = json;
    this.clock = clock;
  }

  /** The accepted task, and whether this call created it (false: an idempotent repeat). */
  public record Result(Task task, boolean created) {}

  /**
   * Checks and stores {@code request}, within its client's limits ({@link SubmissionLimits}): its
   * rate first, then what is wrong with it, its runs, and its unfinished tasks with the insert.
   */
  public Result submit(NewTask request) {
    BooleanSupplier replay =
        () -> tasks.hasIdempotencyKey(request.owner(), request.idempotencyKey());
    SubmissionLimits.Admission admission = limits.admit(request.owner(), replay);
    List<InvalidTaskException.Violation> problems = validation.check(request);
    for (TaskReferences.Reference r :
        TaskReferences.in(request.spec().args(), request.spec().kwargs(), problems)) {
      problems.add(
          new InvalidTaskException.Violation(
              r.path(),
              "refers to the result of task '"
                  + r.key()
                  + "': references ({\"$task\": …}) are for the tasks of a workflow (POST"
                  + " /api/v1/workflows)"));
    }
    if (!problems.isEmpty()) {
      throw new InvalidTaskException(problems);
    }
    limits.checkRuns(request.owner(), SubmissionLimits.runsOf(request), replay);
    TaskSettings effective = settingsFor(request);
    Task task =
        Task.accept(
            Ids.next(clock),
            request.owner(),
            request.name(),
            stored(request.spec(), effective),
            effective,
            profiles.of(effective).backendName(),
            clock.instant());
    String hash = request.idempotencyKey() == null ? null : hash(request);
    TaskRepository.Inserted inserted =
        tasks.insert(
            task, request.idempotencyKey(), hash, limits.maxUnfinishedTasks(request.owner()));
    if (!inserted.created()) {
      if (!hash.equals(inserted.requestHash())) {
        throw new IdempotencyConflictException(request.idempotencyKey());
      }
      admission.replayed();
      return new Result(inserted.task(), false);
    }
    events.publishEvent(new TaskAccepted(task.id()));
    return new Result(inserted.task(), true);
  }

  /** Every problem with {@code request} as a task on its own; empty when it may be accepted. */
  public List<InvalidTaskException.Violation> problems(NewTask request) {
    return validation.check(request);
  }

  /**
   * The settings {@code request} runs with: the resources it asks for, over its execution profile's
   * names, over the configuration's defaults. Refused (400) when its client may not use the
   * profile, when it names an AWS resource or identity other than its profile's, when it asks for
   * more than the profile's maxima or a base image the profile does not allow, and when the backend
   * would refuse the settings later.
   */
  public TaskSettings settingsFor(NewTask request) {
    ExecutionProfile profile = profileRules.profileFor(request);
    TaskSettings profileNames = profile.namesFor(request.owner());
    List<InvalidTaskException.Violation> problems =
        new ArrayList<>(profileRules.foreignNames(request.executor(), profileNames, profile));
    ExecutionProfileRules.foreignBaseImage(request.spec(), profile).ifPresent(problems::add);
    TaskSettings requested = request.executor() == null ? TaskSettings.none() : request.executor();
    TaskSettings effective =
        settings
            .resolve(requested.clientsPart().orElse(profileNames))
            .withExecutionProfile(profile.name())
            .withBackend(profile.backendName());
    if (problems.isEmpty()) {
      problems.addAll(ExecutionProfileRules.aboveMaxima(effective, profile));
    }
    if (!problems.isEmpty()) {
      throw new InvalidTaskException(problems);
    }
    checkForBackend(requested, effective, termsOf(profile.backendName()));
    List<InvalidTaskException.Violation> files =
        fileChecks.problems(
            request,
            termsOf(profile.backendName()),
            properties.image().payload(),
            serviceBuckets(effective));
    if (!files.isEmpty()) {
      throw new InvalidTaskException(files);
    }
    return effective;
  }

  /**
   * The buckets the service keeps objects in under {@code batch-executor/}: the task's, the one
   * uploads are kept in, and every execution profile's (a job role may serve several profiles).
   */
  private List<String> serviceBuckets(TaskSettings effective) {
    return java.util.stream.Stream.concat(
            java.util.stream.Stream.of(
                effective.s3BucketName(), settings.resolve(TaskSettings.none()).s3BucketName()),
            profiles.all().stream().map(p -> p.names().s3BucketName()))
        .filter(java.util.Objects::nonNull)
        .distinct()
        .toList();
  }

  /**
   * What accepting a task must know of backend {@code name} (the deployment lists it; a backend
   * without terms of its own asks nothing in particular).
   */
  public BackendTerms termsOf(String name) {
    return terms
        .orderedStream()
        .filter(t -> t.name().equals(name))
        .findFirst()
        .orElseGet(() -> BackendTerms.plain(name));
  }

  /** Values the backend would refuse later, refused now, before anything is built. */
  private static void checkForBackend(
      TaskSettings requested, TaskSettings effective, BackendTerms backend) {
    List<InvalidTaskException.Violation> problems = backend.refusedSettings(requested, effective);
    if (!problems.isEmpty()) {
      throw new InvalidTaskException(problems);
    }
    if (effective.timeLimit() < backend.minTimeLimit()) {
      throw new InvalidTaskException(
          List.of(
              new InvalidTaskException.Violation(
                  "executor.time_limit",
                  "must be at least "
                      + backend.minTimeLimit()
                      + " s "
                      + backend.minTimeLimitReason()
                      + " (effective value "
                      + effective.timeLimit()
                      + ")")));
    }
  }

  /**
   * {@code spec} as it is stored: normalised, with the payload mode it runs in and the base image
   * it is built on decided now (the request's, else the configured default and its execution
   * profile's base image) and, for a sweep, that its payload carries the axes, so that a later
   * change of the configuration does not change how an accepted task runs.
   */
  public TaskSpec stored(TaskSpec spec, TaskSettings effective) {
    TaskSpec normalised = normalised(spec);
    TaskSpec.ImageSpec image =
        normalised.image() == null ? new TaskSpec.ImageSpec(null, null) : normalised.image();
    if (image.payload() == null) {
      image = image.withPayload(properties.image().payload().value());
    }
    if (image.baseImage() == null) {
      image =
          new TaskSpec.ImageSpec(
              profiles.of(effective).baseImage(), image.requirements(), image.payload());
    }
    return new TaskSpec(
        normalised.function(),
        normalised.args(),
        normalised.kwargs(),
        image,
        normalised.sweep(),
        normalised.hasSweep() ? TaskSpec.SWEEP_AXES : null,
        normalised.hasFiles() ? normalised.files() : null);
  }

  /** {@code spec} with absent arguments made empty. */
  public TaskSpec normalised(TaskSpec spec) {
    return new TaskSpec(
        spec.function(),
        spec.args() == null || spec.args().isNull() ? json.createArrayNode() : spec.args(),
        spec.kwargs() == null || spec.kwargs().isNull() ? json.createObjectNode() : spec.kwargs(),
        spec.image(),
        spec.hasSweep() ? spec.sweep() : null,
        null,
        spec.hasFiles() ? spec.files() : null);
  }

  private String hash(NewTask request) {
    Map<String, Object> identity = new LinkedHashMap<>();
    identity.put("name", request.name());
    identity.put("spec", normalised(request.spec()));
    identity.put("executor", request.executor());
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(json.writeValueAsString(identity).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
