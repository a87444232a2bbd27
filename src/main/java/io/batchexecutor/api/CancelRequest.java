package io.batchexecutor.api;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * The optional body of {@code POST /api/v1/workflows/{id}/cancel}.
 *
 * @param tasks the keys of the tasks to cancel, with every task below them; without it (or without
 *     a body) the whole workflow is cancelled
 */
@Schema(
    description =
        "Cancels only these tasks and every task that depends on them; other branches go on",
    example = "{\"tasks\": [\"train\"]}")
public record CancelRequest(List<String> tasks) {}
