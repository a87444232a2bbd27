package io.batchexecutor.config;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code batch-executor.retention.*}: how long finished tasks are kept.
 *
 * @param keepFinished How long after its end a task (with its history, result, logs and everything
 *     else it stored) is deleted; a workflow goes, with all its tasks, once its last task ended
 *     this long ago. 0: kept for ever.
 * @param checkEvery How often expired tasks are looked for.
 */
public record RetentionProperties(
    @NotNull @DefaultValue("90d") Duration keepFinished,
    @NotNull @DefaultValue("1h") Duration checkEvery) {

  /** Whether finished tasks are ever deleted. */
  public boolean on() {
    return !keepFinished.isZero();
  }
}
