/** A Redis backplane for Zocket servers, over Lettuce: {@code dev.zocket.redis}. */
// "requires-automatic": Lettuce has no module descriptor; lettuce.core is the Automatic-Module-Name
// of its jar.
@SuppressWarnings("requires-automatic")
module dev.zocket.redis {
  requires transitive dev.zocket.core;
  requires lettuce.core;
  requires org.slf4j;
  // Lettuce's event bus, which tells of a Redis Cluster's changes of topology, is a Reactor Flux.
  requires reactor.core;
  requires org.reactivestreams;
  // Lettuce, an automatic module, cannot require the Netty modules it uses (those of its Maven
  // dependencies), so that they are there at run time: this module does.
  requires io.netty.common;
  requires io.netty.handler;
  requires io.netty.resolver.dns;
  requires io.netty.transport;

  exports dev.zocket.redis;
}
