package io.batchexecutor.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code batch-executor.workflows.*}: bounds of workflows that grow while they run.
 *
 * <p>The {@code @param} texts are plain text: the configuration processor copies them as they are
 * into the settings' descriptions.
 *
 * @param maxSubWorkflowDepth How deep sub-workflows may nest: a task of the posted workflow that
 *     returns a sub-workflow adds level 1, a task of that one level 2, and so on. A task whose
 *     sub-workflow would be deeper fails, naming this setting. A workflow never has more tasks in
 *     all than the per-workflow limit of POST /api/v1/workflows (1000).
 */
@Validated
@ConfigurationProperties("batch-executor.workflows")
public record WorkflowProperties(@Min(1) @Max(100) @DefaultValue("5") int maxSubWorkflowDepth) {}
