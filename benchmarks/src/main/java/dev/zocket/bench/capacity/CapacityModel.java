package dev.zocket.bench.capacity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The capacity model of {@code docs/capacity.md}: from connections, rooms, room size, messages per
 * second per room and event size, the server CPU, memory and network of the nodes and the CPU and
 * traffic of Redis, the number of nodes and Redis shards they need, and the first limit reached.
 * The constants are measured ({@code benchmarks/run-load.sh}, see each field); {@code --fit FILE}
 * derives the CPU constants from results files of that script (comma-separated, runs pooled),
 * {@code --check FILE[,FILE]} compares the model's CPU per message with every case of such files
 * (with the constants of the code, or with {@code --fit FILE2} those fitted from other files). The
 * fit needs paced runs ({@code run-load.sh --rate}): the model is for planned loads.
 *
 * <pre>
 * java -cp benchmarks.jar dev.zocket.bench.capacity.CapacityModel --connections 1000000 \
 *     --rooms 100000 --room-size 10 --rate 1 [--event-bytes 200] [--nodes N] [--placement random]
 *     [--cores-per-node 8] [--node-memory-gib 16] [--nic-gbps 10] [--headroom 0.7]
 * java -cp benchmarks.jar dev.zocket.bench.capacity.CapacityModel --check FILE [--fit FILE2]
 * java -cp benchmarks.jar dev.zocket.bench.capacity.CapacityModel --fit FILE
 * </pre>
 *
 * <p>The options are read and the results printed by {@code CapacityCli}. Not thread-safe; a
 * command-line tool.
 */
public final class CapacityModel {

  /**
   * What the server's CPU does per message, per delivery and per write system call, in nanoseconds;
   * the same for every room size (the room's size and rate decide how they add up).
   *
   * @param messageNs on the sender's node: the message read from the sender, handled, encoded once
   * @param publishNs with a backplane: the message published to Redis, and the copy Redis sends
   *     back to the publishing node read and dropped
   * @param receiveNs on every other node with members: the message read from Redis and decoded
   * @param deliveryNs per member: the frame queued for the connection and its bytes sent
   * @param writeNs per write system call: one connection's frames handed to the kernel in one
   *     {@code writev}, however many (the kernel's work per call, and the event loop's per call)
   */
  public record ServerCosts(
      double messageNs, double publishNs, double receiveNs, double deliveryNs, double writeNs) {}

  /**
   * What Redis spends: CPU while it runs, and CPU and bytes per message.
   *
   * @param baseCores CPU of a Redis with the nodes connected, whatever the traffic (its timers and
   *     the clients' upkeep; a share of a core)
   * @param inNs CPU per message published
   * @param outNs CPU per node the message is sent to
   * @param inBytes bytes Redis reads per message published (command, channel, envelope)
   * @param outBytes bytes Redis writes per message per node it is sent to
   * @param eventBytes bytes of the event's JSON in the runs measured (so that the model can add B −
   *     this)
   */
  public record RedisCosts(
      double baseCores,
      double inNs,
      double outNs,
      double inBytes,
      double outBytes,
      double eventBytes) {}

  /**
   * The constants of the model.
   *
   * @param server the nodes'
   * @param redis Redis's
   */
  public record Fit(ServerCosts server, RedisCosts redis) {}

  // ---------------------------------------------------------------- measured constants
  // benchmarks/results/capacity-2026-12-06-paced.jsonl: run-load.sh --server zocket --runs 3
  // --warmup 30 --duration 8, paced (--rate 1: 1,000 rooms of 10, every member sends; --rate 100:
  // a room of 500, 5 senders) on one node, x1, x2 and x3, and the room of 500 unpaced on one node
  // (its writes carry many frames: that separates the cost per delivery from the cost per write
  // call); servers and Redis on CPU 0, the driver on CPU 1; medians of 3. The fit uses the one-node
  // cases and the rooms' x1 and x2; the other cases are the check.

  /** The constants {@link #fit} gives for the file above. */
  static final Fit MEASURED =
      new Fit(
          new ServerCosts(62207, 107220, 52561, 77.2, 9555),
          new RedisCosts(0.0086, 25679, 2218, 231.1, 236.1, 133));

