package io.batchexecutor.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class KnownImagesTest {

  final List<String> asked = new ArrayList<>();

  Function<String, Optional<String>> engine(String id) {
    return reference -> {
      asked.add(reference);
      return Optional.ofNullable(id);
    };
  }

  @Test
  void anIdTheEngineGaveIsTakenWithoutAskingAgainForAWhile() {
    KnownImages known = new KnownImages(Duration.ofHours(1));

    assertThat(known.id("python:3", engine("sha256:1"))).contains("sha256:1");
    assertThat(known.id("python:3", engine("sha256:2"))).contains("sha256:1");

    assertThat(asked).containsExactly("python:3");
  }

  @Test
  void afterThatTimeTheEngineIsAskedAndANewIdSeen() {
    KnownImages known = new KnownImages(Duration.ZERO);

    known.id("python:3", engine("sha256:1"));

    assertThat(known.id("python:3", engine("sha256:2"))).contains("sha256:2");
    assertThat(asked).hasSize(2);
  }

  @Test
  void anImageForgottenIsAskedForAgain() {
    KnownImages known = new KnownImages(Duration.ofHours(1));
    known.id("batch-executor-env:1", engine("sha256:1"));

    known.forget("batch-executor-env:1");

    assertThat(known.id("batch-executor-env:1", engine(null))).isEmpty();
    assertThat(asked).hasSize(2);
  }

  @Test
  void anImageTheEngineLackedIsNeverRemembered() {
    KnownImages known = new KnownImages(Duration.ofHours(1));

    assertThat(known.id("python:3", engine(null))).isEmpty();
    assertThat(known.id("python:3", engine("sha256:1")))
        .as("pulled meanwhile: seen at once")
        .contains("sha256:1");
    assertThat(asked).hasSize(2);
  }
}
