package dev.zocket.redis;

import dev.zocket.test.Await;
import dev.zocket.testsupport.RedisCluster;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.cluster.pubsub.RedisClusterPubSubAdapter;
import io.lettuce.core.cluster.pubsub.StatefulRedisClusterPubSubConnection;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;

class ClusterSpikeTest {
  @Test
  void shardedPubSub() throws Exception {
    try (RedisCluster cluster = RedisCluster.start()) {
      RedisClusterClient client =
          RedisClusterClient.create(cluster.uris().stream().map(RedisURI::create).toList());
      client.setOptions(
          io.lettuce.core.cluster.ClusterClientOptions.builder()
              .topologyRefreshOptions(
                  io.lettuce.core.cluster.ClusterTopologyRefreshOptions.builder()
                      .enableAllAdaptiveRefreshTriggers()
                      .build())
              .build());
      try {
        StatefulRedisClusterPubSubConnection<String, String> sub = client.connectPubSub();
        LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
        LinkedBlockingQueue<String> resub = new LinkedBlockingQueue<>();
        sub.addListener(
            new RedisClusterPubSubAdapter<>() {
              @Override
              public void sunsubscribed(RedisClusterNode node, String channel, long count) {
                System.err.println("SUNSUB " + channel + " from " + node.getUri());
                resub.add(channel);
              }

              @Override
              public void smessage(RedisClusterNode node, String channel, String message) {
                got.add(channel + "=" + message);
              }
            });
        for (String ch :
            List.of("zocket:room:a", "zocket:room:b", "zocket:room:c", "zocket:room:d")) {
          sub.sync().ssubscribe(ch);
        }
        StatefulRedisClusterConnection<String, String> pub = client.connect();
        for (String ch :
            List.of("zocket:room:a", "zocket:room:b", "zocket:room:c", "zocket:room:d")) {
          pub.sync().spublish(ch, "hi");
        }
        for (int i = 0; i < 4; i++) {
          System.err.println("GOT " + Await.next("message", got) + " master ");
        }
        int m = cluster.masterOf("zocket:room:a");
        int n = cluster.failover(m);
        System.err.println("failover " + m + " -> " + n);
        String ch = Await.next("sunsubscribed", resub);
        client.refreshPartitions();
        sub.sync().ssubscribe(ch);
        System.err.println("resubscribed " + ch);
        pub.sync().spublish("zocket:room:a", "after");
        System.err.println("GOT " + Await.next("message after failover", got));
      } finally {
        client.shutdown();
      }
    }
  }
}
