package io.batchexecutor.backend.awsbatch;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.PushResponseItem;
import io.batchexecutor.backend.PipelineStep;
import io.batchexecutor.backend.StepContext;
import io.batchexecutor.backend.StepResult;
import io.batchexecutor.support.Remembered;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import io.batchexecutor.task.TaskStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ecr.model.ImageNotFoundException;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;

/**
 * BUILDING (image built) → PUSHING, written before the push starts ({@link
 * StepResult#statusFirst()}); PUSHING → REGISTERING: pushes the task image to the repository's own
 * {@code repositoryUri} (from DescribeRepositories, never assembled from the endpoint), logged in
 * with the cached ECR token. The push is skipped when the content-hashed tag is in the repository
 * already. Every progress item is checked: an error reported there fails the step, not just a log
 * line.
 *
 * <p>An environment image is shared by many tasks: pushes of one image wait for each other on this
 * instance (the second finds the first's push and pushes nothing), and what is known to be in the
 * repository — the repository's URI, an image pushed or found — is remembered for a while, so a
 * task on a known environment makes no ECR call at all.
 */
class PushImage implements PipelineStep {

  /** How long an image found in (or pushed to) a repository is taken to be there still. */
  static final Duration REMEMBER = Duration.ofMinutes(10);

  private final DockerClient docker;
  private final EcrClient ecr;
  private final EcrLogin login;
  private final Remembered<String> repositoryUris;
  private final Remembered<Boolean> inRepository;

  PushImage(DockerClient docker, EcrClient ecr, EcrLogin login, Clock clock) {
    this.docker = docker;
    this.ecr = ecr;
    this.login = login;
    this.repositoryUris = new Remembered<>(clock, REMEMBER, 1_000);
    this.inRepository = new Remembered<>(clock, REMEMBER, 10_000);
  }

  @Override
  public boolean handles(Task task) {
    return task.status() == TaskStatus.PUSHING
        || (task.status() == TaskStatus.BUILDING && task.imageRef() != null);
  }

  @Override
  public StepResult run(Task task, StepContext context) throws InterruptedException {
    if (task.status() == TaskStatus.BUILDING) {
      task.startPushing(context.now());
      return StepResult.statusFirst();
    }
    String repository = task.settings().ecrRepoName();
    String local = task.imageRef();
    String tag = local.substring(local.lastIndexOf(':') + 1);
    Optional<String> repositoryUri = repositoryUri(repository);
    if (repositoryUri.isEmpty()) {
      String reason =
          "the ECR repository " + repository + " does not exist; create it or set ecr_repo_name";
      task.fail(
          reason, new TaskError("RepositoryNotFound", reason, null), null, null, context.now());
      return StepResult.proceed();
    }
    String remote = repositoryUri.get() + ":" + tag;
    boolean[] pushed = {false};
    inRepository.getOrLoad(
        remote,
        () -> {
          if (!inRepository(repository, tag)) {
            push(local, repositoryUri.get(), tag);
            pushed[0] = true;
          }
          return true;
        });
    boolean there = !pushed[0];
    task.imagePushed(remote, there, context.now());
    task.startRegistering(context.now());
    return StepResult.proceed();
  }

  /** The repository's own URI; empty when it does not exist (that answer is not remembered). */
  private Optional<String> repositoryUri(String repository) throws InterruptedException {
    try {
      return Optional.of(
          repositoryUris.getOrLoad(
              repository,
              () ->
                  ecr.describeRepositories(b -> b.repositoryNames(repository))
                      .repositories()
                      .get(0)
                      .repositoryUri()));
    } catch (RepositoryNotFoundException e) {
      return Optional.empty();
    }
  }

  private boolean inRepository(String repository, String tag) {
    try {
      return !ecr.describeImages(
              b ->
                  b.repositoryName(repository)
                      .imageIds(ImageIdentifier.builder().imageTag(tag).build()))
          .imageDetails()
          .isEmpty();
    } catch (ImageNotFoundException e) {
      return false;
    }
  }

  void push(String local, String repositoryUri, String tag) throws InterruptedException {
    docker.tagImageCmd(local, repositoryUri, tag).exec();
    EcrLogin.Credentials credentials = login.credentials();
    List<String> errors = new ArrayList<>();
    docker
        .pushImageCmd(repositoryUri)
        .withTag(tag)
        .withAuthConfig(
            new AuthConfig()
                .withUsername(credentials.username())
                .withPassword(credentials.password())
                .withRegistryAddress(credentials.registry()))
        .exec(
            new ResultCallback.Adapter<PushResponseItem>() {
              @Override
              public void onNext(PushResponseItem item) {
                if (item.isErrorIndicated()) {
                  errors.add(
                      item.getErrorDetail() != null && item.getErrorDetail().getMessage() != null
                          ? item.getErrorDetail().getMessage()
                          : "the registry reported an error");
                }
              }
            })
        .awaitCompletion();
    if (!errors.isEmpty()) {
      throw new PushFailedException(
          "pushing " + repositoryUri + ":" + tag + " failed: " + String.join("; ", errors));
    }
  }
}
