package dev.zocket.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.client.ZocketClient;
import dev.zocket.spring.boot.autoconfigure.sample.Greeter;
import dev.zocket.spring.boot.autoconfigure.sample.RoomEvents;
import dev.zocket.spring.boot.autoconfigure.sample.Rooms;
import dev.zocket.spring.boot.autoconfigure.sample.SampleApp;
import dev.zocket.test.Await;
import dev.zocket.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two applications with {@code zocket.redis.enabled=true} on one real redis-server, from {@code
 * spring.data.redis.*}: an event said on one node reaches a room member on the other. Runs on the
 * Lettuce that Boot manages (this module's tests pin it as Boot does).
 */
@Timeout(60)
class RedisBackplaneTest {

  @Test
  void aRoomEventCrossesNodesThroughRedis() throws Exception {
    try (RedisServer redis = RedisServer.start();
        ConfigurableApplicationContext one = node(redis);
        ConfigurableApplicationContext two = node(redis)) {
      BlockingQueue<RoomEvents.Said> said = new LinkedBlockingQueue<>();
      try (ZocketClient alice = client(one, b -> b.on(RoomEvents.class, said::add));
          ZocketClient bob = client(two, b -> b)) {
        alice.proxy(Rooms.class).join(new Rooms.Join("lobby"));
        awaitSubscribers(redis, "zocket:room:lobby", 1);
        String bobId = bob.proxy(Greeter.class).greet(new Greeter.Greet("Bob")).clientId();

        bob.proxy(Rooms.class).say(new Rooms.Say("lobby", "across"));

        assertThat(Await.next("rooms.onSaid from the other node", said))
            .isEqualTo(new RoomEvents.Said("lobby", "across", bobId));
        assertThat(io.lettuce.core.LettuceVersion.getVersion()).startsWith("6.8.");
      }
    }
  }

  private static ConfigurableApplicationContext node(RedisServer redis) {
    return new SpringApplicationBuilder(SampleApp.class)
        .properties(
            "zocket.server.host=127.0.0.1",
            "zocket.server.port=0",
            "zocket.redis.enabled=true",
            "spring.data.redis.host=127.0.0.1",
            "spring.data.redis.port=" + redis.port())
        .run();
  }

  private static ZocketClient client(
      ConfigurableApplicationContext context,
      java.util.function.UnaryOperator<ZocketClient.Builder> configure) {
    return configure
        .apply(ZocketClient.builder(context.getBean(ZocketServerLifecycle.class).server().uri()))
        .connect();
  }

  private static void awaitSubscribers(RedisServer redis, String channel, long expected) {
    RedisClient admin = RedisClient.create(redis.uri());
    try (StatefulRedisConnection<String, String> c = admin.connect()) {
      Await.until(
          channel + " has " + expected + " subscriber(s)",
          () -> c.sync().pubsubNumsub(channel).getOrDefault(channel, 0L) == expected);
    } finally {
      admin.shutdown();
    }
  }
}
