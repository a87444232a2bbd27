package io.batchexecutor.support;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.UUID;

/**
 * Ids of tasks and workflows: version 7 UUIDs (RFC 9562), the milliseconds of their making in the
 * first 48 bits and 74 random bits after them. Made in time order, they land at the end of the
 * primary key's index instead of anywhere in it; the random bits come from a generator of each
 * thread's own (a DRBG), where {@link UUID#randomUUID()} makes every thread of the service take
 * turns at one shared generator.
 */
public final class Ids {

  private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(Ids::drbg);

  private Ids() {}

  /** A new id, timed by {@code clock}. */
  public static UUID next(Clock clock) {
    byte[] random = new byte[10];
    RANDOM.get().nextBytes(random);
    // instant(), not millis(): a clock ticking in microseconds fails in Clock.millis() on Java 17
    long millis = clock.instant().toEpochMilli() & 0xFFFF_FFFF_FFFFL;
    long high = millis << 16 | 0x7000L | (random[0] & 0x0FL) << 8 | (random[1] & 0xFFL);
    long low = 0;
    for (int i = 2; i < 10; i++) {
      low = low << 8 | (random[i] & 0xFFL);
    }
    low = low & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L; // the variant, 10
    return new UUID(high, low);
  }

  private static SecureRandom drbg() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no DRBG SecureRandom", e);
    }
  }
}
