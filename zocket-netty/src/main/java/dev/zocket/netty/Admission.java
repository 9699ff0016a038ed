package dev.zocket.netty;

import io.netty.util.internal.PlatformDependent;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts every open socket of a server from the moment it is accepted, upgraded or not, against the
 * connection limit and the optional limit per remote address. A socket over a limit is still read,
 * briefly, so that its request can be answered (503, or 429 for its address); a small headroom of
 * such sockets is allowed, and past it a socket is closed at once. So sockets that never finish
 * their request (slowloris) count, and the file descriptors the server holds stay bounded.
 * Thread-safe.
 */
final class Admission {
  /** What an accepted socket may do. */
  enum Verdict {
    /** Counted; may make its request. */
    OPEN,
    /** Counted; its request is answered 503: the server is full. */
    FULL,
    /** Counted; its request is answered 429: its address has too many connections. */
    ADDRESS_FULL,
    /** Not counted: closed at once, past the headroom. */
    DROP
  }

  private final int max;
  private final int headroom;
  private final int perAddress;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, AtomicInteger> byAddress = new ConcurrentHashMap<>();

  /**
   * @param max the most sockets served at once
   * @param perAddress the most per remote address, or 0 for no limit
   */
  Admission(int max, int perAddress) {
    this.max = max;
    this.headroom = Math.min(1024, Math.max(16, max / 10));
    this.perAddress = perAddress;
  }

  /** Counts a socket that was just accepted. */
  Verdict admit(SocketAddress remote) {
    int n = open.incrementAndGet();
    if (n > max + headroom) {
      open.decrementAndGet();
      return Verdict.DROP;
    }
    if (n > max) {
      return Verdict.FULL;
    }
    if (perAddress > 0 && remote instanceof InetSocketAddress a) {
      AtomicInteger count = byAddress.computeIfAbsent(a.getAddress(), k -> new AtomicInteger());
      if (count.incrementAndGet() > perAddress) {
        count.decrementAndGet();
        return Verdict.ADDRESS_FULL;
      }
    }
    return Verdict.OPEN;
  }

  /** Releases what {@link #admit} counted for a socket that closed. */
  void release(SocketAddress remote, Verdict verdict) {
    if (verdict == Verdict.DROP) {
      return;
    }
    open.decrementAndGet();
    if (verdict == Verdict.OPEN && perAddress > 0 && remote instanceof InetSocketAddress a) {
      byAddress.computeIfPresent(
          a.getAddress(), (k, count) -> count.decrementAndGet() == 0 ? null : count);
    }
  }

  /** The sockets counted now. */
  int open() {
    return open.get();
  }

  /**
   * The default connection limit: 10,000, or fewer when the process may open fewer files (four
   * fifths of its file limit less 256), or hold less of what no budget counts (each connection may
   * hold a message of {@code maxFrameSize} being read and a read buffer, and, while it is not
   * behind, up to {@code writeBufferHigh} bytes written and not yet taken by its socket: a
   * connection counts twice the frame size and the high water mark against the maximum direct
   * memory). What a connection that is behind holds beyond that counts against the backlog budget
   * (see {@link FrameWriter}).
   */
  static int defaultMax(int maxFrameSize, int writeBufferHigh) {
    long max = 10_000;
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      long files = unix.getMaxFileDescriptorCount();
      if (files > 0) {
        max = Math.min(max, (files - 256) * 8 / 10);
      }
    }
    max =
        Math.min(max, PlatformDependent.maxDirectMemory() / (2L * maxFrameSize + writeBufferHigh));
    return (int) Math.max(16, max);
  }
}
