package io.batchexecutor.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ObjectStore} promises, whichever way it keeps objects; each implementation has
 * a subclass that supplies a store. Every test works under a key prefix of its own, so that stores
 * shared between tests (one S3 bucket) hold nothing a test did not write.
 */
public abstract class ObjectStoreContract {

  /** The store under test; a new one (or a shared one) for each test. */
  protected abstract ObjectStore store();

  /** The bucket the tests write to; stores without buckets ignore it. */
  protected abstract String bucket();

  private ObjectStore store;
  private String bucket;
  private String base;

  @BeforeEach
  void setUpStore() {
    store = store();
    bucket = bucket();
    base = "contract-" + UUID.randomUUID() + "/";
  }

  private URI put(String key, byte[] data) {
    return store.put(bucket, base + key, data);
  }

  private URI locate(String key) {
    return store.locate(bucket, base + key);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] random(int size, long seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }

  @Test
  void aFileIsPutAsItIsAndReadBackInRanges() throws java.io.IOException {
    byte[] data = random(300_000, 7);
    java.nio.file.Path file = java.nio.file.Files.createTempFile("contract-", ".bin");
    try {
      java.nio.file.Files.write(file, data);
      URI pointer = store.put(bucket, base + "from-file", file);

      assertThat(store.get(pointer)).hasValue(data);
      assertThat(store.size(pointer)).hasValue(data.length);
      assertThat(read(pointer, 0, ObjectStore.END)).isEqualTo(data);
      assertThat(read(pointer, 1000, ObjectStore.END))
          .isEqualTo(java.util.Arrays.copyOfRange(data, 1000, data.length));
      assertThat(read(pointer, 1000, 1010))
          .isEqualTo(java.util.Arrays.copyOfRange(data, 1000, 1010));
      assertThat(read(pointer, data.length, ObjectStore.END)).isEmpty();
      assertThat(store.size(locate("missing"))).isEmpty();
      assertThat(store.open(locate("missing"), 0, ObjectStore.END)).isEmpty();
    } finally {
      java.nio.file.Files.deleteIfExists(file);
    }
  }

  private byte[] read(URI pointer, long from, long to) throws java.io.IOException {
    try (java.io.InputStream in = store.open(pointer, from, to).orElseThrow()) {
      return in.readAllBytes();
    }
  }

  @Test
  void whatIsPutComesBackByteForByte() {
    byte[] everyByte = new byte[256];
    for (int i = 0; i < everyByte.length; i++) {
      everyByte[i] = (byte) i;
    }
    byte[] large = random(5 * 1024 * 1024 + 17, 42);

    URI small = put("every-byte.bin", everyByte);
    URI empty = put("empty", new byte[0]);
    URI big = put("large.bin", large);

    assertThat(store.get(small)).hasValueSatisfying(b -> assertThat(b).isEqualTo(everyByte));
    assertThat(store.get(empty)).hasValueSatisfying(b -> assertThat(b).isEmpty());
    assertThat(store.get(big)).hasValueSatisfying(b -> assertThat(b).isEqualTo(large));
  }

  @Test
  void aBoundedGetGivesAnObjectUpToTheBoundAndRefusesALargerOneNamingItsSize() {
    byte[] data = random(4096, 7);
    URI stored = put("bounded/result.json", data);

    assertThat(store.get(stored, 4096)).hasValueSatisfying(b -> assertThat(b).isEqualTo(data));
    assertThat(store.get(locate("bounded/absent"), 10)).isEmpty();
    assertThatThrownBy(() -> store.get(stored, 4095))
        .isInstanceOfSatisfying(
            ObjectTooLargeException.class,
            e -> {
              assertThat(e.size()).isEqualTo(4096);
              assertThat(e.limit()).isEqualTo(4095);
              assertThat(e.pointer()).isEqualTo(stored.toString());
            });
  }

  @Test
  void putReturnsThePointerThatLocateGivesAndThatTheStoreHandles() {
    URI located = locate("tasks/t1/result.json");

    URI stored = put("tasks/t1/result.json", utf8("{}"));

    assertThat(stored).isEqualTo(located);
    assertThat(store.handles(stored)).isTrue();
  }

  @Test
  void locateWritesNothing() {
    URI pointer = locate("only-located.json");

    assertThat(store.get(pointer)).isEmpty();
  }

