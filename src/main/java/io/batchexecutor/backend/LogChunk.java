package io.batchexecutor.backend;

/**
 * What a read of a task's output brought: {@code text} (empty when nothing is new), the position to
 * read on from, and whether the read reached the end of the output as it stands ({@code false} when
 * it stopped at its limit with more to come).
 */
public record LogChunk(String text, LogPosition next, boolean caughtUp) {}
