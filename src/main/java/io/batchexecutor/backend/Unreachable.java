package io.batchexecutor.backend;

/**
 * A service a step needs (the Docker engine, an AWS endpoint) did not answer. Nothing is known
 * about the task's work from such a failure, so the pipeline neither fails nor finishes the task on
 * it: it records why it waits and runs the step again after a back-off.
 *
 * @param kind a short name for the task's error should the pipeline give up, e.g. {@code
 *     DockerUnavailable}
 * @param description one sentence: what did not answer and what to do about it
 */
public record Unreachable(String kind, String description) {}
