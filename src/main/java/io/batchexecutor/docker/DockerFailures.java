package io.batchexecutor.docker;

import com.github.dockerjava.api.exception.DockerException;
import java.io.IOException;
import java.net.SocketException;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.MalformedChunkCodingException;
import org.apache.hc.core5.http.NoHttpResponseException;
import tools.jackson.databind.json.JsonMapper;

/** Turns Docker client failures into sentences for task reasons and health details. */
public final class DockerFailures {

  private DockerFailures() {}

  /** Whether {@code e} means the engine could not be reached, or went away while answering. */
  public static boolean unreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SocketException
          || t instanceof ConnectionClosedException // dropped in the middle of an answer
          || t instanceof MalformedChunkCodingException // an answer cut short mid-chunk
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

  /**
   * An answer of the engine in one line: {@code Status 400: {"message":"..."}} becomes {@code the
   * Docker engine refused (400): ...}; any other failure is its message (its kind when it has
   * none), line breaks made spaces.
   */
  public static String refusal(Throwable e) {
    if (e instanceof DockerException d && d.getHttpStatus() > 0) {
      String message = String.valueOf(d.getMessage());
      String prefix = "Status " + d.getHttpStatus() + ": ";
      if (message.startsWith(prefix)) {
        message = message.substring(prefix.length());
      }
      int body = message.indexOf('{');
      if (body >= 0) {
        try {
          String said =
              ENGINE_ANSWER.readTree(message.substring(body)).path("message").asString("");
          if (!said.isBlank()) {
            message = said;
          }
        } catch (RuntimeException notJson) {
          // keep the message as it is
        }
      }
      return "the Docker engine refused (" + d.getHttpStatus() + "): " + oneLine(message);
    }
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : oneLine(message);
  }

  private static String oneLine(String message) {
    return message.strip().replaceAll("\\s*\\R\\s*", " ");
  }

  private static final JsonMapper ENGINE_ANSWER = JsonMapper.builder().build();

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