  /**
   * Resident memory per idle connection of {@code ZocketChatServer} joined to a room of 10 (RSS
   * difference over 5,000 connections divided by 5,000; BENCHMARKS.md, "Idle connections").
   */
  static final double RSS_PER_CONNECTION = 16_100;

  /**
   * A room membership shared with others, live heap ({@code RoomMemory --clients 1000 --rooms 100
   * --id-length 64 --shared}; SECURITY.md, "Measured costs").
   */
  static final double MEMBERSHIP_BYTES = 51;

  /**
   * A room on a node, without its id's characters (a room of its own with a 64-character id costs
   * 221 bytes in all: {@code RoomMemory --unique}; SECURITY.md), plus one byte per id character.
   */
  static final double ROOM_BYTES = 157;

  /** RSS of an empty {@code ZocketChatServer} JVM (-Xms1g heap committed, 1 I/O thread). */
  static final double NODE_BASE_BYTES = 300L << 20;

  /**
   * Assumed, not measured: the share of connections that hold a full outbound buffer at a time
   * (slow readers), each at the worst case of the default limits (64 KiB frame + 320 KiB above the
   * water mark = 384 KiB; SECURITY.md).
   */
  static final double SLOW_SHARE = 0.01;

  /** The worst-case buffered bytes of one connection at the default limits (SECURITY.md). */
  static final double SLOW_CONNECTION_BYTES = 384 << 10;

  /**
   * Bytes a delivery adds on the wire besides the event: one TCP/IP header (IPv4 20 + TCP 20 +
   * timestamps 12), counted once per delivery, as at chat rates a connection's frames rarely share
   * a segment.
   */
  static final double TCP_IP_BYTES = 52;

  // ---------------------------------------------------------------- inputs and budgets

  /** How the load balancer puts a room's members on nodes. */
  public enum Placement {
    /** Every connection on a node at random: a room of S reaches about min(N, S) nodes. */
    RANDOM,
    /** Spread evenly, as the load driver does: min(N, S) nodes. */
    EVEN,
    /** All members of a room on one node (routing by room): one node per room. */
    GROUPED
  }

  /**
   * The workload and the budgets.
   *
   * @param connections open connections (C)
   * @param rooms rooms with traffic (R)
   * @param roomSize members per room (S)
   * @param rate messages per second per room (M), each sent by one member
   * @param eventBytes bytes of an event's JSON as written to a member (B)
   * @param roomIdLength characters of a room id
   * @param nodes server nodes (N), or 0 for the fewest that fit
   * @param placement where members are
   * @param coresPerNode CPU cores of a node
   * @param nodeMemoryBytes memory a node may use
   * @param nicBitsPerS the network interface of a node and of a Redis shard
   * @param headroom the share of each budget to plan to use (0.7: 70 %)
   */
  public record Input(
      long connections,
      long rooms,
      int roomSize,
      double rate,
      int eventBytes,
      int roomIdLength,
      int nodes,
      Placement placement,
      int coresPerNode,
      double nodeMemoryBytes,
      double nicBitsPerS,
      double headroom) {}

  /**
   * One resource's need and how much of its budget that is.
   *
   * @param name the resource
   * @param need what is needed, in the unit
   * @param budget what the budget allows, in the same unit
   * @param unit the unit
   */
  public record Use(String name, double need, double budget, String unit) {
    /** need ÷ budget: above 1 the budget is exceeded. */
    public double share() {
      return need / budget;
    }
  }

  /**
   * The plan for an input.
   *
   * @param nodes server nodes
   * @param deliveriesPerS R·M·S
   * @param messagesPerS R·M
   * @param nodesPerMessage nodes Redis sends each message to (k)
   * @param serverCores CPU cores of all nodes together
   * @param redisCores Redis CPU cores (one per shard at most)
   * @param redisShards shards needed for the Redis CPU and network
   * @param redisBytesPerS bytes through Redis, in and out
   * @param uses per node (CPU, memory, network) and per Redis shard (CPU, network)
   * @param firstLimit the resource with the largest share
   */
  public record Plan(
      int nodes,
      double deliveriesPerS,
      double messagesPerS,
      double nodesPerMessage,
      double serverCores,
      double redisCores,
      int redisShards,
      double redisBytesPerS,
      List<Use> uses,
      Use firstLimit) {}

