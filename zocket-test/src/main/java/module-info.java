/**
 * The Zocket test kit: {@code dev.zocket.test} for the tests of Zocket applications (waiting for a
 * condition, recording the events of an event contract, Netty leak detection, certificates for TLS
 * tests), and {@code dev.zocket.test.internal}, the support of Zocket's own test suites, exported
 * to Zocket's modules only.
 */
// "module": the modules named in the qualified export depend on this one, so javac does not see
// them when it compiles this one.
@SuppressWarnings("module")
module dev.zocket.test {
  requires io.netty.buffer;
  requires io.netty.common;
  requires io.netty.pkitesting;
  requires java.net.http;
  requires org.assertj.core;
  requires org.junit.jupiter.api;

  exports dev.zocket.test;
  exports dev.zocket.test.internal to
      dev.zocket.core,
      dev.zocket.netty,
      dev.zocket.client,
      dev.zocket.redis,
      dev.zocket.typescript;
}
