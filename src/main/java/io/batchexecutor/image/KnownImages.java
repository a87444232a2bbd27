package io.batchexecutor.image;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The images the engine was seen to have a moment ago, by reference, with their ids: a task that
 * comes right after another on the same environment does not ask the engine again for the id of its
 * base image, nor, on the local engine, whether its environment image is there (inspections of a
 * few milliseconds each on every task's way to its container).
 *
 * <p>Only what the engine had is remembered, and only for {@link #FOR}: a base image pulled where
 * there was none is seen at once, one pulled anew under the same name (a new id, so a new
 * environment) after that time at the latest; a task accepted within it runs in the environment
 * built on the id seen before, as it would have a moment earlier. An image removed within it is
 * found missing by the step that uses it, which has it {@link #forget forgotten} and sends the task
 * back.
 */
final class KnownImages {

  /** How long an id the engine gave is taken as still what it has. */
  static final Duration FOR = Duration.ofSeconds(10);

  /** Past this many references, those seen longer ago than {@link #FOR} are dropped. */
  private static final int TIDY_ABOVE = 1_000;

  private record Seen(String id, long atNanos) {}

  private final Map<String, Seen> seen = new ConcurrentHashMap<>();
  private final long forNanos;

  KnownImages() {
    this(FOR);
  }

  KnownImages(Duration remembered) {
    this.forNanos = remembered.toNanos();
  }

  /** The id of the image under {@code reference}: remembered, else as {@code engine} answers. */
  Optional<String> id(String reference, Function<String, Optional<String>> engine) {
    long now = System.nanoTime();
    Seen known = seen.get(reference);
    if (known != null && now - known.atNanos() < forNanos) {
      return Optional.of(known.id());
    }
    Optional<String> id = engine.apply(reference);
    if (id.isPresent()) {
      if (seen.size() >= TIDY_ABOVE) {
        seen.values().removeIf(s -> now - s.atNanos() >= forNanos);
      }
      seen.put(reference, new Seen(id.get(), now));
    } else {
      seen.remove(reference);
    }
    return id;
  }

  /** {@code reference} is no longer taken as there: the next look asks the engine. */
  void forget(String reference) {
    seen.remove(reference);
  }
}
