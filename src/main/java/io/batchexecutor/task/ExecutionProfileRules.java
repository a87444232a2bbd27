package io.batchexecutor.task;

import io.batchexecutor.config.Clients;
import io.batchexecutor.config.ExecutionProfile;
import io.batchexecutor.config.IamRoles;
import io.batchexecutor.config.TaskSettings;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a task may ask of its execution profile: only a profile its client may use; no AWS resource
 * or identity other than the profile's (a request may repeat the profile's value, roles compared as
 * {@link IamRoles} does); resources within the profile's maxima; a base image the profile allows.
 * The same on every backend, so that a request means the same wherever it runs.
 */
final class ExecutionProfileRules {

  private final Clients clients;
  private final Supplier<Optional<String>> ownAccount;
  private final List<String> deployment;

  /**
   * @param ownAccount the service's AWS account when it is known (on AWS Batch), for comparing a
   *     role ARN with a role name
   * @param deployment the backends the deployment runs, as tasks record them
   */
  ExecutionProfileRules(
      Clients clients, Supplier<Optional<String>> ownAccount, List<String> deployment) {
    this.clients = clients;
    this.deployment = List.copyOf(deployment);
    this.ownAccount = ownAccount;
  }

  /**
   * The profile {@code request} runs with: the one it names; else, when it names a backend, that
   * backend's default profile (or, when its client may not use that one, the client's first profile
   * on the backend); else its client's default.
   *
   * @throws InvalidTaskException naming the profiles the client may use, if it may not use this one
   *     (a profile the client may not use is answered as one that does not exist); naming the
   *     deployment's backends, if it names another; when the profile runs on another backend than
   *     the one named
   */
  ExecutionProfile profileFor(NewTask request) {
    List<ExecutionProfile> allowed = clients.profilesOf(request.owner());
    String asked = request.executor() == null ? null : request.executor().executionProfile();
    String backend = request.executor() == null ? null : request.executor().backend();
    if (backend != null && !deployment.contains(backend)) {
      throw refused(
          "executor.backend",
          "must be one of the backends this deployment runs: "
              + String.join(", ", deployment)
              + " (not "
              + backend
              + ")",
          InvalidTaskException.BACKEND_NOT_LISTED);
    }
    if (asked == null && backend != null) {
      return allowed.stream()
          .filter(p -> p.backendName().equals(backend))
          .min(Comparator.comparing(p -> !p.isDefault()))
          .orElseThrow(
              () ->
                  refused(
                      "executor.backend",
                      "names "
                          + backend
                          + ", on which this client may use no execution profile"
                          + (allowed.isEmpty()
                              ? ""
                              : " (it may use: "
                                  + String.join(
                                      ", ", allowed.stream().map(ExecutionProfile::name).toList())
                                  + ")"),
                      InvalidTaskException.PROFILE_NOT_ALLOWED));
    }
    if (asked == null && !allowed.isEmpty()) {
      return allowed.get(0);
    }
    ExecutionProfile profile =
        allowed.stream()
            .filter(p -> p.name().equals(asked))
            .findFirst()
            .orElseThrow(
                () ->
                    refused(
                        "executor.execution_profile",
                        (allowed.isEmpty()
                                ? "cannot be chosen: this client may use no execution profile"
                                : "must be one of the execution profiles this client may use: "
                                    + String.join(
                                        ", ",
                                        allowed.stream().map(ExecutionProfile::name).toList()))
                            + (asked == null ? "" : " (not " + asked + ")"),
                        InvalidTaskException.PROFILE_NOT_ALLOWED));
    if (backend != null && !backend.equals(profile.backendName())) {
      throw refused(
          "executor.backend",
          "is "
              + backend
              + ", but execution profile "
              + profile.name()
              + " runs on "
              + profile.backendName()
              + "; name one of them, or both agreeing",
          InvalidTaskException.BACKEND_MISMATCH);
    }
    return profile;
  }

  private static InvalidTaskException refused(String field, String message, String kind) {
    return new InvalidTaskException(
        List.of(new InvalidTaskException.Violation(field, message, kind)));
  }

