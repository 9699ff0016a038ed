package dev.zocket.netty;

/**
 * How a {@link ZocketServer}'s I/O threads wait for and move bytes on its sockets ({@link
 * ZocketServer.Builder#transport}). The native transports need Netty's native library for the
 * platform on the class path (for Linux on x86_64: {@code io.netty:netty-transport-native-epoll} or
 * {@code netty-transport-native-io_uring} with the classifier {@code linux-x86_64}); Zocket depends
 * on their Java classes only. What each costs per delivery is measured in the project's
 * BENCHMARKS.md.
 */
public enum IoTransport {
  /** epoll when its native library is there, else NIO. The default. */
  AUTO,

  /** Linux's epoll; the server fails to start if its native library is missing. */
  EPOLL,

  /**
   * Linux's io_uring (kernel 5.9 or later, and not disabled by {@code kernel.io_uring_disabled});
   * the server fails to start, saying why, if the kernel or the native library does not have it.
   */
  IO_URING,

  /** Java's NIO selector, on any platform. */
  NIO
}