  private CapacityModel() {}

  // ---------------------------------------------------------------- the model

  /**
   * Frames a connection gets per write system call (b), on an event loop holding {@code members}
   * (L) of a room that gets {@code rate} (M) messages per second, spread in time. The loop writes a
   * connection's frames once per pass. One message alone keeps the loop busy for m + L · (d + w):
   * while that is shorter than the time between two messages (M · (m + L · (d + w)) ≤ 1), every
   * message has its own pass and b = 1: a write call per delivery. Past that the loop is never idle
   * for the room, and a pass takes the messages that arrived during the last one: b = M · (b · (m +
   * L · d) + L · w), so b = M · L · w ÷ (1 − M · (m + L · d)). A room whose messages the loop
   * cannot keep up with even so (M · (m + L · d) ≥ 1) is past the model: infinite b.
   */
  static double framesPerWrite(ServerCosts c, double rate, double members) {
    double alone = rate * (c.messageNs() + members * (c.deliveryNs() + c.writeNs())) / 1e9;
    if (alone <= 1) {
      return 1;
    }
    double busy = rate * (c.messageNs() + members * c.deliveryNs()) / 1e9;
    return busy >= 1 ? Double.POSITIVE_INFINITY : rate * members * c.writeNs() / 1e9 / (1 - busy);
  }

  /**
   * The nodes a message of a room of {@code s} reaches through Redis on {@code n} nodes: the
   * publishing node (Redis echoes to it) and every other node with a member.
   */
  static double nodesPerMessage(int n, int s, Placement placement) {
    if (n <= 1) {
      return 1;
    }
    return switch (placement) {
      case GROUPED -> 1;
      case EVEN -> Math.min(n, s);
      // The sender's node, plus each other node holding one of the S - 1 other members.
      case RANDOM -> 1 + (n - 1) * (1 - Math.pow(1 - 1.0 / n, s - 1));
    };
  }

  /**
   * Server CPU nanoseconds per published message, all nodes together: the message handled once;
   * with a backplane, published (and its echo dropped) and read by the {@code k - 1} other nodes;
   * then S deliveries and S / b write calls, b from {@link #framesPerWrite} for the members one
   * event loop holds ({@code loopsPerNode} loops per node, the room spread evenly over {@code k}
   * nodes).
   */
  static double serverNsPerMessage(
      ServerCosts c, int s, double rate, boolean backplane, double k, int loopsPerNode) {
    return serverNsPerMessage(
        c, s, backplane, k, framesPerWrite(c, rate, membersPerLoop(s, k, loopsPerNode)));
  }

  /** As above, with b given (a measured run's deliveries per write call). */
  static double serverNsPerMessage(
      ServerCosts c, int s, boolean backplane, double k, double framesPerWrite) {
    double once = c.messageNs() + (backplane ? c.publishNs() + (k - 1) * c.receiveNs() : 0);
    return once + s * (c.deliveryNs() + c.writeNs() / framesPerWrite);
  }

  /** Members of a room of {@code s} on one event loop: spread over k nodes, then their loops. */
  static double membersPerLoop(int s, double k, int loopsPerNode) {
    return Math.max(1, s / k / loopsPerNode);
  }

  /** Redis CPU cores for {@code messages} per second, each sent to {@code k} nodes. */
  static double redisCores(RedisCosts r, double messages, double k) {
    return r.baseCores() + messages * (r.inNs() + k * r.outNs()) / 1e9;
  }

  /** The plan at the input's node count, or at the fewest nodes that fit when it is 0. */
  public static Plan plan(Input in) {
    if (in.nodes() > 0) {
      return planAt(in, in.nodes());
    }
    Plan p = null;
    for (int n = 1; n <= 1_000_000; n = n < 16 ? n + 1 : (int) Math.ceil(n * 1.05)) {
      p = planAt(in, n);
      boolean fits = true;
      for (Use u : p.uses()) {
        if (u.name().startsWith("node") && u.share() > 1) {
          fits = false;
        }
      }
      if (fits) {
        return refine(in, n, p);
      }
    }
    return p;
  }

