/**
 * Zocket's benchmarks (not published): JMH benchmarks, a raw-Netty chat baseline server, a load
 * driver and memory probes. The JMH benchmarks of the codec, the dispatcher and the emitters
 * measure internals that no public API reaches without a transport: this module's build exports
 * {@code dev.zocket.internal} to it ({@code --add-exports}), so that {@code dev.zocket.core}
 * exports it to Zocket's published modules only. The memory probes drive connections with the raw
 * client of Zocket's own test support ({@code dev.zocket.testsupport}, not published either).
 */
// "requires-automatic": JMH has no module descriptor, nor an Automatic-Module-Name; the benchmarks
// are not published.
@SuppressWarnings("requires-automatic")
module dev.zocket.bench {
  requires dev.zocket.client;
  requires dev.zocket.netty;
  requires dev.zocket.redis;
  requires dev.zocket.testsupport;
  requires io.netty.buffer;
  requires io.netty.codec.http;
  requires io.netty.common;
  requires io.netty.transport;
  requires io.netty.transport.classes.epoll;
  requires jakarta.validation;
  requires java.management;
  requires java.net.http;
  requires jdk.management;
  requires jmh.core;
}
