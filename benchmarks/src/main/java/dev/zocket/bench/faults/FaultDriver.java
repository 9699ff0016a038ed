package dev.zocket.bench.faults;

import dev.zocket.bench.faults.FaultClients.Member;
import dev.zocket.bench.faults.FaultClients.Sender;
import dev.zocket.client.ReconnectPolicy;
import dev.zocket.client.ZocketClient;
import dev.zocket.testsupport.CuttingProxy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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
 *
 * <p>The Redis side and the faults are in {@link Faults}, the nodes' processes in {@link
 * NodeProcess}, the clients in {@link FaultClients}, the count in {@link Tally}. A run happens on
 * the caller's thread, the senders on one thread of their own, each client's callbacks on its
 * callback thread.
 */
public final class FaultDriver {
  private static final ObjectMapper JSON = JsonMapper.builder().build();
  static final int NODES = 3;

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

  private Faults faults;
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
    faults = new Faults(config, this::log);
    faults.start();
    String uri = faults.uri();
    String cutNodeUri = faults.cutNodeUri();
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
      members.add(new Member(i, node, room, config.recovery(), () -> healedAt));
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
    String what = faults.inject(nodes, clientProxies, members);
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
    Map<String, Object> result =
        Tally.analyse(config, members, senders, what, faultAt, healedAt, counters);
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
    if (faults != null) {
      faults.close();
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

  /** Waits until {@code done}, or throws once {@code max} has passed. */
  static void await(String what, Duration max, BooleanSupplier done) throws InterruptedException {
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

  /** Nanoseconds as whole milliseconds. */
  static long millis(long nanos) {
    return Math.round(nanos / 1e6);
  }
}