  /** After a geometric step, the fewest nodes between the last misfit and {@code n}. */
  private static Plan refine(Input in, int n, Plan fitting) {
    Plan best = fitting;
    for (int m = n - 1; m >= 1; m--) {
      Plan p = planAt(in, m);
      for (Use u : p.uses()) {
        if (u.name().startsWith("node") && u.share() > 1) {
          return best;
        }
      }
      best = p;
    }
    return best;
  }

  static Plan planAt(Input in, int n) {
    int s = in.roomSize();
    RedisCosts redis = MEASURED.redis();
    double messages = in.rooms() * in.rate();
    double deliveries = messages * s;
    double k = nodesPerMessage(n, s, in.placement());
    // One event loop per core (ZocketServer's ioThreads set to the cores).
    double serverCores =
        messages
            * serverNsPerMessage(MEASURED.server(), s, in.rate(), n > 1, k, in.coresPerNode())
            / 1e9;
    double redisCores = n > 1 ? redisCores(redis, messages, k) : 0;

    // Memory of one node: its connections, its memberships, the rooms it holds, slow readers'
    // buffers, and the JVM.
    double connectionsPerNode = in.connections() / (double) n;
    double membershipsPerNode = in.rooms() * (double) s / n;
    double roomsPerNode =
        n == 1 ? in.rooms() : in.rooms() * Math.min(1.0, nodesPerMessage(n, s, in.placement()) / n);
    double memory =
        NODE_BASE_BYTES
            + connectionsPerNode * (RSS_PER_CONNECTION + SLOW_SHARE * SLOW_CONNECTION_BYTES)
            + membershipsPerNode * MEMBERSHIP_BYTES
            + roomsPerNode * (ROOM_BYTES + in.roomIdLength());

    // Network out of one node: every delivery, its frame header and a TCP/IP header.
    double frame = in.eventBytes() + wsHeader(in.eventBytes()) + TCP_IP_BYTES;
    double nodeOutBits = deliveries / n * frame * 8;
    // Through Redis: each message in once, out to k nodes; the envelope's overhead as measured,
    // the event's bytes as given.
    double extra = in.eventBytes() - redis.eventBytes();
    double redisIn = messages * (redis.inBytes() + extra);
    double redisOut = messages * k * (redis.outBytes() + extra);
    double redisBytes = n > 1 ? redisIn + redisOut : 0;
    // A node also reads its share of Redis's output and writes its share of the input.
    nodeOutBits += n > 1 ? (redisIn / n) * 8 : 0;

    int shards =
        n > 1
            ? (int)
                Math.max(
                    1,
                    Math.max(
                        Math.ceil(redisCores / in.headroom()),
                        Math.ceil(redisBytes * 8 / (in.nicBitsPerS() * in.headroom()))))
            : 0;

    List<Use> uses = new ArrayList<>();
    uses.add(
        new Use("node CPU", serverCores / n, in.coresPerNode() * in.headroom(), "cores per node"));
    uses.add(new Use("node memory", memory, in.nodeMemoryBytes() * in.headroom(), "bytes"));
    uses.add(new Use("node network", nodeOutBits, in.nicBitsPerS() * in.headroom(), "bits/s out"));
    if (n > 1) {
      uses.add(new Use("Redis shard CPU (one Redis)", redisCores, in.headroom(), "cores"));
      uses.add(
          new Use(
              "Redis shard network (one Redis)",
              redisBytes * 8,
              in.nicBitsPerS() * in.headroom(),
              "bits/s in+out"));
    }
    Use first = Collections.max(uses, (x, y) -> Double.compare(x.share(), y.share()));
    return new Plan(
        n, deliveries, messages, k, serverCores, redisCores, shards, redisBytes, uses, first);
  }

  /** The WebSocket header of an unmasked server frame of {@code payload} bytes. */
  static int wsHeader(int payload) {
    return payload <= 125 ? 2 : payload <= 65_535 ? 4 : 10;
  }

