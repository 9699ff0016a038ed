package dev.zocket.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.client.ReconnectPolicy;
import dev.zocket.client.ZocketClient;
import dev.zocket.netty.ZocketServer;
import dev.zocket.redis.ChatApi.Chat;
import dev.zocket.redis.ChatApi.ChatEvents;
import dev.zocket.redis.ChatApi.Msg;
import dev.zocket.redis.ChatApi.Say;
import dev.zocket.test.Await;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** A real Zocket client of one node that records the messages it receives. */
final class TestClient implements AutoCloseable {
  final ZocketClient client;
  final Chat chat;
  final String id;
  private final BlockingQueue<Msg> received = new LinkedBlockingQueue<>();

  TestClient(ZocketServer node) {
    this.client =
        ZocketClient.builder(URI.create("ws://127.0.0.1:" + node.port()))
            .on(ChatEvents.class, received::add)
            .reconnect(ReconnectPolicy.disabled())
            .connect();
    this.chat = client.proxy(Chat.class);
    this.id = chat.whoami();
  }

  void join(String room) {
    assertThat(chat.join(room)).isEqualTo(room);
  }

  void leave(String room) {
    assertThat(chat.leave(room)).isEqualTo(room);
  }

  void toRooms(String text, String... rooms) {
    chat.say(new Say(List.of(rooms), List.of(), text, List.of()));
  }

  void toRoomsExcept(String text, List<String> except, String... rooms) {
    chat.say(new Say(List.of(rooms), List.of(), text, except));
  }

  void toClients(String text, String... ids) {
    chat.say(new Say(List.of(), List.of(ids), text, List.of()));
  }

  void broadcast(String text, boolean exceptMe) {
    chat.say(new Say(List.of(), List.of(), text, exceptMe ? List.of(id) : List.of()));
  }

  /** The next message; fails after 10 s. */
  Msg next() {
    return Await.next("a message", received);
  }

  /** Every message up to and including the one with the given text; fails after 10 s each. */
  List<String> until(String text) throws InterruptedException {
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      Msg m = next();
      texts.add(m.text());
      if (m.text().equals(text)) {
        return texts;
      }
    }
    throw new AssertionError("no '" + text + "' among " + texts);
  }

  /** Takes the next message if one is there now, or null. */
  Msg poll() {
    return received.poll();
  }

  @Override
  public void close() {
    client.close();
  }
}
