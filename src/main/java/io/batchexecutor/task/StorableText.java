package io.batchexecutor.task;

/**
 * Text that PostgreSQL can store: NUL characters and unpaired surrogates (which a user's exception
 * message may well contain) become U+FFFD, so that recording a failure can never fail itself.
 */
final class StorableText {

  private StorableText() {}

  static String of(String text) {
    if (text == null || TaskValidation.storable(text)) {
      return text;
    }
    StringBuilder clean = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == 0) {
        clean.append('\uFFFD');
      } else if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        clean.append(c).append(text.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        clean.append('\uFFFD');
      } else {
        clean.append(c);
      }
    }
    return clean.toString();
  }
}
