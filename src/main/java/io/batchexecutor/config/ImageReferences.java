package io.batchexecutor.config;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Image references in the one form the engine resolves them to, so that an allow-list can be
 * matched against what a request names however it spells it: {@code python:3.11-slim} is {@code
 * docker.io/library/python:3.11-slim}, {@code python} is {@code docker.io/library/python:latest},
 * {@code Registry.Example:5000/team/img:1} is {@code registry.example:5000/team/img:1}. A reference
 * with a digest is its repository and digest alone ({@code repo@sha256:…}): the engine pulls by the
 * digest, and a tag beside it chooses nothing.
 *
 * <p>The first path component is a registry when it contains a '.' or a ':' or is {@code
 * localhost}, as in Docker's own reference grammar; otherwise the registry is Docker Hub, where a
 * one-component name lives under {@code library/}.
 */
public final class ImageReferences {

  private static final Pattern DIGEST = Pattern.compile("^sha256:[a-f0-9]{64}$");

  private ImageReferences() {}

  /**
   * {@code reference} in its normalised form.
   *
   * @throws IllegalArgumentException if it is not an image reference
   */
  public static String normalise(String reference) {
    if (reference == null || reference.isBlank()) {
      throw new IllegalArgumentException("an image reference must not be empty");
    }
    String name = reference.strip();
    String digest = null;
    int at = name.indexOf('@');
    if (at >= 0) {
      digest = name.substring(at + 1);
      name = name.substring(0, at);
    }
    String tag = null;
    int colon = name.lastIndexOf(':');
    if (colon > name.lastIndexOf('/')) {
      tag = name.substring(colon + 1);
      name = name.substring(0, colon);
    }
    if (name.isEmpty() || (tag != null && tag.isEmpty()) || (digest != null && digest.isEmpty())) {
      throw new IllegalArgumentException("not an image reference: " + reference);
    }
    String registry = "docker.io";
    String path = name;
    int slash = name.indexOf('/');
    if (slash > 0) {
      String first = name.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        registry = first.toLowerCase(Locale.ROOT);
        path = name.substring(slash + 1);
      }
    }
    if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) {
      registry = "docker.io";
    }
    if (registry.equals("docker.io") && !path.contains("/")) {
      path = "library/" + path;
    }
    if (digest != null) {
      return registry + "/" + path + "@" + digest;
    }
    return registry + "/" + path + ":" + (tag == null ? "latest" : tag);
  }

  /** Whether {@code reference} pins a digest. */
  public static boolean hasDigest(String reference) {
    int at = reference.indexOf('@');
    return at >= 0 && DIGEST.matcher(reference.substring(at + 1)).matches();
  }

  /**
   * A pattern of an allow-list: a reference, normalised as {@link #normalise} does, in which '*'
   * stands for any run of characters other than '/', ':' and '@' ({@code python:3.11-*}, {@code
   * 127.0.0.1:5000/team/*:*}, {@code python@sha256:*}).
   *
   * @param text the pattern as configured
   * @param normalised the pattern in normalised form, as shown to clients
   */
  public record ImagePattern(String text, String normalised, Pattern regex) {

    /**
     * The pattern {@code text}.
     *
     * @throws IllegalArgumentException if it is not a reference pattern
     */
    public static ImagePattern of(String text) {
      if (text == null || !text.strip().matches("[A-Za-z0-9._/:@*-]{1,300}")) {
        throw new IllegalArgumentException(
            "not an image reference pattern: '"
                + text
                + "' (a reference such as python:3.11-slim, '*' for any characters but / : @)");
      }
      String normalised = normalise(text.strip());
      String[] parts = normalised.split("\\*", -1);
      StringBuilder regex = new StringBuilder("^").append(Pattern.quote(parts[0]));
      for (int i = 1; i < parts.length; i++) {
        regex.append("[^/:@]*").append(Pattern.quote(parts[i]));
      }
      return new ImagePattern(
          text.strip(), normalised, Pattern.compile(regex.append('$').toString()));
    }

    /** Whether the normalised reference {@code normalisedReference} matches. */
    public boolean matches(String normalisedReference) {
      return regex.matcher(normalisedReference).matches();
    }
  }
}
