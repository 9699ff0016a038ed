/**
 * The support of Zocket's own test suites (raw WebSocket clients, a proxy that cuts connections, a
 * Redis server for tests, ...): not published, not in the BOM, and no API. The published test kit
 * for applications is {@code dev.zocket.test}.
 */
module dev.zocket.testsupport {
  requires transitive dev.zocket.test;
  requires java.net.http;
  requires org.junit.jupiter.api;

  exports dev.zocket.testsupport;
}