  // ---------------------------------------------------------------- fit and check

  /**
   * One case of a results file: its room size, nodes, rate, and the medians of its runs.
   *
   * @param name the case (e.g. {@code roomsx3@1})
   * @param roomSize S
   * @param nodes N (1 without a backplane)
   * @param backplane whether the nodes shared a Redis (the {@code xN} cases)
   * @param rate messages per second per room of a paced run ({@code --rate}), 0 unpaced
   * @param runs runs measured
   * @param messagesPerS median messages published per second
   * @param serverNs median server CPU ns per message
   * @param serverMin smallest of the runs
   * @param serverMax largest of the runs
   * @param framesPerWrite median deliveries per write system call of the servers
   * @param sentShare median of messages sent ÷ messages asked for (paced; below 1: the servers did
   *     not keep up), NaN unpaced
   * @param redisNs median Redis CPU ns per message (NaN without a backplane)
   * @param redisInBytes median bytes Redis read per message
   * @param redisOutBytes median bytes Redis wrote per message, all receiving nodes together
   */
  public record Case(
      String name,
      int roomSize,
      int nodes,
      boolean backplane,
      double rate,
      int runs,
      double messagesPerS,
      double serverNs,
      double serverMin,
      double serverMax,
      double framesPerWrite,
      double sentShare,
      double redisNs,
      double redisInBytes,
      double redisOutBytes) {
    /** The case's scenario name without nodes and rate ({@code rooms}, {@code fanout500}). */
    String base() {
      Matcher m = NAME.matcher(name);
      return m.matches() ? m.group(1) : name;
    }
  }

  /** NAME, NAMExN, NAME@M, NAMExN@M: run-load.sh's case names. */
  private static final Pattern NAME = Pattern.compile("(.+?)(?:x(\\d+))?(?:@([0-9.]+))?");

