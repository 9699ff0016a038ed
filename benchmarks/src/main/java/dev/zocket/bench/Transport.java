package dev.zocket.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The Netty transport of the benchmark tools: native epoll when available, NIO otherwise, always
 * with one event loop.
 */
public final class Transport {
  private Transport() {}

  /** Whether the native epoll transport is in use. */
  public static boolean epoll() {
    return Epoll.isAvailable();
  }

  /** A group of one event loop. */
  public static EventLoopGroup oneLoop() {
    IoHandlerFactory factory = epoll() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(1, factory);
  }

  /** The server channel class matching {@link #oneLoop()}. */
  public static Class<? extends ServerChannel> serverChannel() {
    return epoll() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  /** The client channel class matching {@link #oneLoop()}. */
  public static Class<? extends SocketChannel> clientChannel() {
    return epoll() ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /**
   * Resolves a host and refuses anything but a loopback address: the tools only ever target the
   * local machine.
   *
   * @throws IllegalArgumentException if the host is not a loopback address
   */
  public static InetAddress loopback(String host) {
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("Unknown host: " + host, e);
    }
    if (!address.isLoopbackAddress()) {
      throw new IllegalArgumentException("Only a loopback address is allowed, not " + host);
    }
    return address;
  }
}
