package io.batchexecutor.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports on 127.0.0.1 for the tests' own servers, and for addresses where nobody answers. */
public final class FreePorts {

  private FreePorts() {}

  /**
   * A loopback port the system had free a moment ago, and that nobody listens on when this returns
   * (until someone binds it).
   */
  public static int any() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }
}
