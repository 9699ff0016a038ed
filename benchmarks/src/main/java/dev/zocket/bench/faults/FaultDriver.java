package dev.zocket.bench.faults;

import dev.zocket.bench.jmh.ChatContracts.ChatMessage;
import dev.zocket.bench.jmh.ChatContracts.Joined;
import dev.zocket.bench.jmh.ChatContracts.PostMessage;
import dev.zocket.bench.jmh.ChatContracts.RoomEvents;
import dev.zocket.bench.jmh.ChatContracts.RoomId;
import dev.zocket.bench.jmh.ChatContracts.Rooms;
import dev.zocket.client.ReconnectPolicy;
import dev.zocket.client.ZocketClient;
import dev.zocket.testsupport.CuttingProxy;
import dev.zocket.testsupport.RedisCluster;
import dev.zocket.testsupport.RedisServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The fault harness of issue #30: three {@link FaultNode} processes on a real Redis (one {@code
 * redis-server}, or a Redis Cluster of three masters and three replicas), chat clients spread
 * evenly over them in three rooms, three senders (one per room, on nodes 0, 1 and 2) posting
 * numbered messages at a steady rate; one fault injected under that traffic; then a marker per
 * sender, awaited at every client, and the count of what each client missed or got twice, set
 * against what the nodes reported lost.
 *
 * <p>Faults: {@code restart} (single: the Redis process is killed and started again; cluster: the
 * master of room 0's channel), {@code failover} (cluster: {@code CLUSTER FAILOVER} on that master's
 * replica), {@code kill-master} (cluster: that master killed with SIGKILL, its replica promoted by
 * the cluster), {@code cut} (node 1 cut from Redis for {@code --cut} seconds; single: its
 * connections to Redis go through a {@link CuttingProxy}, which resets them and refuses new ones;
 * cluster: it logs in as a user of its own, disabled on every Redis node meanwhile, its connections
 * closed), {@code kill} (node 2 killed with SIGKILL; its clients, which reach it through a proxy
 * each, reconnect to node 0).
 *
 * <p>Usage: {@code FaultDriver --redis single|cluster --fault F [--recovery] [--clients-per-node
 * 10] [--rate 200] [--warmup 3] [--cut 10] [--after 3]}. Logs each phase to stderr and prints one
 * JSON line of results to stdout. Only 127.0.0.1 is used; every wait is bounded.
 */
public final class FaultDriver {
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  private static final Pattern LISTENING = Pattern.compile("LISTENING (\\d+)");
  private static final int NODES = 3;
  private static final String CUT_NODE_NOTE = "node 1";
  private static final String CUT_USER = "faultnode1";

  private final Config config;
  private final long begin = System.nanoTime();

  private FaultDriver(Config config) {
    this.config = config;
  }

  /**
   * One run's settings.
   *
   * @param cluster a Redis Cluster rather than one Redis
   * @param fault restart, failover, kill-master, cut or kill
   * @param recovery whether the nodes recover sessions (the Redis store)
   * @param clientsPerNode clients on each node, at least 3
   * @param rate messages per second of each of the three senders
   * @param warmup steady traffic before the fault
   * @param cut how long the cut node is cut from Redis
   * @param after traffic after every client is served again
   * @param nodeJava the command that starts a node's JVM, up to its main class
   */
  public record Config(
      boolean cluster,
      String fault,
      boolean recovery,
      int clientsPerNode,
      int rate,
      Duration warmup,
      Duration cut,
      Duration after,
      List<String> nodeJava) {
    /** Checks the settings. */
    public Config {
      if (!List.of("restart", "failover", "kill-master", "cut", "kill").contains(fault)) {
        throw new IllegalArgumentException("Unknown fault: " + fault);
      }
      if (!cluster && (fault.equals("failover") || fault.equals("kill-master"))) {
        throw new IllegalArgumentException(fault + " needs --redis cluster");
      }
      if (clientsPerNode < 3 || rate < 1 || rate > 5_000) {
        throw new IllegalArgumentException("clientsPerNode >= 3 and rate in 1..5000");
      }
    }
  }

