package io.batchexecutor.task;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * Where a newest-first page ended: the last item's creation time and id. Lists are ordered by
 * {@code (created_at DESC, id DESC)}, so the next page is what comes strictly after this pair, read
 * from an index in that order whatever came or went since. Given to clients as an opaque string:
 * base64url (no padding) of {@code <epoch microseconds>:<id>}.
 *
 * @param createdAt the last item's creation time (microseconds, as stored)
 * @param id the last item's id
 */
public record PageCursor(Instant createdAt, UUID id) {

  private static final int MAX_LENGTH = 128;

  /** The cursor as clients see it. */
  public String encode() {
    long micros =
        Math.addExact(
            Math.multiplyExact(createdAt.getEpochSecond(), 1_000_000L), createdAt.getNano() / 1000);
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((micros + ":" + id).getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * The cursor a client sent back.
   *
   * @throws IllegalArgumentException when it is not one this service gave
   */
  public static PageCursor decode(String text) {
    if (text == null || text.isEmpty() || text.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("not a cursor of this list");
    }
    String plain;
    try {
      plain = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not base64url", e);
    }
    int colon = plain.indexOf(':');
    if (colon < 1) {
      throw new IllegalArgumentException("not a cursor of this list");
    }
    try {
      long micros = Long.parseLong(plain.substring(0, colon));
      UUID id = UUID.fromString(plain.substring(colon + 1));
      Instant at =
          Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L))
              .plusNanos(Math.floorMod(micros, 1_000_000L) * 1000);
      PageCursor cursor = new PageCursor(at, id);
      if (!cursor.encode().equals(text)) {
        throw new IllegalArgumentException("not a cursor of this list");
      }
      return cursor;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a cursor of this list", e);
    }
  }
}
