package io.batchexecutor.backend.local;

import com.github.dockerjava.api.exception.NotFoundException;

/** The engine has no image under the reference a container was to be created from. */
final class ImageGoneException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private ImageGoneException(NotFoundException cause) {
    super(cause.getMessage(), cause);
  }

  /**
   * What the engine's 404 to a container's create means: the image is missing when it says so ("No
   * such image: ..."), else {@code e} as it came.
   */
  static RuntimeException from(NotFoundException e) {
    String message = e.getMessage();
    return message != null && message.contains("No such image") ? new ImageGoneException(e) : e;
  }
}