  @Test
  void aPointerIsReadBackFromItsTextThroughObjectStores() {
    ObjectStores stores = new ObjectStores(store, List.of(store));
    URI pointer = put("tasks/t1/result.json", utf8("{\"value\": 3}"));

    // tasks keep pointers as text; whoever serves the object reads it back from that text
    assertThat(stores.get(pointer.toString()))
        .hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("{\"value\": 3}")));
    assertThat(stores.get(locate("tasks/t1/absent.json").toString())).isEmpty();
  }

  @Test
  void aKeyNeverStoredIsEmptyNotAnError() {
    put("tasks/t1/sweep/0/output.log", utf8("x"));

    assertThat(store.get(locate("tasks/t1/missing.json"))).isEmpty();
    assertThat(store.get(locate("never/anything/here.json"))).isEmpty();
    assertThat(store.get(locate("tasks/t1/sweep/0")))
        .as("a key that only other keys start with is no object")
        .isEmpty();
  }

  @Test
  void aSecondPutReplacesTheObject() {
    put("result.json", utf8("the first and longer value"));

    URI pointer = put("result.json", utf8("second"));

    assertThat(store.get(pointer)).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("second")));
  }

  @Test
  void whatIsStoredDoesNotChangeWithTheArraysItCameInOrWentOutIn() {
    byte[] data = utf8("stored");
    URI pointer = put("result.json", data);
    data[0] = 'X';

    store.get(pointer).orElseThrow()[1] = 'X';

    assertThat(store.get(pointer)).hasValueSatisfying(b -> assertThat(b).isEqualTo(utf8("stored")));
  }

  @Test
  void keysWithSpacesUnicodeAndUriCharactersRoundTrip() {
    ObjectStores stores = new ObjectStores(store, List.of(store));
    List<String> keys =
        List.of(
            "with space/file name.txt",
            "ünïcödé/日本語/☃.json",
            "percent/100%25 and 100%.txt",
            "uri/a#fragment?query=1&b=c+d.txt");
    for (String key : keys) {
      byte[] data = utf8("content of " + key);

      URI pointer = put(key, data);

      assertThat(pointer).as(key).isEqualTo(locate(key));
      assertThat(store.get(pointer)).as(key).hasValueSatisfying(b -> assertThat(b).isEqualTo(data));
      assertThat(stores.get(pointer.toString()))
          .as(key + " read back from the pointer's text")
          .hasValueSatisfying(b -> assertThat(b).isEqualTo(data));
    }
    assertThat(store.get(locate("percent/100% and 100%.txt")))
        .as("%25 in a key is three characters of the key, not an escaped %")
        .isEmpty();
  }

  @Test
  void deleteUnderRemovesEverythingUnderThePrefixAndNothingBesideIt() {
    URI result = put("a/b/result.json", utf8("x"));
    URI deep = put("a/b/sweep/0/output.log", utf8("x"));
    URI sharesTheCharacters = put("a/bc/result.json", utf8("x"));
    URI above = put("a/result.json", utf8("x"));
    URI elsewhere = put("z/b/result.json", utf8("x"));

    store.deleteUnder(locate("a/b/"));

    assertThat(store.get(result)).isEmpty();
    assertThat(store.get(deep)).isEmpty();
    assertThat(store.get(sharesTheCharacters)).as("a/bc only shares the characters").isPresent();
    assertThat(store.get(above)).isPresent();
    assertThat(store.get(elsewhere)).isPresent();
  }

  @Test
  void deleteUnderWorksWithPrefixesOfAnyCharacters() {
    ObjectStores stores = new ObjectStores(store, List.of(store));
    URI inside = put("with space/ünï/result.json", utf8("x"));
    URI beside = put("with space/ünï2/result.json", utf8("x"));

    stores.deleteUnder(locate("with space/ünï/").toString());

    assertThat(store.get(inside)).isEmpty();
    assertThat(store.get(beside)).isPresent();
  }

  @Test
  void aPrefixWithNothingUnderItIsNoError() {
    store.deleteUnder(locate("nothing/here/"));

    URI again = put("nothing/here/result.json", utf8("x"));
    store.deleteUnder(locate("nothing/here/"));
    store.deleteUnder(locate("nothing/here/"));

    assertThat(store.get(again)).isEmpty();
  }

  @Test
  void aKeyEndingInASlashIsLocatedAsAPrefixWhetherOrNotAnythingIsUnderIt() {
    URI before = locate("a/b/");
    put("a/b/result.json", utf8("x"));

    assertThat(before.toString()).endsWith("/");
    assertThat(locate("a/b/")).as("the same before and after a put under it").isEqualTo(before);
  }

  @Test
  void deleteUnderRefusesWhatIsNoPrefix() {
    URI result = put("a/b/result.json", utf8("x"));
    URI sharesTheCharacters = put("a/bc/result.json", utf8("x"));
    URI noSlash = URI.create(locate("a/b/").toString().replaceAll("/$", ""));

    assertThatThrownBy(() -> store.deleteUnder(noSlash))
        .as("a prefix ends in /, or a/b would take a/bc with it")
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.deleteUnder(store.locate(bucket, "")))
        .as("the whole store is not a prefix")
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(store.get(result)).isPresent();
    assertThat(store.get(sharesTheCharacters)).isPresent();
  }

  @Test
  void theStoreHandlesItsOwnSchemeOnly() {
    String scheme = locate("x").getScheme();

    assertThat(store.handles(URI.create("s3://bucket/key"))).isEqualTo(scheme.equals("s3"));
    assertThat(store.handles(URI.create("file:/tmp/key"))).isEqualTo(scheme.equals("file"));
    assertThat(store.handles(URI.create("https://127.0.0.1/key"))).isFalse();
  }
}
