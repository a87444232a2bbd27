package io.batchexecutor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.batchexecutor.config.ImageReferences.ImagePattern;
import org.junit.jupiter.api.Test;

/** Image references in the engine's one form, and allow-list patterns matched against it. */
class ImageReferencesTest {

  private static final String DIGEST = "sha256:" + "ab".repeat(32);

  @Test
  void dockerHubNamesGetTheirRegistryLibraryAndTag() {
    assertThat(ImageReferences.normalise("python:3.11-slim"))
        .isEqualTo("docker.io/library/python:3.11-slim");
    assertThat(ImageReferences.normalise("python")).isEqualTo("docker.io/library/python:latest");
    assertThat(ImageReferences.normalise("library/python:3"))
        .isEqualTo("docker.io/library/python:3");
    assertThat(ImageReferences.normalise("docker.io/python:3"))
        .isEqualTo("docker.io/library/python:3");
    assertThat(ImageReferences.normalise("index.docker.io/library/python:3"))
        .isEqualTo("docker.io/library/python:3");
    assertThat(ImageReferences.normalise("team/tool:1")).isEqualTo("docker.io/team/tool:1");
  }

  @Test
  void aFirstComponentWithADotAColonOrLocalhostIsARegistry() {
    assertThat(ImageReferences.normalise("127.0.0.1:5000/internal/x:1"))
        .isEqualTo("127.0.0.1:5000/internal/x:1");
    assertThat(ImageReferences.normalise("Registry.Example.com/team/img"))
        .isEqualTo("registry.example.com/team/img:latest");
    assertThat(ImageReferences.normalise("localhost/img:2")).isEqualTo("localhost/img:2");
    assertThat(ImageReferences.normalise("local/python:3")).isEqualTo("docker.io/local/python:3");
  }

  @Test
  void aDigestReferenceIsItsRepositoryAndDigestAlone() {
    assertThat(ImageReferences.normalise("python:3.11-slim@" + DIGEST))
        .isEqualTo("docker.io/library/python@" + DIGEST);
    assertThat(ImageReferences.normalise("python@" + DIGEST))
        .isEqualTo("docker.io/library/python@" + DIGEST);
  }

  @Test
  void whatIsNoReferenceIsRefused() {
    assertThatThrownBy(() -> ImageReferences.normalise(""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ImageReferences.normalise("python:"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ImagePattern.of("python 3"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPatternMatchesTheSameImageHoweverItIsSpelt() {
    ImagePattern pattern = ImagePattern.of("python:3.11-slim");

    assertThat(pattern.matches(ImageReferences.normalise("docker.io/library/python:3.11-slim")))
        .isTrue();
    assertThat(pattern.matches(ImageReferences.normalise("python:3.11-slim"))).isTrue();
    assertThat(pattern.matches(ImageReferences.normalise("python:3.12-slim"))).isFalse();
    assertThat(pattern.matches(ImageReferences.normalise("evil.example/library/python:3.11-slim")))
        .isFalse();
  }

  @Test
  void aStarStandsForCharactersOtherThanSlashColonAndAt() {
    ImagePattern tags = ImagePattern.of("python:3.11-*");
    assertThat(tags.matches(ImageReferences.normalise("python:3.11-slim"))).isTrue();
    assertThat(tags.matches(ImageReferences.normalise("python:3.11-bookworm"))).isTrue();
    assertThat(tags.matches(ImageReferences.normalise("python:3.12-slim"))).isFalse();

    ImagePattern repositories = ImagePattern.of("127.0.0.1:5000/team/*:*");
    assertThat(repositories.matches(ImageReferences.normalise("127.0.0.1:5000/team/a:1"))).isTrue();
    assertThat(repositories.matches(ImageReferences.normalise("127.0.0.1:5000/team/a/b:1")))
        .as("no '/' under a star")
        .isFalse();
    assertThat(repositories.matches(ImageReferences.normalise("127.0.0.1:5001/team/a:1")))
        .isFalse();
  }

  @Test
  void aDigestMatchesOnlyAPatternThatAllowsDigests() {
    String pinned = ImageReferences.normalise("python:3.11-slim@" + DIGEST);

    assertThat(ImagePattern.of("python:3.11-slim").matches(pinned))
        .as("a digest may be any image of the repository, not only the tag's")
        .isFalse();
    assertThat(ImagePattern.of("python:*").matches(pinned)).isFalse();
    assertThat(ImagePattern.of("python@sha256:*").matches(pinned)).isTrue();
    assertThat(ImagePattern.of("python@" + DIGEST).matches(pinned)).isTrue();
    assertThat(ImageReferences.hasDigest("python@" + DIGEST)).isTrue();
    assertThat(ImageReferences.hasDigest("python:3")).isFalse();
  }
}
