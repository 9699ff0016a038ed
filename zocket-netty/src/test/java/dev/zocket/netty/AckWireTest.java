package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.DropReason;
import dev.zocket.ErrorCodes;
import dev.zocket.InvalidPayloadException;
import dev.zocket.Namespace;
import dev.zocket.Violation;
import dev.zocket.ZocketException;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RawClient;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The wire of acknowledged events, with a raw WebSocket client (docs/protocol.md). */
@Timeout(30)
@ExtendWith(LeakDetection.class)
class AckWireTest {
  public record Question(String text) {}

  public record Answer(boolean yes, String note) {}

  @Namespace("prompts")
  public interface Prompts {
    CompletableFuture<Answer> confirm(Question question);
  }

  /** A call, as the marker that what was sent before it has been read. */
  public interface Echo {
    String echo(String text);
  }

  private final BlockingQueue<String> ids = new LinkedBlockingQueue<>();
  private ZocketServer server;

  @BeforeEach
  void start() {
    server =
        ZocketServer.builder()
            .onConnect(
                (headers, clientId) -> {
                  ids.add(clientId);
                  return clientId;
                })
            .handle(Echo.class, ctx -> text -> text)
            .host("127.0.0.1")
            .port(0)
            .shutdownTimeout(Duration.ofSeconds(2))
            .start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private String connected(int count) {
    String id = Await.next("the client id", ids);
    Await.until("registered", () -> server.connectionCount() == count);
    return id;
  }

  private static String echo(RawClient c, String text) throws Exception {
    c.sendText("{\"type\":\"echo\",\"payload\":\"" + text + "\",\"rpcId\":\"m\"}");
    return c.readSkippingPings().text();
  }

  private static Object outcome(CompletableFuture<?> f) throws Exception {
    try {
      return f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  @Test
  void anEventWithAnRpcIdIsAnsweredWithAck() throws Exception {
    try (RawClient c = RawClient.connect(server.port(), "/?x-zocket-acks=1")) {
      String id = connected(1);
      Prompts prompts = server.emit(Prompts.class).to(id);

      CompletableFuture<Answer> first = prompts.confirm(new Question("q"));
      assertThat(c.readSkippingPings().text())
          .isEqualTo("{\"type\":\"prompts.confirm\",\"payload\":{\"text\":\"q\"},\"rpcId\":\"1\"}");
      c.sendText("{\"type\":\"__ack\",\"rpcId\":\"1\",\"payload\":{\"yes\":true,\"note\":\"ok\"}}");
      assertThat(outcome(first)).isEqualTo(new Answer(true, "ok"));

      // A late or unknown answer is dropped; the marker call after it is answered.
      c.sendText("{\"type\":\"__ack\",\"rpcId\":\"1\",\"payload\":{\"yes\":false,\"note\":\"x\"}}");
      assertThat(echo(c, "marker"))
          .isEqualTo("{\"type\":\"__rpc_res\",\"payload\":\"marker\",\"rpcId\":\"m\"}");

      // An answer of the wrong type fails the future with the JSON path.
      CompletableFuture<Answer> second = prompts.confirm(new Question("r"));
      assertThat(c.readSkippingPings().text()).contains("\"rpcId\":\"2\"");
      c.sendText(
          "{\"type\":\"__ack\",\"rpcId\":\"2\",\"payload\":{\"yes\":\"no\",\"note\":\"x\"}}");
      Object refused = outcome(second);
      assertThat(refused).isInstanceOf(InvalidPayloadException.class);
      assertThat(((ZocketException) refused).details())
          .extracting(Violation::path)
          .containsExactly("yes");

      // An error answer fails it with the client's code and message.
      CompletableFuture<Answer> third = prompts.confirm(new Question("s"));
      assertThat(c.readSkippingPings().text()).contains("\"rpcId\":\"3\"");
      c.sendText(
          "{\"type\":\"__ack\",\"rpcId\":\"3\",\"error\":{\"code\":\"NOT_NOW\",\"message\":\"Busy\"}}");
      Object failed = outcome(third);
      assertThat(((ZocketException) failed).code()).isEqualTo("NOT_NOW");
      assertThat((Throwable) failed).hasMessage("Busy");

      // "__ack" inside an ordinary message's payload does not make it an answer.
      assertThat(echo(c, "__ack"))
          .isEqualTo("{\"type\":\"__rpc_res\",\"payload\":\"__ack\",\"rpcId\":\"m\"}");
      assertThat(server.droppedMessages()).isZero();
    }
  }

  @Test
  void withoutTheParameterAnAckIsAnOrdinaryMessageAndNoEventIsSent() throws Exception {
    try (RawClient c = RawClient.connect(server.port(), "/")) {
      String id = connected(1);
      Object refused = outcome(server.emit(Prompts.class).to(id).confirm(new Question("q")));
      assertThat(((ZocketException) refused).code()).isEqualTo(ErrorCodes.UNSUPPORTED);

      c.sendText("{\"type\":\"__ack\",\"payload\":{\"yes\":true,\"note\":\"ok\"}}");
      // The marker's reply is the first frame: the question was never sent.
      assertThat(echo(c, "marker"))
          .isEqualTo("{\"type\":\"__rpc_res\",\"payload\":\"marker\",\"rpcId\":\"m\"}");
      assertThat(server.droppedMessages(DropReason.UNKNOWN_ROUTE)).isEqualTo(1);
    }
  }
}