  /** The names {@code requested} gives that are not its profile's, each a problem. */
  List<InvalidTaskException.Violation> foreignNames(
      TaskSettings requested, TaskSettings profiles, ExecutionProfile profile) {
    List<InvalidTaskException.Violation> problems = new ArrayList<>();
    if (requested == null) {
      return problems;
    }
    same("s3_bucket_name", requested.s3BucketName(), profiles.s3BucketName(), profile, problems);
    same("ecr_repo_name", requested.ecrRepoName(), profiles.ecrRepoName(), profile, problems);
    same(
        "batch_job_definition_name",
        requested.batchJobDefinitionName(),
        profiles.batchJobDefinitionName(),
        profile,
        problems);
    same("batch_queue", requested.batchQueue(), profiles.batchQueue(), profile, problems);
    sameRole(
        "batch_execution_role_name",
        requested.batchExecutionRoleName(),
        profiles.batchExecutionRoleName(),
        profile,
        problems);
    sameRole(
        "batch_job_role_name",
        requested.batchJobRoleName(),
        profiles.batchJobRoleName(),
        profile,
        problems);
    same(
        "batch_job_log_group_name",
        requested.batchJobLogGroupName(),
        profiles.batchJobLogGroupName(),
        profile,
        problems);
    return problems;
  }

  /** The resources of {@code effective} above the profile's maxima, each a problem. */
  static List<InvalidTaskException.Violation> aboveMaxima(
      TaskSettings effective, ExecutionProfile profile) {
    List<InvalidTaskException.Violation> problems = new ArrayList<>();
    if (effective.vcpu() > profile.maxVcpu()) {
      problems.add(above("vcpu", "max-vcpu", number(profile.maxVcpu()), profile));
    }
    if (effective.memory() > profile.maxMemory()) {
      problems.add(above("memory", "max-memory", number(profile.maxMemory()) + " GB", profile));
    }
    if (effective.numGpus() > profile.maxGpus()) {
      problems.add(above("num_gpus", "max-gpus", Integer.toString(profile.maxGpus()), profile));
    }
    if (effective.timeLimit() > profile.maxTimeLimit()) {
      problems.add(above("time_limit", "max-time-limit", profile.maxTimeLimit() + " s", profile));
    }
    return problems;
  }

  /** The base image {@code spec} names, if its profile does not allow it, as a problem. */
  static Optional<InvalidTaskException.Violation> foreignBaseImage(
      TaskSpec spec, ExecutionProfile profile) {
    if (spec.image() == null
        || spec.image().baseImage() == null
        || profile.allowsBaseImage(spec.image().baseImage())) {
      return Optional.empty();
    }
    return Optional.of(
        new InvalidTaskException.Violation(
            "image.base_image",
            "is not allowed by execution profile "
                + profile.name()
                + "; allowed: "
                + String.join(", ", profile.allowedBaseImagesShown())
                + " (* stands for any characters but / : @)",
            InvalidTaskException.BASE_IMAGE_NOT_ALLOWED));
  }

  private static void same(
      String key,
      String requested,
      String profiles,
      ExecutionProfile profile,
      List<InvalidTaskException.Violation> problems) {
    if (requested != null && !Objects.equals(requested, profiles)) {
      problems.add(operators(key, profile));
    }
  }

  private void sameRole(
      String key,
      String requested,
      String profiles,
      ExecutionProfile profile,
      List<InvalidTaskException.Violation> problems) {
    if (requested != null
        && !requested.equals(profiles)
        && !IamRoles.same(requested, profiles, ownAccount)) {
      problems.add(operators(key, profile));
    }
  }

  private static InvalidTaskException.Violation operators(String key, ExecutionProfile profile) {
    return new InvalidTaskException.Violation(
        "executor." + key,
        "is the operator's to set, through the execution profile (this task's: "
            + profile.name()
            + "); leave it out, or choose another allowed profile with"
            + " executor.execution_profile",
        InvalidTaskException.SETTING_NOT_ALLOWED);
  }

  private static InvalidTaskException.Violation above(
      String key, String limit, String value, ExecutionProfile profile) {
    return new InvalidTaskException.Violation(
        "executor." + key,
        "must be at most " + value + " (" + limit + " of execution profile " + profile.name() + ")",
        InvalidTaskException.ABOVE_MAXIMUM);
  }

  private static String number(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }
}
