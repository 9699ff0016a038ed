package dev.zocket.bench.faults;

import dev.zocket.bench.faults.FaultClients.Member;
import dev.zocket.testsupport.CuttingProxy;
import dev.zocket.testsupport.RedisCluster;
import dev.zocket.testsupport.RedisServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The Redis side of a fault run: one {@code redis-server} or a Redis Cluster, started and closed,
 * with what the {@code cut} fault needs (a {@link CuttingProxy} before the single Redis, or a user
 * of node 1's own on every cluster node), and the injection of each fault (see {@link
 * FaultDriver}). Used from the driver's thread only.
 */
final class Faults {
  private static final String CUT_NODE_NOTE = "node 1";
  private static final String CUT_USER = "faultnode1";

  private final FaultDriver.Config config;
  private final Consumer<String> log;
  private RedisServer redis;
  private RedisCluster redisCluster;
  private CuttingProxy redisProxy;
  private String uri;
  private String cutNodeUri;

  Faults(FaultDriver.Config config, Consumer<String> log) {
    this.config = config;
    this.log = log;
  }

  /**
   * Starts Redis (and, for the {@code cut} fault, what cuts node 1 from it).
   *
   * @throws Exception if Redis does not start
   */
  void start() throws Exception {
    log.accept(
        "Redis: starting "
            + (config.cluster() ? "a cluster (3 masters, 3 replicas)" : "one redis-server"));
    if (config.cluster()) {
      redisCluster = RedisCluster.start();
      uri = String.join(",", redisCluster.uris());
      if (config.fault().equals("cut")) {
        // One proxy cannot stand in front of a cluster (a client connects to each node's own
        // address): node 1 logs in as a user of its own, which the cut disables on every node.
        expectOk(
            redisCluster.onEveryNode(
                "ACL", "SETUSER", CUT_USER, "on", ">" + CUT_USER, "~*", "&*", "+@all"));
        cutNodeUri =
            redisCluster.uris().stream()
                .map(u -> u.replace("redis://", "redis://" + CUT_USER + ":" + CUT_USER + "@"))
                .collect(Collectors.joining(","));
      }
    } else {
      redis = RedisServer.start();
      uri = redis.uri();
      if (config.fault().equals("cut")) {
        redisProxy = CuttingProxy.start(redis.port());
        cutNodeUri = "redis://127.0.0.1:" + redisProxy.port();
      }
    }
  }

  /** The Redis URI of the nodes, comma-separated for a cluster. */
  String uri() {
    return uri;
  }

  /** The Redis URI of the node the {@code cut} fault cuts, or null: it uses {@link #uri()}. */
  String cutNodeUri() {
    return cutNodeUri;
  }

  /**
   * Injects the fault and returns once it is healed; answers what was done.
   *
   * @param nodes the nodes' processes
   * @param clientProxies the proxy in front of each node, through which its clients connect
   * @param members every client (those of a killed node are marked moved)
   * @return what was done
   * @throws Exception if the fault cannot be injected
   */
  String inject(List<NodeProcess> nodes, List<CuttingProxy> clientProxies, List<Member> members)
      throws Exception {
    String channel = "zocket:room:r0";
    switch (config.fault()) {
      case "restart" -> {
        if (config.cluster()) {
          int port = redisCluster.masterOf(channel);
          log.accept(
              "fault: killing and restarting the master on port " + port + " (room 0's shard)");
          redisCluster.kill(port);
          redisCluster.restart(port);
          return "master of room 0's shard (port "
              + port
              + ") killed and restarted; master after: port "
              + redisCluster.masterOf(channel);
        }
        log.accept("fault: killing and restarting redis-server");
        redis.kill();
        redis.restart();
        return "redis-server killed and restarted";
      }
      case "failover" -> {
        int port = redisCluster.masterOf(channel);
        log.accept("fault: CLUSTER FAILOVER of the master on port " + port);
        int promoted = redisCluster.failover(port);
        return "CLUSTER FAILOVER: port " + promoted + " replaced " + port;
      }
      case "kill-master" -> {
        int port = redisCluster.masterOf(channel);
        log.accept("fault: killing (SIGKILL) the master on port " + port);
        redisCluster.kill(port);
        FaultDriver.await(
            "the cluster to promote a replica in place of port " + port,
            Duration.ofSeconds(60),
            () -> {
              try {
                return redisCluster.masterOf(channel) != port;
              } catch (RuntimeException e) {
                return false;
              }
            });
        redisCluster.awaitHealthy();
        return "master on port "
            + port
            + " killed; port "
            + redisCluster.masterOf(channel)
            + " promoted";
      }
      case "cut" -> {
        if (config.cluster()) {
          log.accept(
              "fault: cutting node 1 from every Redis node for " + config.cut().toMillis() + " ms");
          expectOk(redisCluster.onEveryNode("ACL", "SETUSER", CUT_USER, "off"));
          List<String> closed = redisCluster.onEveryNode("CLIENT", "KILL", "USER", CUT_USER);
          Thread.sleep(config.cut().toMillis());
          expectOk(redisCluster.onEveryNode("ACL", "SETUSER", CUT_USER, "on"));
          return "node 1 cut from every Redis node (its user disabled, its "
              + closed.stream().mapToInt(Faults::count).sum()
              + " connections closed) for "
              + config.cut().toMillis()
              + " ms";
        }
        log.accept(
            "fault: cutting "
                + CUT_NODE_NOTE
                + " from Redis for "
                + config.cut().toMillis()
                + " ms");
        redisProxy.target(deadPort());
        int cut = redisProxy.cut();
        Thread.sleep(config.cut().toMillis());
        redisProxy.target(redis.port());
        return CUT_NODE_NOTE
            + " cut from Redis ("
            + cut
            + " connections reset, new ones refused) for "
            + config.cut().toMillis()
            + " ms";
      }
      case "kill" -> {
        NodeProcess victim = nodes.get(2);
        clientProxies.get(2).target(nodes.get(0).port);
        log.accept("fault: killing node 2 (SIGKILL, pid " + victim.process.pid() + ")");
        victim.kill9();
        for (Member m : members) {
          if (m.homeNode == 2) {
            m.moved = true;
          }
        }
        return "node 2 killed (SIGKILL); its clients reconnect to node 0";
      }
      default -> throw new IllegalStateException(config.fault());
    }
  }

  private static void expectOk(List<String> replies) {
    for (String reply : replies) {
      if (!"OK".equals(reply)) {
        throw new IllegalStateException("a Redis node answered " + reply);
      }
    }
  }

  /** An integer reply, 0 for anything else. */
  private static int count(String reply) {
    try {
      return Integer.parseInt(reply);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** A port of 127.0.0.1 on which nothing listens (connections to it are refused). */
  private static int deadPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Stops the proxy before Redis and Redis. */
  void close() {
    if (redisProxy != null) {
      redisProxy.close();
    }
    try {
      if (redis != null) {
        redis.close();
      }
      if (redisCluster != null) {
        redisCluster.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