  /** Runs one fault and prints its JSON line; see the class documentation. */
  public static void main(String[] args) throws Exception {
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    boolean cluster = false;
    String fault = null;
    boolean recovery = false;
    int perNode = 10;
    int rate = 200;
    double warmup = 3;
    double cut = 10;
    double after = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--redis" -> cluster = parseRedis(args[++i]);
        case "--fault" -> fault = args[++i];
        case "--recovery" -> recovery = true;
        case "--clients-per-node" -> perNode = Integer.parseInt(args[++i]);
        case "--rate" -> rate = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Double.parseDouble(args[++i]);
        case "--cut" -> cut = Double.parseDouble(args[++i]);
        case "--after" -> after = Double.parseDouble(args[++i]);
        default -> throw new IllegalArgumentException("Unknown argument: " + args[i]);
      }
    }
    if (fault == null) {
      throw new IllegalArgumentException("--fault is required");
    }
    Config config =
        new Config(
            cluster,
            fault,
            recovery,
            perNode,
            rate,
            seconds(warmup),
            seconds(cut),
            seconds(after),
            defaultNodeJava());
    Map<String, Object> result = run(config);
    System.out.println(JSON.writeValueAsString(result));
    System.exit(0); // the clients' and proxies' threads are daemons, but be sure
  }

  private static boolean parseRedis(String value) {
    return switch (value) {
      case "single" -> false;
      case "cluster" -> true;
      default -> throw new IllegalArgumentException("--redis single|cluster: " + value);
    };
  }

  private static Duration seconds(double s) {
    return Duration.ofMillis(Math.round(s * 1000));
  }

  /**
   * The command that starts a node: this JVM's {@code java}, this process's class path, a small
   * heap, and the node's main class.
   *
   * @return the command, to which the node's arguments are appended
   */
  public static List<String> defaultNodeJava() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return List.of(
        java,
        "-Xms64m",
        "-Xmx256m",
        "-XX:+UseSerialGC",
        "-XX:TieredStopAtLevel=1",
        "-Dio.netty.leakDetection.level=disabled",
        "-Dorg.slf4j.simpleLogger.showDateTime=true",
        "-Dorg.slf4j.simpleLogger.log.io.lettuce=warn",
        "-Dorg.slf4j.simpleLogger.log.io.netty=warn",
        "-cp",
        System.getProperty("java.class.path"),
        FaultNode.class.getName());
  }

  /**
   * Runs one fault end to end and answers its results (the JSON line's fields).
   *
   * @param config the run's settings
   * @return the results
   * @throws Exception if the setup fails
   */
  public static Map<String, Object> run(Config config) throws Exception {
    return new FaultDriver(config).go();
  }

  // ---------------------------------------------------------------------------------------------

  private RedisServer redis;
  private RedisCluster redisCluster;
  private CuttingProxy redisProxy;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final List<CuttingProxy> clientProxies = new ArrayList<>();
  private final List<Member> members = new ArrayList<>();
  private final List<Sender> senders = new ArrayList<>();
  private final List<ZocketClient> probes = new ArrayList<>();
  private ScheduledExecutorService ticker;
  private Path logDir;
  private volatile long healedAt = Long.MAX_VALUE;

  private Map<String, Object> go() throws Exception {
    logDir = Files.createTempDirectory("zocket-faults");
    boolean clean = false;
    try {
      Map<String, Object> result = measure();
      clean =
          ((List<?>) result.get("unserved")).isEmpty()
              && ((List<?>) result.get("noMarker")).isEmpty();
      return result;
    } finally {
      close(clean);
    }
  }

  private Map<String, Object> measure() throws Exception {
    log(
        "Redis: starting "
            + (config.cluster() ? "a cluster (3 masters, 3 replicas)" : "one redis-server"));
    String uri;
    String cutNodeUri = null;
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
                .collect(java.util.stream.Collectors.joining(","));
      }
    } else {
      redis = RedisServer.start();
      uri = redis.uri();
      if (config.fault().equals("cut")) {
        redisProxy = CuttingProxy.start(redis.port());
        cutNodeUri = "redis://127.0.0.1:" + redisProxy.port();
      }
    }
    log("nodes: starting " + NODES + " FaultNode processes (logs in " + logDir + ")");
    for (int i = 0; i < NODES; i++) {
      String nodeUri = i == 1 && cutNodeUri != null ? cutNodeUri : uri;
      nodes.add(NodeProcess.start(i, nodeUri, config, logDir));
    }
    for (NodeProcess node : nodes) {
      node.awaitListening();
      clientProxies.add(CuttingProxy.start(node.port));
    }
    log("nodes: listening on " + nodes.stream().map(n -> n.port).toList());

    int total = NODES * config.clientsPerNode();
    for (int i = 0; i < total; i++) {
      int node = i % NODES;
      int room = (i / NODES) % NODES;
      members.add(new Member(i, node, room, config.recovery()));
    }
    log("clients: connecting " + total + " (" + config.clientsPerNode() + " per node, 3 rooms)");
    for (Member m : members) {
      m.connect(clientProxies.get(m.homeNode).wsUri());
    }
    for (int k = 0; k < NODES; k++) {
      Member m = members.get(NODES * k + k); // on node k, in room k
      senders.add(new Sender(k, m));
    }
    ticker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "fault-senders");
              t.setDaemon(true);
              return t;
            });
    long period = 1_000_000_000L / config.rate();
    List<ScheduledFuture<?>> ticks = new ArrayList<>();
    for (Sender s : senders) {
      ticks.add(ticker.scheduleAtFixedRate(s::tick, 0, period, TimeUnit.NANOSECONDS));
    }
    await(
        "every client to receive its room's messages",
        Duration.ofSeconds(60),
        () -> members.stream().allMatch(Member::receiving));
    for (Sender s : senders) {
      s.startCounting();
    }
    log("traffic: steady, " + NODES + " senders at " + config.rate() + " msg/s; warming up");
    Thread.sleep(config.warmup().toMillis());

    long faultAt = System.nanoTime();
    String what = inject();
    healedAt = System.nanoTime();
    log("fault: " + what + "; healed after " + millis(healedAt - faultAt) + " ms");
    boolean served =
        within(Duration.ofSeconds(30), () -> members.stream().allMatch(m -> m.servedAt() > 0));
    List<String> unserved = notYet(m -> m.servedAt() > 0);
    if (served) {
      log("fault: every client served again; traffic goes on " + config.after().toSeconds() + " s");
    } else {
      log("fault: NOT SERVED AGAIN within 30 s of the heal: " + unserved);
    }
    Thread.sleep(config.after().toMillis());
    for (ScheduledFuture<?> t : ticks) {
      t.cancel(false);
    }
    ticker.shutdown();
    if (!ticker.awaitTermination(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("the senders did not stop");
    }
    log("markers: one per sender, repeated until every client has its room's");
    long until = System.nanoTime() + Duration.ofSeconds(served ? 60 : 10).toNanos();
    while (!members.stream().allMatch(Member::markerSeen) && System.nanoTime() < until) {
      for (Sender s : senders) {
        s.marker();
      }
      Thread.sleep(200);
    }
    List<String> noMarker = notYet(Member::markerSeen);
    if (!noMarker.isEmpty()) {
      log("markers: NOT RECEIVED by " + noMarker);
    }
    log("counters: reading the live nodes' observers");
    List<FaultNode.Counters> counters = new ArrayList<>();
    for (NodeProcess node : nodes) {
      counters.add(node.alive() ? probe(node) : null);
    }
    Map<String, Object> result = analyse(what, faultAt, counters);
    result.put("unserved", unserved);
    result.put("noMarker", noMarker);
    log(
        "result: lost "
            + result.get("lost")
            + ", reported "
            + result.get("reported")
            + ", duplicates "
            + result.get("duplicates")
            + ", all served again after "
            + result.get("servedAgainMaxMs")
            + " ms");
    return result;
  }

  /** Injects the fault and returns once it is healed; answers what was done. */
  private String inject() throws Exception {
    String channel = "zocket:room:r0";
    switch (config.fault()) {
      case "restart" -> {
        if (config.cluster()) {
          int port = redisCluster.masterOf(channel);
          log("fault: killing and restarting the master on port " + port + " (room 0's shard)");
          redisCluster.kill(port);
          redisCluster.restart(port);
          return "master of room 0's shard (port "
              + port
              + ") killed and restarted; master after: port "
              + redisCluster.masterOf(channel);
        }
        log("fault: killing and restarting redis-server");
        redis.kill();
        redis.restart();
        return "redis-server killed and restarted";
      }
      case "failover" -> {
        int port = redisCluster.masterOf(channel);
        log("fault: CLUSTER FAILOVER of the master on port " + port);
        int promoted = redisCluster.failover(port);
        return "CLUSTER FAILOVER: port " + promoted + " replaced " + port;
      }
      case "kill-master" -> {
        int port = redisCluster.masterOf(channel);
        log("fault: killing (SIGKILL) the master on port " + port);
        redisCluster.kill(port);
        await(
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
          log("fault: cutting node 1 from every Redis node for " + config.cut().toMillis() + " ms");
          expectOk(redisCluster.onEveryNode("ACL", "SETUSER", CUT_USER, "off"));
          List<String> closed = redisCluster.onEveryNode("CLIENT", "KILL", "USER", CUT_USER);
          Thread.sleep(config.cut().toMillis());
          expectOk(redisCluster.onEveryNode("ACL", "SETUSER", CUT_USER, "on"));
          return "node 1 cut from every Redis node (its user disabled, its "
              + closed.stream().mapToInt(FaultDriver::count).sum()
              + " connections closed) for "
              + config.cut().toMillis()
              + " ms";
        }
        log(
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
        log("fault: killing node 2 (SIGKILL, pid " + victim.process.pid() + ")");
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

  private FaultNode.Counters probe(NodeProcess node) {
    ZocketClient client =
        ZocketClient.builder(java.net.URI.create("ws://127.0.0.1:" + node.port + "/"))
            .header("user-name", "probe")
            .reconnect(ReconnectPolicy.disabled())
            .recovery(false)
            .connect();
    probes.add(client);
    return client.proxy(FaultNode.Probe.class).counters();
  }

  /** The numbers of one run; see docs/faults.md for what each means. */
  private Map<String, Object> analyse(
      String what, long faultAt, List<FaultNode.Counters> counters) {
    // What each room's clients could have received: the counted messages at least one client got.
    // Those only clients of a killed node got (before it died, or replayed after) are apart: that
    // node took them with it, and no later event of its own can reveal the gap to the others.
    List<BitSet> delivered = new ArrayList<>();
    long sent = 0;
    long neverDelivered = 0;
    long diedWithNode = 0;
    for (Sender s : senders) {
      BitSet any = new BitSet();
      BitSet stable = new BitSet();
      for (Member m : members) {
        if (m.room == s.room) {
          any.or(m.gotCounted(s.from));
          if (!m.moved) {
            stable.or(m.gotCounted(s.from));
          }
        }
      }
      BitSet onlyMoved = (BitSet) any.clone();
      onlyMoved.andNot(stable);
      diedWithNode += onlyMoved.cardinality();
      delivered.add(stable);
      BitSet sentSet = s.sentCounted();
      sent += sentSet.cardinality();
      BitSet never = (BitSet) sentSet.clone();
      never.andNot(any);
      neverDelivered += never.cardinality();
    }
    long clientMissing = 0;
    long movedMissing = 0;
    long duplicates = 0;
    long replayed = 0;
    int resumed = 0;
    int fresh = 0;
    List<Long> served = new ArrayList<>();
    for (Member m : members) {
      BitSet missing = (BitSet) delivered.get(m.room).clone();
      missing.andNot(m.gotCounted(senders.get(m.room).from));
      if (m.moved) {
        movedMissing += missing.cardinality();
      } else {
        clientMissing += missing.cardinality();
      }
      duplicates += m.duplicates();
      replayed += m.replayed();
      resumed += m.resumed();
      fresh += m.fresh();
      if (m.servedAt() > 0) {
        served.add(millis(m.servedAt() - faultAt));
      }
    }
    // A node lost an event when none of its clients (that stayed on it) got it.
    List<Map<String, Object>> perNode = new ArrayList<>();
    long lost = 0;
    long reported = 0;
    boolean match = true;
    long partial = 0;
    for (int n = 0; n < NODES; n++) {
      FaultNode.Counters c = counters.get(n);
      long nodeLost = 0;
      long nodeDuplicates = 0;
      for (Member m : members) {
        if (m.homeNode == n && !m.moved) {
          nodeDuplicates += m.duplicates();
        }
      }
      for (Sender s : senders) {
        BitSet union = new BitSet();
        long membersHere = 0;
        long missedHere = 0;
        for (Member m : members) {
          if (m.room == s.room && m.homeNode == n && !m.moved) {
            BitSet got = m.gotCounted(s.from);
            union.or(got);
            membersHere++;
            BitSet miss = (BitSet) delivered.get(s.room).clone();
            miss.andNot(got);
            missedHere += miss.cardinality();
          }
        }
        if (membersHere == 0) {
          continue;
        }
        BitSet nodeMissed = (BitSet) delivered.get(s.room).clone();
        nodeMissed.andNot(union);
        nodeLost += nodeMissed.cardinality();
        partial += missedHere - membersHere * nodeMissed.cardinality();
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("node", n);
      if (c == null) {
        row.put("killed", true);
      } else {
        row.put("lost", nodeLost);
        row.put("reported", c.lost());
        row.put("reportedFrom", c.lostFrom());
        row.put("duplicates", nodeDuplicates);
        row.put("outages", c.outages());
        row.put("recoveries", c.recoveries());
        row.put("dropped", c.dropped());
        lost += nodeLost;
        reported += c.lost();
        match &= nodeLost == c.lost();
      }
      perNode.add(row);
    }
    served.sort(null);
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("redis", config.cluster() ? "cluster" : "single");
    r.put("fault", config.fault());
    r.put("recovery", config.recovery());
    r.put("what", what);
    r.put("clients", members.size());
    r.put("rate", config.rate() * NODES);
    r.put("faultMs", millis(healedAt - faultAt));
    r.put("sent", sent);
    r.put("sendsRefused", senders.stream().mapToLong(Sender::refused).sum());
    r.put("neverDelivered", neverDelivered);
    r.put("diedWithNode", diedWithNode);
    r.put("lost", lost);
    r.put("reported", reported);
    r.put("lostMatchesReported", match);
    r.put("clientMissing", clientMissing);
    r.put("partialMissing", partial);
    r.put("movedClients", members.stream().filter(m -> m.moved).count());
    r.put("movedMissing", movedMissing);
    r.put("duplicates", duplicates);
    r.put("resumed", resumed);
    r.put("fresh", fresh);
    r.put("replayed", replayed);
    r.put("servedAgainMedianMs", served.isEmpty() ? null : served.get(served.size() / 2));
    r.put(
        "servedAgainMaxMs", served.size() < members.size() ? null : served.get(served.size() - 1));
    r.put("nodes", perNode);
    Map<String, Long> servedBy = new LinkedHashMap<>();
    for (Member m : members) {
      servedBy.put(
          "c" + m.index + "@node" + m.homeNode + "/r" + m.room,
          m.servedAt() > 0 ? millis(m.servedAt() - faultAt) : null);
    }
    r.put("servedMsByClient", servedBy);
    return r;
  }

  private void close(boolean deleteLogs) {
    if (ticker != null) {
      ticker.shutdownNow();
    }
    for (ZocketClient c : probes) {
      c.close();
    }
    for (Member m : members) {
      m.close();
    }
    for (CuttingProxy p : clientProxies) {
      p.close();
    }
    for (NodeProcess n : nodes) {
      n.stop();
    }
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
    if (!deleteLogs) {
      log("not clean: the nodes' logs are kept in " + logDir);
      return;
    }
    try (var files = Files.walk(logDir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(FaultDriver::deleteQuietly);
    } catch (IOException e) {
      // a leftover temporary folder is harmless
    }
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      // a leftover temporary file is harmless
    }
  }

  private void await(String what, Duration max, BooleanSupplier done) throws InterruptedException {
    long until = System.nanoTime() + max.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > until) {
        throw new IllegalStateException(
            "Timed out after " + max.toSeconds() + " s waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  /** Waits until {@code done} or {@code max} has passed; answers whether it is done. */
  private static boolean within(Duration max, BooleanSupplier done) throws InterruptedException {
    long until = System.nanoTime() + max.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > until) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  /** The clients for which {@code done} is not true yet, as {@code c<index>@node<n>/r<room>}. */
  private List<String> notYet(java.util.function.Predicate<Member> done) {
    return members.stream()
        .filter(m -> !done.test(m))
        .map(m -> "c" + m.index + "@node" + m.homeNode + "/r" + m.room)
        .toList();
  }

  private void log(String message) {
    System.err.printf(
        Locale.ROOT, "[faults %6.1fs] %s%n", (System.nanoTime() - begin) / 1e9, message);
    System.err.flush();
  }

  private static long millis(long nanos) {
    return Math.round(nanos / 1e6);
  }

  // ---------------------------------------------------------------------------------------------

  /** A node's process: started with the node's main class, its output in a log file. */
  private static final class NodeProcess {
    final int index;
    final Process process;
    final Path log;
    int port;

    private NodeProcess(int index, Process process, Path log) {
      this.index = index;
      this.process = process;
      this.log = log;
    }

    static NodeProcess start(int index, String redisUri, Config config, Path dir)
        throws IOException {
      List<String> command = new ArrayList<>(config.nodeJava());
      command.addAll(List.of("--redis", redisUri, "--node-id", "node" + index, "--port", "0"));
      if (config.cluster()) {
        command.add("--cluster");
      }
      if (config.recovery()) {
        command.add("--recovery");
      }
      Path log = dir.resolve("node" + index + ".log");
      Process p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      return new NodeProcess(index, p, log);
    }

    void awaitListening() throws IOException, InterruptedException {
      long until = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (System.nanoTime() < until) {
        Matcher m = LISTENING.matcher(Files.readString(log));
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
          return;
        }
        if (!process.isAlive()) {
          throw new IllegalStateException("node " + index + " exited: " + Files.readString(log));
        }
        Thread.sleep(100);
      }
      throw new IllegalStateException("node " + index + " did not listen within 90 s");
    }

    boolean alive() {
      return process.isAlive();
    }

    void kill9() throws InterruptedException {
      process.destroyForcibly(); // SIGKILL
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("node " + index + " did not die");
      }
    }

    void stop() {
      if (process.isAlive()) {
        process.destroy();
        try {
          if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /**
   * One client: in one room, recording which numbered messages of the room's sender arrived, how
   * many twice, when the first one sent after the fault was healed arrived, and its reconnections.
   * Its fields are guarded by this; the client's callbacks run on its callback thread.
   */
  private final class Member implements RoomEvents {
    final int index;
    final int homeNode;
    final int room;
    final boolean recovery;
    volatile boolean moved;
    private ZocketClient client;
    private final BitSet got = new BitSet();
    private int duplicates;
    private long servedAt = -1;
    private boolean marker;
    private int opens;
    private int resumed;
    private int fresh;
    private long replayed;
    private long reopenedAt = -1;
    private boolean resumedNow;

    Member(int index, int homeNode, int room, boolean recovery) {
      this.index = index;
      this.homeNode = homeNode;
      this.room = room;
      this.recovery = recovery;
    }

    void connect(java.net.URI uri) {
      client =
          ZocketClient.builder(uri)
              .header("user-name", "c" + index)
              .on(RoomEvents.class, this)
              .reconnect(ReconnectPolicy.exponential(Duration.ofMillis(100), Duration.ofSeconds(1)))
              .recovery(recovery)
              .onOpen(this::opened)
              .connect();
    }

    private void opened(ZocketClient c) {
      synchronized (this) {
        opens++;
        if (opens > 1) {
          reopenedAt = System.nanoTime();
          resumedNow = c.recovered();
          if (c.recovered()) {
            resumed++;
          } else {
            fresh++;
          }
        }
      }
      if (!c.recovered()) {
        c.proxy(Rooms.class).join(new RoomId("r" + room));
      }
    }

    @Override
    public void onJoin(Joined event) {}

    @Override
    public void onMessage(ChatMessage message) {
      long now = System.nanoTime();
      String content = message.content();
      int colon = content.indexOf(':');
      if (colon < 0) {
        return;
      }
      long sentAt = Long.parseLong(content.substring(colon + 1));
      synchronized (this) {
        if (content.startsWith("M")) {
          marker = true;
          return;
        }
        int seq = Integer.parseInt(content.substring(0, colon));
        if (got.get(seq)) {
          duplicates++;
        } else {
          got.set(seq);
          if (resumedNow && sentAt < reopenedAt) {
            replayed++;
          }
        }
        if (servedAt < 0 && sentAt > healedAt) {
          servedAt = now;
        }
      }
    }

    synchronized boolean receiving() {
      return !got.isEmpty();
    }

    synchronized boolean markerSeen() {
      return marker;
    }

    synchronized long servedAt() {
      return servedAt;
    }

    synchronized BitSet gotCounted(int from) {
      BitSet b = (BitSet) got.clone();
      b.clear(0, from);
      return b;
    }

    synchronized int duplicates() {
      return duplicates;
    }

    synchronized long replayed() {
      return replayed;
    }

    synchronized int resumed() {
      return resumed;
    }

    synchronized int fresh() {
      return fresh;
    }

    void close() {
      if (client != null) {
        client.close();
      }
    }
  }

  /**
   * A member that posts numbered messages to its room at the configured rate. Guarded by this;
   * ticks run on the senders' thread, one at a time.
   */
  private static final class Sender {
    final int room;
    private final Member member;
    private final BitSet sent = new BitSet();
    private int next;
    private int failed;
    volatile int from = Integer.MAX_VALUE;

    Sender(int room, Member member) {
      this.room = room;
      this.member = member;
    }

    synchronized void tick() {
      int seq = next++;
      try {
        member
            .client
            .proxy(Rooms.class)
            .message(new PostMessage("r" + room, seq + ":" + System.nanoTime()));
        sent.set(seq);
      } catch (RuntimeException e) {
        failed++; // not connected: the message was never sent
      }
    }

    /** Sends refused because the sender was not connected (none of them counted as sent). */
    synchronized int refused() {
      return failed;
    }

    /** Counts from the next message on: every client receives the room's messages by now. */
    synchronized void startCounting() {
      from = next;
    }

    synchronized BitSet sentCounted() {
      BitSet b = (BitSet) sent.clone();
      b.clear(0, from);
      return b;
    }

    void marker() {
      try {
        member
            .client
            .proxy(Rooms.class)
            .message(new PostMessage("r" + room, "M:" + System.nanoTime()));
      } catch (RuntimeException e) {
        // not connected yet: the next round sends another
      }
    }
  }
}
