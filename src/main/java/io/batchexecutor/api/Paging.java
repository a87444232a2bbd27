package io.batchexecutor.api;

import io.batchexecutor.task.PageCursor;
import org.springframework.http.HttpStatus;

/**
 * The rules every list shares: {@code size} within the operator's maximum; {@code cursor} (opaque,
 * as the previous page gave it) or the deprecated {@code page}, never both; and {@code page * size}
 * at most {@link #MAX_OFFSET}, since a numbered page skips that many rows.
 */
final class Paging {

  /** The most rows a numbered page may skip. */
  static final int MAX_OFFSET = 10_000;

  private Paging() {}

  /** One page of {@code items} and the cursor of the next page (null on the last). */
  record Window<T>(java.util.List<T> items, String next) {}

  /**
   * The page of {@code found} — read with one row more than {@code size}, so that the extra row
   * tells whether there is a next page — and the cursor at its last item ({@code position}).
   */
  static <T> Window<T> window(
      java.util.List<T> found, int size, java.util.function.Function<T, PageCursor> position) {
    if (found.size() <= size) {
      return new Window<>(found, null);
    }
    java.util.List<T> items = found.subList(0, size);
    return new Window<>(items, position.apply(items.get(size - 1)).encode());
  }

  /** The cursor asked for, null for the first page; refusals as problems. */
  static PageCursor check(String cursor, Integer page, int size, int maxPageSize) {
    if (size < 1 || size > maxPageSize) {
      throw ProblemException.invalidParameter("size", "must be between 1 and " + maxPageSize);
    }
    if (page != null) {
      if (cursor != null) {
        throw ProblemException.invalidParameter("page", "cannot be given with cursor");
      }
      if (page < 0) {
        throw ProblemException.invalidParameter("page", "must be 0 or more");
      }
      if ((long) page * size > MAX_OFFSET) {
        throw ProblemException.invalidParameter(
            "page",
            "times size must be at most "
                + MAX_OFFSET
                + " (page is deprecated: follow next_cursor with cursor instead)");
      }
      return null;
    }
    if (cursor == null) {
      return null;
    }
    try {
      return PageCursor.decode(cursor);
    } catch (IllegalArgumentException e) {
      throw new ProblemException(
              HttpStatus.BAD_REQUEST,
              Problems.BAD_CURSOR,
              "Bad cursor",
              "cursor is not one this list gave: pass next_cursor of the previous page as it was")
          .withProperty(
              "errors",
              java.util.List.of(
                  java.util.Map.of("field", "cursor", "message", "is not one this list gave")));
    }
  }
}
