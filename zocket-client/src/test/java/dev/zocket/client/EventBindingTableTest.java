package dev.zocket.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.InvalidPayloadException;
import dev.zocket.Violation;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.BindingTable;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The binding table core holds the server to, run through a real client's event binding: a bare
 * server sends each row's payload as an event, then a marker; an accepted payload reaches the
 * listener with its value, a refused one reaches {@code onError} with the same path and message as
 * on the server, and never the listener.
 */
@Timeout(60)
@ExtendWith(LeakDetection.class)
class EventBindingTableTest {
  /** A second event contract: the marker sent after every row. */
  public interface Marker {
    void marker(String n);
  }

  private record Delivered(String route, Object payload) {}

  @Test
  void everyRowBindsOrIsRefusedAsOnTheServer() throws Exception {
    BlockingQueue<Object> seen = new LinkedBlockingQueue<>();
    BindingTable.Events listener =
        (BindingTable.Events)
            Proxy.newProxyInstance(
                BindingTable.Events.class.getClassLoader(),
                new Class<?>[] {BindingTable.Events.class},
                (proxy, method, args) -> {
                  if (method.getDeclaringClass() == Object.class) {
                    return method.getName().equals("toString") ? "listener" : null;
                  }
                  seen.add(new Delivered(method.getName(), args[0]));
                  return null;
                });
    List<BindingTable.Row> rows = BindingTable.rows();
    try (RawServer server = RawServer.start(0);
        ZocketClient client =
            ZocketClient.builder(server.uri())
                .reconnect(ReconnectPolicy.disabled())
                .on(BindingTable.Events.class, listener)
                .on(Marker.class, n -> seen.add("marker " + n))
                .onError(seen::add)
                .connect()) {
      for (int i = 0; i < rows.size(); i++) {
        BindingTable.Row row = rows.get(i);
        server.send("{\"type\":\"" + row.route() + "\",\"payload\":" + row.json() + "}");
        server.send("{\"type\":\"marker\",\"payload\":\"" + i + "\"}");
        Object first = seen.poll(10, TimeUnit.SECONDS);
        if (row.accepted()) {
          assertThat(first).as("%s", row).isEqualTo(new Delivered(row.route(), row.value()));
        } else {
          assertThat(first).as("%s", row).isInstanceOf(InvalidPayloadException.class);
          InvalidPayloadException e = (InvalidPayloadException) first;
          assertThat(e).hasMessage("Invalid payload for " + row.route());
          assertThat(e.details()).containsExactly(new Violation(row.path(), row.message()));
        }
        // Nothing else came for the row: the marker is next.
        assertThat(seen.poll(10, TimeUnit.SECONDS)).as("%s", row).isEqualTo("marker " + i);
      }
      assertThat(client.state()).isEqualTo(ZocketClient.State.OPEN);
    }
  }
}
