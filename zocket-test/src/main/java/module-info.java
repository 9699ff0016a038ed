/**
 * The Zocket test kit, for the tests of Zocket applications: waiting for a condition, recording the
 * events of an event contract, Netty leak detection, certificates for TLS tests. The JUnit 5
 * extension that starts a server for a test and injects its clients is in {@code dev.zocket.junit}
 * ({@code zocket-junit}).
 */
module dev.zocket.test {
  requires io.netty.buffer;
  requires io.netty.common;
  requires io.netty.pkitesting;
  requires org.assertj.core;
  requires org.junit.jupiter.api;

  exports dev.zocket.test;
}
