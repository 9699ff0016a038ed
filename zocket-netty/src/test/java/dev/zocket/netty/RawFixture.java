package dev.zocket.netty;

import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RawClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The servers a test started and the raw clients it connected, closed after it in reverse order;
 * then the test fails if Netty reported a leak. Leak detection is installed before the first server
 * starts.
 */
final class RawFixture implements AutoCloseable {
  private final List<AutoCloseable> closing = new ArrayList<>();

  /** Starts a server, closed with the fixture. */
  ZocketServer start(ZocketServer.Builder<?, ?> builder) {
    LeakDetection.install();
    ZocketServer s = builder.start();
    closing.add(s);
    return s;
  }

  /** A raw client of {@code s} with this query string, reading with a 10 s timeout. */
  RawClient connect(ZocketServer s, String query) throws IOException {
    RawClient c = RawClient.connect(s.port(), "/?" + query);
    closing.add(c);
    c.readTimeout(10_000);
    return c;
  }

  @Override
  public void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
    LeakDetection.assertNoLeaks();
  }
}
