package io.batchexecutor.backend.awsbatch;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.PushResponseItem;
import io.batchexecutor.pipeline.PipelineStep;
import io.batchexecutor.pipeline.StepContext;
import io.batchexecutor.pipeline.StepResult;
import io.batchexecutor.task.Task;
import io.batchexecutor.task.TaskError;
import io.batchexecutor.task.TaskStatus;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ecr.model.ImageNotFoundException;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;

/**
 * PUSHING → REGISTERING: pushes the task image to the repository's own {@code repositoryUri} (from
 * DescribeRepositories, never assembled from the endpoint), logged in with the cached ECR token.
 * The push is skipped when the content-hashed tag is in the repository already. Every progress item
 * is checked: an error reported there fails the step, not just a log line.
 */
class PushImage implements PipelineStep {

  private final DockerClient docker;
  private final EcrClient ecr;
  private final EcrLogin login;

  PushImage(DockerClient docker, EcrClient ecr, EcrLogin login) {
    this.docker = docker;
    this.ecr = ecr;
    this.login = login;
  }

  @Override
  public boolean handles(Task task) {
    return task.status() == TaskStatus.PUSHING;
  }

  @Override
  public StepResult run(Task task, StepContext context) throws InterruptedException {
    String repository = task.settings().ecrRepoName();
    String local = task.imageRef();
    String tag = local.substring(local.lastIndexOf(':') + 1);
    String repositoryUri;
    try {
      repositoryUri =
          ecr.describeRepositories(b -> b.repositoryNames(repository))
              .repositories()
              .get(0)
              .repositoryUri();
    } catch (RepositoryNotFoundException e) {
      String reason =
          "the ECR repository " + repository + " does not exist; create it or set ecr_repo_name";
      task.fail(
          reason, new TaskError("RepositoryNotFound", reason, null), null, null, context.now());
      return StepResult.proceed();
    }
    String remote = repositoryUri + ":" + tag;
    boolean there = inRepository(repository, tag);
    if (!there) {
      push(local, repositoryUri, tag);
    }
    task.imagePushed(remote, there, context.now());
    task.startRegistering(context.now());
    return StepResult.proceed();
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
