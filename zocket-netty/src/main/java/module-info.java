/**
 * The Netty WebSocket server of Zocket: {@code dev.zocket.netty}.
 *
 * <p>The server uses Netty's epoll transport when its native library is there, NIO otherwise. The
 * library is an optional dependency: an application that wants epoll adds {@code
 * io.netty:netty-transport-native-epoll} with the classifier of its platform ({@code linux-x86_64}
 * or {@code linux-aarch_64}). On the module path the native library is a module of its own that
 * nothing requires (its name says the platform): add it with {@code --add-modules
 * io.netty.transport.epoll.linux.x86_64} (or the {@code aarch_64} one) to use epoll.
 */
module dev.zocket.netty {
  requires transitive dev.zocket.core;
  requires transitive jakarta.validation;
  // In the builder's and the HTTP handler's signatures: SslContext, HTTP requests and responses,
  // and the buffers of their content.
  requires transitive io.netty.buffer;
  requires transitive io.netty.codec.http;
  requires transitive io.netty.handler;
  requires io.netty.codec;
  requires io.netty.codec.compression;
  requires io.netty.common;
  requires io.netty.transport;
  requires io.netty.transport.classes.epoll;
  requires io.netty.transport.classes.io_uring;
  // Writes to a native socket's descriptor (SocketWrites).
  requires io.netty.transport.unix.common;
  // The default connection limit reads the process's file limit.
  requires java.management;
  requires jdk.management;
  requires org.slf4j;

  exports dev.zocket.netty;
}
