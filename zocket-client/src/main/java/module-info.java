/**
 * Zocket's Java client: {@code dev.zocket.client}.
 *
 * <p>The client calls event listeners through their event contract by reflection: a named
 * application module opens the package of its event contracts to {@code dev.zocket.client}, as well
 * as to the modules {@code dev.zocket.core} names.
 */
module dev.zocket.client {
  requires transitive dev.zocket.core;
  requires transitive jakarta.validation;
  // In the builder's signatures: SslContext and EventLoopGroup.
  requires transitive io.netty.handler;
  requires transitive io.netty.transport;
  requires io.netty.buffer;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires io.netty.common;
  requires org.slf4j;

  exports dev.zocket.client;
}
