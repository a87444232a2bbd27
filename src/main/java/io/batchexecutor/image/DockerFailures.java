package io.batchexecutor.image;

import java.io.IOException;
import java.net.SocketException;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.NoHttpResponseException;

/** Turns Docker client failures into sentences for task reasons and health details. */
public final class DockerFailures {

  private DockerFailures() {}

  /** Whether {@code e} means the engine could not be reached, or went away while answering. */
  public static boolean unreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SocketException
          || t instanceof ConnectionClosedException // dropped in the middle of an answer
          || t instanceof NoHttpResponseException
          || t instanceof java.io.EOFException
          || t instanceof java.nio.file.NoSuchFileException
          || (t instanceof IOException
              && String.valueOf(t.getMessage()).contains("No such file"))) {
        return true;
      }
    }
    return false;
  }

  /** A one-line description without stack or class noise. */
  public static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message =
        root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    return message.strip();
  }
}
