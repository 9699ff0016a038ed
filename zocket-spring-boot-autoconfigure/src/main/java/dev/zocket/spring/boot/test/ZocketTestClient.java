package dev.zocket.spring.boot.test;

import dev.zocket.client.ZocketClient;
import dev.zocket.spring.boot.autoconfigure.ZocketServerLifecycle;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.springframework.beans.factory.DisposableBean;

/**
 * Typed Zocket clients of the application's running server, for tests; see {@link
 * AutoConfigureZocketClient}. {@link #proxy} shares one client, connected at its first use; {@link
 * #connect} makes further ones (with headers, event listeners, a token...). Every client it made is
 * closed when the application context closes, or by {@link #closeAll}.
 *
 * <p>Threading: thread-safe. The clients are {@link ZocketClient}s: their proxies may be called
 * from any thread.
 */
public final class ZocketTestClient implements DisposableBean {
  private final ZocketServerLifecycle lifecycle;
  private final List<ZocketClient> clients = new ArrayList<>();
  private ZocketClient shared;

  ZocketTestClient(ZocketServerLifecycle lifecycle) {
    this.lifecycle = lifecycle;
  }

  /**
   * Where the server is: its {@code ws://} URI (or {@code local://} in process).
   *
   * @return the server's URI
   */
  public URI uri() {
    return lifecycle.server().uri();
  }

  /**
   * A proxy of a contract on the shared client, which connects at the first call of this method.
   *
   * @param contract the contract interface
   * @param <T> the contract
   * @return the proxy; its methods block until answered (or time out)
   */
  public <T> T proxy(Class<T> contract) {
    Objects.requireNonNull(contract, "contract == null");
    ZocketClient client;
    synchronized (this) {
      if (shared == null || shared.state() == ZocketClient.State.CLOSED) {
        shared = connect(UnaryOperator.identity());
      }
      client = shared;
    }
    return client.proxy(contract);
  }

  /**
   * Connects a new client to the server, closed with the context.
   *
   * @param configure sets up the builder: headers, event listeners, timeouts...
   * @return the connected client
   */
  public ZocketClient connect(UnaryOperator<ZocketClient.Builder> configure) {
    Objects.requireNonNull(configure, "configure == null");
    ZocketClient client = configure.apply(ZocketClient.builder(uri())).connect();
    synchronized (this) {
      clients.add(client);
    }
    return client;
  }

  /** Closes every client made so far. */
  public void closeAll() {
    List<ZocketClient> toClose;
    synchronized (this) {
      toClose = new ArrayList<>(clients);
      clients.clear();
      shared = null;
    }
    toClose.forEach(ZocketClient::close);
  }

  @Override
  public void destroy() {
    closeAll();
  }
}
