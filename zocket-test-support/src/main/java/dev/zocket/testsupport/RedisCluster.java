package dev.zocket.testsupport;

import dev.zocket.test.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Redis Cluster on 127.0.0.1: three masters and three replicas, six {@code redis-server}
 * processes started with {@code --cluster-enabled yes} and joined with {@code redis-cli --cluster
 * create}, without persistence, their logs in a temporary folder. For the tests and the fault
 * scripts of the cluster backplane.
 *
 * <p>Without {@code redis-server} and {@code redis-cli} on the PATH the calling test is skipped on
 * a developer's machine and fails under CI ({@code CI=true}), as {@link RedisServer} does.
 */
public final class RedisCluster implements AutoCloseable {
  private static final int NODES = 6;

  /** A node's cluster bus listens on its port plus this, as Redis sets it by default. */
  private static final int BUS_OFFSET = 10_000;

  private final Path dir;
  private final int[] ports;
  private final Process[] processes = new Process[NODES];

  private RedisCluster(Path dir, int[] ports) {
    this.dir = dir;
    this.ports = ports;
  }

  /**
   * Starts six servers, creates the cluster (one replica per master), and waits until every node
   * reports {@code cluster_state:ok} and knows all six.
   *
   * @return the running cluster; close it
   * @throws IOException if a process cannot be started
   * @throws InterruptedException if interrupted while waiting
   */
  public static RedisCluster start() throws IOException, InterruptedException {
    for (String program : List.of("redis-server", "redis-cli")) {
      if (!RedisServer.onPath(program)) {
        String why = "needs " + program + " on the PATH (apt-get install redis-server)";
        if ("true".equals(System.getenv("CI"))) {
          throw new IllegalStateException(why);
        }
        Assumptions.abort(why);
      }
    }
    RedisCluster cluster =
        new RedisCluster(
            Files.createTempDirectory("zocket-redis-cluster"), Ports.free(NODES, BUS_OFFSET));
    try {
      for (int i = 0; i < NODES; i++) {
        cluster.startNode(i);
      }
      cluster.create();
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private void startNode(int i) throws IOException, InterruptedException {
    Path nodeDir = Files.createDirectories(dir.resolve("node" + i));
    processes[i] =
        new ProcessBuilder(
                List.of(
                    "redis-server",
                    "--port",
                    Integer.toString(ports[i]),
                    "--bind",
                    "127.0.0.1",
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                    "--cluster-node-timeout",
                    "2000",
                    "--repl-diskless-sync-delay",
                    "0",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    nodeDir.toString()))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(nodeDir.resolve("redis.log").toFile()))
            .start();
    Process started = processes[i];
    int port = ports[i];
    Await.until(
        "redis-server to answer PING on port " + port,
        Duration.ofSeconds(15),
        () -> !started.isAlive() || "PONG".equals(Resp.command(port, "PING")));
    if (!started.isAlive()) {
      throw new IllegalStateException(
          "redis-server exited with " + started.exitValue() + ": " + log(i));
    }
  }

  private void create() throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    for (int port : ports) {
      args.add("127.0.0.1:" + port);
    }
    args.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
    Process create =
        new ProcessBuilder(args)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("create.log").toFile()))
            .start();
    if (!create.waitFor(60, TimeUnit.SECONDS)) {
      create.destroyForcibly();
      throw new IllegalStateException("redis-cli --cluster create did not finish in 60 s");
    }
    if (create.exitValue() != 0) {
      throw new IllegalStateException(
          "redis-cli --cluster create failed: " + Files.readString(dir.resolve("create.log")));
    }
    for (int port : ports) {
      awaitHealthy(port);
      // Which node replicates which reaches the others by gossip, after the slots do.
      Await.until(
          "three replicas known on port " + port,
          Duration.ofSeconds(30),
          () -> replicas(Resp.command(port, "CLUSTER", "NODES")) == NODES / 2);
    }
    // A replica that has not finished its first sync cannot be elected: a master killed before
    // then would never be replaced.
    for (int port : ports) {
      Await.until(
          "port " + port + " to be a master or a replica in sync",
          Duration.ofSeconds(30),
          () -> {
            String info = Resp.command(port, "INFO", "replication");
            return info != null
                && (info.contains("role:master") || info.contains("master_link_status:up"));
          });
    }
  }

  /** The number of replicas, each of a known master, in a {@code CLUSTER NODES} answer. */
  private static int replicas(String nodes) {
    if (nodes == null || nodes.startsWith("ERR")) {
      return -1;
    }
    int count = 0;
    for (String line : nodes.split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length > 3 && f[2].contains("slave") && !f[3].equals("-")) {
        count++;
      }
    }
    return count;
  }

  private static void awaitHealthy(int port) {
    Await.until(
        "cluster_state:ok and six known nodes on port " + port,
        Duration.ofSeconds(30),
        () -> {
          String info = Resp.command(port, "CLUSTER", "INFO");
          return info != null
              && info.contains("cluster_state:ok")
              && info.contains("cluster_known_nodes:" + NODES);
        });
  }

  /**
   * The URIs of all six nodes for Lettuce's cluster client ({@code redis://127.0.0.1:port}); any
   * one of them is enough for it to discover the others.
   *
   * @return six URIs, the masters' first as the cluster was created
   */
  public List<String> uris() {
    List<String> uris = new ArrayList<>();
    for (int port : ports) {
      uris.add("redis://127.0.0.1:" + port);
    }
    return uris;
  }

  /**
   * The port of the node that masters the slot of {@code key} now (after failovers too).
   *
   * @param key a key or channel name
   * @return the port of its master
   */
  public int masterOf(String key) {
    int s = slotOf(key);
    for (int port : ports) {
      if (alive(port)) {
        Integer master = masterInView(port, s);
        if (master != null) {
          return master;
        }
        break;
      }
    }
    throw new IllegalStateException("no master for slot " + s);
  }

  private int slotOf(String key) {
    String slot = null;
    for (int port : ports) {
      if (alive(port)) { // the first node may be the one killed
        slot = Resp.command(port, "CLUSTER", "KEYSLOT", key);
        break;
      }
    }
    if (slot == null) {
      throw new IllegalStateException("CLUSTER KEYSLOT failed");
    }
    return Integer.parseInt(slot.trim());
  }

  /** The port of the master of a slot as the node at {@code port} sees it, or null. */
  private static Integer masterInView(int port, int slot) {
    String nodes = Resp.command(port, "CLUSTER", "NODES");
    if (nodes == null) {
      return null;
    }
    for (String line : nodes.split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length < 9 || !f[2].contains("master") || f[2].contains("fail")) {
        continue;
      }
      for (int i = 8; i < f.length; i++) {
        String[] range = f[i].split("-");
        if (range[0].startsWith("[")) {
          continue;
        }
        int from = Integer.parseInt(range[0]);
        int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
        if (slot >= from && slot <= to) {
          return Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1, f[1].indexOf('@')));
        }
      }
    }
    return null;
  }

  /**
   * How many connections are subscribed to a sharded channel, over all live nodes: those of the
   * shard that owns its slot, masters and replicas alike.
   *
   * @param channel a channel name
   * @return the number of subscriptions to it
   */
  public long shardSubscribers(String channel) {
    long total = 0;
    for (int port : ports) {
      if (!alive(port)) {
        continue;
      }
      String reply = Resp.command(port, "PUBSUB", "SHARDNUMSUB", channel);
      if (reply != null && !reply.startsWith("ERR")) {
        String[] lines = reply.split("\n");
        total += Long.parseLong(lines[lines.length - 1].trim());
      }
    }
    return total;
  }

  /**
   * Promotes the replica of the master at {@code masterPort} with {@code CLUSTER FAILOVER} (a
   * coordinated failover without loss), and waits until the old master is a replica and every live
   * node reports {@code cluster_state:ok}.
   *
   * @param masterPort the port of a master
   * @return the port of the new master
   */
  public int failover(int masterPort) {
    String id = Resp.command(masterPort, "CLUSTER", "MYID");
    int replica = Await.value("a replica of port " + masterPort, () -> replicaOf(id));
    if (!"OK".equals(Resp.command(replica, "CLUSTER", "FAILOVER"))) {
      throw new IllegalStateException("CLUSTER FAILOVER refused on port " + replica);
    }
    Await.until(
        "port " + replica + " to be a master",
        Duration.ofSeconds(30),
        () -> {
          String role = Resp.command(replica, "ROLE");
          return role != null && role.startsWith("master");
        });
    for (int port : ports) {
      if (alive(port)) {
        awaitHealthy(port);
      }
    }
    return replica;
  }

  /**
   * Moves the slot of {@code key} from its master to another master, as a resharding does ({@code
   * CLUSTER SETSLOT ... IMPORTING}, {@code MIGRATING}, then {@code NODE} on every master), for a
   * slot without keys (pub/sub channels are not keys). The old master ends the sharded
   * subscriptions of the slot's channels as it lets go of it. Waits until every live node agrees.
   *
   * @param key a key or channel name whose slot holds no keys
   * @return the port of the slot's new master
   */
  public int moveSlotOf(String key) {
    int slot = slotOf(key);
    int from = masterOf(key);
    int to = -1;
    for (int port : ports) {
      String role = alive(port) ? Resp.command(port, "ROLE") : null;
      if (port != from && role != null && role.startsWith("master")) {
        to = port;
        break;
      }
    }
    if (to < 0) {
      throw new IllegalStateException("no other master to move slot " + slot + " to");
    }
    String fromId = Resp.command(from, "CLUSTER", "MYID");
    String toId = Resp.command(to, "CLUSTER", "MYID");
    String n = Integer.toString(slot);
    expectOk(to, "CLUSTER", "SETSLOT", n, "IMPORTING", fromId);
    expectOk(from, "CLUSTER", "SETSLOT", n, "MIGRATING", toId);
    expectOk(to, "CLUSTER", "SETSLOT", n, "NODE", toId);
    expectOk(from, "CLUSTER", "SETSLOT", n, "NODE", toId);
    for (int port : ports) {
      String role = alive(port) ? Resp.command(port, "ROLE") : null;
      if (port != from && port != to && role != null && role.startsWith("master")) {
        expectOk(port, "CLUSTER", "SETSLOT", n, "NODE", toId);
      }
    }
    int target = to;
    Await.until(
        "every node to see slot " + slot + " on port " + to,
        Duration.ofSeconds(30),
        () -> {
          for (int port : ports) {
            if (alive(port) && !Integer.valueOf(target).equals(masterInView(port, slot))) {
              return false;
            }
          }
          return true;
        });
    for (int port : ports) {
      if (alive(port)) {
        awaitHealthy(port);
      }
    }
    return to;
  }

  private static void expectOk(int port, String... args) {
    String answer = Resp.command(port, args);
    if (!"OK".equals(answer)) {
      throw new IllegalStateException(String.join(" ", args) + " on port " + port + ": " + answer);
    }
  }

  /** The port of a live replica of the master with this id, as its own node sees it; or null. */
  private Integer replicaOf(String masterId) {
    String nodes = Resp.command(portOfId(masterId), "CLUSTER", "NODES");
    if (nodes == null) {
      return null;
    }
    for (String line : nodes.split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length > 3 && f[2].contains("slave") && f[3].equals(masterId)) {
        int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1, f[1].indexOf('@')));
        if (alive(port)) {
          return port;
        }
      }
    }
    return null;
  }

  /** The port of the live node with this id. */
  private int portOfId(String id) {
    for (int port : ports) {
      if (alive(port) && id.equals(Resp.command(port, "CLUSTER", "MYID"))) {
        return port;
      }
    }
    throw new IllegalStateException("no live node with id " + id);
  }

  private boolean alive(int port) {
    for (int i = 0; i < NODES; i++) {
      if (ports[i] == port) {
        return processes[i] != null && processes[i].isAlive();
      }
    }
    return false;
  }

  private String log(int i) {
    try {
      return Files.readString(dir.resolve("node" + i).resolve("redis.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /**
   * Kills the node at {@code port} at once (SIGKILL), as a crash would.
   *
   * @param port the port of one of the nodes
   * @throws InterruptedException if interrupted while waiting for it to die
   */
  public void kill(int port) throws InterruptedException {
    for (int i = 0; i < NODES; i++) {
      if (ports[i] == port) {
        processes[i].destroyForcibly();
        if (!processes[i].waitFor(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("redis-server did not die");
        }
        return;
      }
    }
    throw new IllegalArgumentException("no node on port " + port);
  }

  /**
   * Starts the node at {@code port} again after {@link #kill}, on the same port and with the
   * cluster configuration it saved (no data: there is no persistence), and waits until every live
   * node reports {@code cluster_state:ok}. A master that comes back before the cluster has failed
   * it over is a master again, empty; one that comes back later is a replica of the node promoted
   * in its place.
   *
   * @param port the port of a killed node
   * @throws IOException if the process cannot be started
   * @throws InterruptedException if interrupted while waiting
   */
  public void restart(int port) throws IOException, InterruptedException {
    for (int i = 0; i < NODES; i++) {
      if (ports[i] == port) {
        if (alive(port)) {
          throw new IllegalStateException("redis-server on port " + port + " is running");
        }
        startNode(i);
        awaitHealthy();
        return;
      }
    }
    throw new IllegalArgumentException("no node on port " + port);
  }

  /**
   * Waits until every live node reports {@code cluster_state:ok} and knows all six nodes (30 s at
   * most each).
   */
  public void awaitHealthy() {
    for (int port : ports) {
      if (alive(port)) {
        awaitHealthy(port);
      }
    }
  }

  /**
   * Sends one command to every live node, as a fault script does to change them all alike (an ACL
   * user, say: ACLs are not shared between the nodes of a cluster).
   *
   * @param args the command and its arguments
   * @return each live node's reply as text (an error as {@code "ERR ..."}), or null for a node that
   *     did not answer, in the order of {@link #uris()}
   */
  public List<String> onEveryNode(String... args) {
    List<String> replies = new ArrayList<>();
    for (int port : ports) {
      if (alive(port)) {
        replies.add(Resp.command(port, args));
      }
    }
    return replies;
  }

  /** Stops every node and removes the folder. */
  @Override
  public void close() throws InterruptedException {
    for (Process p : processes) {
      if (p != null && p.isAlive()) {
        p.destroy();
      }
    }
    for (Process p : processes) {
      if (p != null && !p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(RedisCluster::delete);
    } catch (IOException e) {
      // a leftover temporary folder is harmless
    }
  }

  private static void delete(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // a leftover temporary file is harmless
    }
  }
}
