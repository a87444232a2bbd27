package io.batchexecutor.config;

import java.util.Locale;
import java.util.Optional;

/**
 * How a task's call (source, function name, arguments) reaches the container that runs it.
 *
 * <ul>
 *   <li>{@link #STAGED}: the image is the task's <em>environment</em> (base image, requirements,
 *       runner) and is shared by every task with the same environment; the call is written to the
 *       object store as {@code payload.json} and travels beside the image.
 *   <li>{@link #BAKED}: the original executor's way: the call is built into an image of its own,
 *       self-contained, runnable without the object store.
 * </ul>
 */
public enum PayloadMode {
  STAGED,
  BAKED;

  /** The value as clients and settings write it: {@code staged} or {@code baked}. */
  public String value() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The mode named {@code value} ({@code staged} or {@code baked}), if it is one. */
  public static Optional<PayloadMode> of(String value) {
    for (PayloadMode mode : values()) {
      if (mode.value().equals(value)) {
        return Optional.of(mode);
      }
    }
    return Optional.empty();
  }
}