  /**
   * Reads the cases of {@code run-load.sh --out} files (one JSON line per run), the runs of a case
   * pooled over the files.
   */
  public static Map<String, Case> cases(List<Path> files) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    Map<String, List<JsonNode>> byCase = new TreeMap<>();
    List<String> lines = new ArrayList<>();
    for (Path file : files) {
      lines.addAll(Files.readAllLines(file));
    }
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode row = mapper.readTree(line);
      JsonNode r = row.get("result");
      if (r == null || r.has("error") || !r.has("serverCpuS") || !r.has("windowSent")) {
        continue;
      }
      byCase.computeIfAbsent(row.get("case").asString(), c -> new ArrayList<>()).add(r);
    }
    Map<String, Case> out = new LinkedHashMap<>();
    for (var e : byCase.entrySet()) {
      List<JsonNode> runs = e.getValue();
      JsonNode params = runs.get(0).get("params");
      int s =
          "fanout".equals(runs.get(0).get("scenario").asString())
              ? params.get("clients").asInt()
              : params.get("roomSize").asInt();
      Matcher m = NAME.matcher(e.getKey());
      boolean backplane = m.matches() && m.group(2) != null;
      int nodes = backplane ? Integer.parseInt(m.group(2)) : 1;
      List<Double> server = new ArrayList<>();
      List<Double> messages = new ArrayList<>();
      List<Double> frames = new ArrayList<>();
      List<Double> sentShare = new ArrayList<>();
      List<Double> redis = new ArrayList<>();
      List<Double> in = new ArrayList<>();
      List<Double> out2 = new ArrayList<>();
      for (JsonNode r : runs) {
        double sent = r.get("windowSent").asDouble();
        server.add(r.get("serverCpuS").asDouble() * 1e9 / sent);
        messages.add(sent / r.get("durationS").asDouble());
        if (r.has("deliveriesPerWriteCall")) {
          frames.add(r.get("deliveriesPerWriteCall").asDouble());
        }
        if (r.has("targetPerS")) {
          sentShare.add(r.get("sentPerS").asDouble() / r.get("targetPerS").asDouble());
        }
        if (r.has("redisInfoCpuS")) {
          redis.add(r.get("redisInfoCpuS").asDouble() * 1e9 / sent);
        }
        if (r.has("redisInBytesPerMessage")) {
          in.add(r.get("redisInBytesPerMessage").asDouble());
          out2.add(r.get("redisOutBytesPerMessage").asDouble());
        }
      }
      out.put(
          e.getKey(),
          new Case(
              e.getKey(),
              s,
              nodes,
              backplane,
              params.has("rate") ? params.get("rate").asDouble() : 0,
              runs.size(),
              median(messages),
              median(server),
              Collections.min(server),
              Collections.max(server),
              median(frames),
              median(sentShare),
              median(redis),
              median(in),
              median(out2)));
    }
    return out;
  }

  static double median(List<Double> values) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Double> v = new ArrayList<>(values);
    Collections.sort(v);
    int n = v.size();
    return n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
  }

  /**
   * The constants from the calibration cases. With b the case's measured deliveries per write call,
   * a paced one-node case costs m + S · (d + w / b): the room of 500 and the rooms of 10 give one
   * equation in d and w (their difference) and, with them, m. The unpaced room of 500 gives the
   * other: its passes read many messages at once, so a message's own cost is shared by a batch of
   * them, and the case is taken as S · (d + w / b) alone. The rooms of 10 on x1 and x2 give publish
   * and receive (their cost above the one-node model, b from {@link #framesPerWrite}: the measured
   * b of a node with a backplane counts its writes to Redis too). They come from the small rooms
   * because there a message's own cost is a third of the whole; in a room of 500 it is within the
   * spread of the 500 deliveries. Redis: per k (x1, x2), its CPU per second at the two rates (both
   * shapes) gives the base and the cost per message c_k; out = c2 − c1 (0 if below), in = c1 − out,
   * the base their mean; bytes the mean of the x1 cases.
   *
   * @throws IllegalArgumentException if a calibration case is missing
   */
  static Fit fit(Map<String, Case> cases, double eventBytes) {
    Case rooms = find(cases, "rooms", 1, false, true);
    Case paced = find(cases, "fanout500", 1, false, true);
    Case burst = find(cases, "fanout500", 1, false, false);
    double sl = paced.roomSize();
    double ss = rooms.roomSize();
    // Paced, large − small: (SL − SS) · d + (SL / bL − SS / bS) · w; unpaced: SL · d + SL / bU · w.
    double a1 = sl - ss;
    double b1 = sl / paced.framesPerWrite() - ss / rooms.framesPerWrite();
    double y1 = paced.serverNs() - rooms.serverNs();
    double a2 = sl;
    double b2 = sl / burst.framesPerWrite();
    double y2 = burst.serverNs();
    double det = a1 * b2 - a2 * b1;
    double d = (y1 * b2 - y2 * b1) / det;
    double w = (a1 * y2 - a2 * y1) / det;
    double m = rooms.serverNs() - ss * (d + w / rooms.framesPerWrite());
    ServerCosts one = new ServerCosts(m, 0, 0, d, w);
    Case x1 = find(cases, "rooms", 1, true, true);
    Case x2 = find(cases, "rooms", 2, true, true);
    double publish = x1.serverNs() - oneNodePart(one, x1);
    // x2 above its one-node part is publish + one receive.
    double receive = x2.serverNs() - oneNodePart(one, x2) - publish;

    double[] base = new double[2];
    double[] perMessage = new double[2];
    for (int k = 1; k <= 2; k++) {
      Case a = find(cases, "rooms", k, true, true);
      Case b = find(cases, "fanout500", k, true, true);
      // Redis CPU per second = base + rate · c_k, at two message rates.
      double ya = a.redisNs() * a.messagesPerS() / 1e9;
      double yb = b.redisNs() * b.messagesPerS() / 1e9;
      perMessage[k - 1] = (ya - yb) / (a.messagesPerS() - b.messagesPerS()) * 1e9;
      base[k - 1] = ya - a.messagesPerS() * perMessage[k - 1] / 1e9;
    }
    double out = Math.max(0, perMessage[1] - perMessage[0]);
    Case f1 = find(cases, "fanout500", 1, true, true);
    RedisCosts redis =
        new RedisCosts(
            (base[0] + base[1]) / 2,
            perMessage[0] - out,
            out,
            (x1.redisInBytes() + f1.redisInBytes()) / 2,
            (x1.redisOutBytes() + f1.redisOutBytes()) / 2,
            eventBytes);
    return new Fit(new ServerCosts(m, publish, receive, d, w), redis);
  }

  /**
   * The one-node part of a paced case's cost on its nodes, b from the model: a node's measured
   * write calls include its writes to Redis, which belong to the publish and the receive.
   */
  private static double oneNodePart(ServerCosts one, Case c) {
    double k = nodesPerMessage(c.nodes(), c.roomSize(), Placement.EVEN);
    return serverNsPerMessage(one, c.roomSize(), c.rate(), false, k, 1);
  }

  private static Case find(
      Map<String, Case> cases, String base, int nodes, boolean backplane, boolean paced) {
    for (Case c : cases.values()) {
      if (c.base().equals(base)
          && c.nodes() == nodes
          && c.backplane() == backplane
          && (c.rate() > 0) == paced) {
        return c;
      }
    }
    throw new IllegalArgumentException(
        "the fit needs the case "
            + base
            + (backplane ? "x" + nodes : "")
            + (paced ? "@RATE" : " (unpaced)"));
  }

  /**
   * One line of the check: a case's measured CPU per message against the model's.
   *
   * @param name the case
   * @param calibration whether the case is of the kind the constants are fitted from (not a
   *     prediction)
   * @param measuredServerNs median server ns per message
   * @param modelServerNs the model's
   * @param measuredFramesPerWrite median deliveries per write call
   * @param modelFramesPerWrite the model's (paced cases), else the measured
   * @param measuredRedisNs median Redis ns per message (NaN without a backplane)
   * @param modelRedisNs the model's
   */
  public record Check(
      String name,
      boolean calibration,
      double measuredServerNs,
      double modelServerNs,
      double measuredFramesPerWrite,
      double modelFramesPerWrite,
      double measuredRedisNs,
      double modelRedisNs) {
    /** model ÷ measured − 1 for the server CPU. */
    public double serverError() {
      return modelServerNs / measuredServerNs - 1;
    }

    /** model ÷ measured − 1 for the Redis CPU (NaN without a backplane). */
    public double redisError() {
      return modelRedisNs / measuredRedisNs - 1;
    }
  }

  /**
   * The model against every case of a results file (even placement, as the driver spreads; one
   * event loop per node, as the bench server has). A paced case's b comes from the model; an
   * unpaced case has no rate to model it from, and the model takes its measured b. The cases {@link
   * #fit} does not use are the predictions.
   */
  public static List<Check> check(Map<String, Case> cases, Fit fit) {
    ServerCosts server = fit.server();
    List<Check> out = new ArrayList<>();
    for (Case c : cases.values()) {
      double k = c.backplane() ? nodesPerMessage(c.nodes(), c.roomSize(), Placement.EVEN) : 1;
      double b =
          c.rate() > 0
              ? framesPerWrite(server, c.rate(), membersPerLoop(c.roomSize(), k, 1))
              : c.framesPerWrite();
      double serverNs = serverNsPerMessage(server, c.roomSize(), c.backplane(), k, b);
      double redis =
          c.backplane()
              ? redisCores(fit.redis(), c.messagesPerS(), k) * 1e9 / c.messagesPerS()
              : Double.NaN;
      out.add(
          new Check(
              c.name(),
              calibration(c),
              c.serverNs(),
              serverNs,
              c.framesPerWrite(),
              b,
              c.redisNs(),
              redis));
    }
    return out;
  }

  /** Whether {@link #fit} uses the case: one node, or the rooms of 10 on x1 and x2. */
  static boolean calibration(Case c) {
    return !c.backplane() || (c.base().equals("rooms") && c.nodes() <= 2);
  }

  // ---------------------------------------------------------------- command line

  /**
   * Runs the calculator, the check or the fit ({@link CapacityCli}); see the class documentation.
   */
  public static void main(String[] args) throws IOException {
    int code = CapacityCli.run(args, System.out);
    if (code != 0) {
      System.exit(code);
    }
  }
}
