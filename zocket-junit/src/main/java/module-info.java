/**
 * Zocket's JUnit 5 extension, {@code dev.zocket.junit}: a server started and closed for the tests,
 * and connected clients injected into their parameters. It brings the test kit ({@code
 * dev.zocket.test}), the server ({@code dev.zocket.netty}) and the client ({@code
 * dev.zocket.client}).
 */
module dev.zocket.junit {
  requires transitive dev.zocket.client;
  requires transitive dev.zocket.netty;
  requires transitive dev.zocket.test;
  requires transitive org.junit.jupiter.api;

  exports dev.zocket.junit;
}
