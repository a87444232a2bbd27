package io.batchexecutor.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalObjectStoreTest {

  @TempDir Path dir;

  @Test
  void everythingUnderAPrefixIsDeletedAndNothingBesideOrAboveIt() throws Exception {
    LocalObjectStore store = new LocalObjectStore(dir.resolve("objects"));
    byte[] data = "x".getBytes(StandardCharsets.UTF_8);
    URI result = store.put(null, "tasks/t1/result.json", data);
    URI deep = store.put(null, "tasks/t1/sweep/0/output.log", data);
    URI sibling = store.put(null, "tasks/t10/result.json", data);
    Path outside = Files.writeString(dir.resolve("outside.txt"), "keep");

    store.deleteUnder(store.locate(null, "tasks/t1/"));
    store.deleteUnder(store.locate(null, "tasks/never-stored/"));

    assertThat(store.get(result)).isEmpty();
    assertThat(store.get(deep)).isEmpty();
    assertThat(store.get(sibling)).isPresent();
    assertThatThrownBy(() -> store.deleteUnder(dir.toUri()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.deleteUnder(dir.resolve("objects").toUri()))
        .as("the whole store is not a prefix")
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(outside).exists();
  }

  @Test
  void storesOnOneDirectoryHaveOneIdAndOthersAnotherThatStays() {
    String first = new LocalObjectStore(dir.resolve("objects")).id();

    assertThat(new LocalObjectStore(dir.resolve("objects")).id()).isEqualTo(first);
    assertThat(new LocalObjectStore(dir.resolve("other")).id()).isNotEqualTo(first);
    assertThat(
            new ObjectStores(new LocalObjectStore(dir.resolve("objects")), java.util.List.of())
                .primaryIdentity())
        .isEqualTo("local-" + first);
  }
}
