package io.batchexecutor.backend.awsbatch;

import io.batchexecutor.config.AwsBatchProperties;
import io.batchexecutor.config.BatchExecutorProperties.Backend;
import io.batchexecutor.config.ConditionalOnBackend;
import io.batchexecutor.config.ExecutionProfile;
import io.batchexecutor.config.ExecutionProfiles;
import io.batchexecutor.config.TenancyProperties;
import io.batchexecutor.support.Periodic;
import io.batchexecutor.task.DefinitionsInUse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Set;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;

/**
 * On the AWS Batch backend, what its execution profiles' options need: each queue's platform and
 * the Fargate rules at acceptance, the jobs' tags, and, with {@code
 * batch-executor.awsbatch.cleanup.enabled=true}, the periodic {@link CleanUpAws}, first a minute
 * after start, then every {@code cleanup.interval}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBackend(Backend.AWSBATCH)
public class AwsProfileOptionsConfiguration {

  @Bean
  JobTags jobTags(TenancyProperties tenancy) {
    return JobTags.of(tenancy);
  }

  @Bean
  QueuePlatforms queuePlatforms(AwsBatchClients clients, AwsBatchProperties aws, Clock clock) {
    return new QueuePlatforms(
        clients.batch(), clock, aws.platformRefresh(), aws.platformGiveUpAfter());
  }

  @Bean
  FargateRules fargateRules(QueuePlatforms platforms) {
    return new FargateRules(platforms);
  }

  @Bean
  @ConditionalOnProperty(name = "batch-executor.awsbatch.cleanup.enabled", havingValue = "true")
  @ConditionalOnBackend(value = Backend.AWSBATCH, here = true)
  SmartLifecycle awsCleanUp(
      AwsBatchClients clients,
      DefinitionsInUse inUse,
      ExecutionProfiles profiles,
      AwsBatchProperties aws,
      Clock clock,
      TaskScheduler scheduler,
      RegisterJobDefinition register) {
    CleanUpAws.Definitions definitions =
        new CleanUpAws.Definitions() {
          @Override
          public Set<String> referenced(Collection<String> arns) {
            return inUse.referenced(arns);
          }

          @Override
          public Set<String> inUseSince(Collection<String> arns, Instant since) {
            // and what this instance found or registered lately: a task may be about to store it
            Set<String> used = new java.util.HashSet<>(inUse.inUseSince(arns, since));
            used.addAll(register.recent());
            return used;
          }
        };
    CleanUpAws cleanUp =
        new CleanUpAws(
            clients.batch(),
            clients.ecr(),
            definitions,
            () ->
                profiles.all().stream()
                    .map(ExecutionProfile::names)
                    .map(n -> n.batchJobDefinitionName())
                    .toList(),
            () -> profiles.all().stream().map(p -> p.names().ecrRepoName()).toList(),
            clock,
            aws.cleanup().minAge(),
            aws.cleanup().imageMaxAge());
    return new Periodic(
        scheduler, "aws-clean-up", cleanUp, Duration.ofMinutes(1), aws.cleanup().interval());
  }
}
