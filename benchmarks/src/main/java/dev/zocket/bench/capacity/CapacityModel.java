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
 * {@code --check FILE[,FILE]} compares the model's CPU per message with every case of such files.
 *
 * <pre>
 * java -cp benchmarks.jar dev.zocket.bench.capacity.CapacityModel --connections 1000000 \
 *     --rooms 100000 --room-size 10 --rate 1 [--event-bytes 200] [--nodes N] [--placement random]
 *     [--cores-per-node 8] [--node-memory-gib 16] [--nic-gbps 10] [--headroom 0.7]
 * java -cp benchmarks.jar dev.zocket.bench.capacity.CapacityModel --check FILE
 * java -cp benchmarks.jar dev.zocket.bench.capacity.CapacityModel --fit FILE
 * </pre>
 *
 * <p>The options are read and the results printed by {@code CapacityCli}. Not thread-safe; a
 * command-line tool.
 */
public final class CapacityModel {

  /**
   * What one published message costs at one room size, in nanoseconds of CPU (server: all nodes
   * together) and bytes.
   *
   * @param roomSize members of the room (S)
   * @param oneNodeNs server CPU per message on one node without a backplane: the message read,
   *     handled and encoded once, and its S deliveries
   * @param publishNs the extra server CPU of publishing the message to Redis, and of reading and
   *     dropping the copy Redis sends back to the publishing node
   * @param receiveNs the extra server CPU per other node with members: the message read from Redis,
   *     encoded once and written to that node's members
   * @param redisInNs Redis CPU per message published
   * @param redisOutNs Redis CPU per node the message is sent to
   * @param redisInBytes bytes Redis reads per message published (command, channel, envelope)
   * @param redisOutBytes bytes Redis writes per message per node it is sent to
   * @param eventBytes bytes of the event's JSON in that run (so that the model can add B − this)
   */
  public record Shape(
      int roomSize,
      double oneNodeNs,
      double publishNs,
      double receiveNs,
      double redisInNs,
      double redisOutNs,
      double redisInBytes,
      double redisOutBytes,
      double eventBytes) {}

  // ---------------------------------------------------------------- measured constants
  // CPU: benchmarks/results/capacity-2026-12-06.jsonl (run-load.sh --server zocket --runs 3
  // --warmup 30 --duration 8, fanout500/rooms on one node, x1, x2 and x3; servers and Redis on
  // CPU 0, driver on CPU 1), medians of 3, fitted by --fit from the one-node, x1 and x2 cases
  // only; the x3 cases are the check.

  /** Rooms of 10 ({@code rooms}, {@code roomsx1}, {@code roomsx2}: 1000 rooms of 10, all send). */
  static final Shape SMALL_ROOMS = new Shape(10, 9927, 6162, 6107, 1890, 0, 249.0, 253.2, 133);

  /** A room of 500 ({@code fanout500}, {@code fanout500x1}, {@code fanout500x2}: 5 senders). */
  static final Shape LARGE_ROOMS =
      new Shape(500, 103059, 30610, 120116, 10830, 121, 226.8, 230.9, 133);

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

  /** The cost constants at room size {@code s}: interpolated between the measured shapes. */
  static Shape shapeAt(int s) {
    Shape a = SMALL_ROOMS;
    Shape b = LARGE_ROOMS;
    double t = (s - a.roomSize()) / (double) (b.roomSize() - a.roomSize());
    double clamped = Math.max(0, Math.min(1, t));
    return new Shape(
        s,
        // One node: m + d·S, a line through both shapes, extended past them (a delivery more
        // costs the same whatever the room's size).
        Math.max(0, a.oneNodeNs() + t * (b.oneNodeNs() - a.oneNodeNs())),
        lerp(a.publishNs(), b.publishNs(), clamped),
        lerp(a.receiveNs(), b.receiveNs(), clamped),
        lerp(a.redisInNs(), b.redisInNs(), clamped),
        lerp(a.redisOutNs(), b.redisOutNs(), clamped),
        lerp(a.redisInBytes(), b.redisInBytes(), clamped),
        lerp(a.redisOutBytes(), b.redisOutBytes(), clamped),
        lerp(a.eventBytes(), b.eventBytes(), clamped));
  }

  private static double lerp(double a, double b, double t) {
    return a + t * (b - a);
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
   * Server CPU nanoseconds per published message, all nodes together: with a backplane, the message
   * is published (and its echo dropped) and received by the {@code k - 1} other nodes.
   */
  static double serverNsPerMessage(Shape shape, boolean backplane, double k) {
    if (!backplane) {
      return shape.oneNodeNs();
    }
    return shape.oneNodeNs() + shape.publishNs() + (k - 1) * shape.receiveNs();
  }

  /** Redis CPU nanoseconds per published message sent to {@code k} nodes. */
  static double redisNsPerMessage(Shape shape, double k) {
    return shape.redisInNs() + k * shape.redisOutNs();
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
    Shape shape = shapeAt(s);
    double messages = in.rooms() * in.rate();
    double deliveries = messages * s;
    double k = nodesPerMessage(n, s, in.placement());
    double serverCores = messages * serverNsPerMessage(shape, n > 1, k) / 1e9;
    double redisCores = n > 1 ? messages * redisNsPerMessage(shape, k) / 1e9 : 0;

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
    double extra = in.eventBytes() - shape.eventBytes();
    double redisIn = messages * (shape.redisInBytes() + extra);
    double redisOut = messages * k * (shape.redisOutBytes() + extra);
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
   * One case of a results file: its room size, nodes, and the medians of server and Redis CPU per
   * published message.
   *
   * @param name the case (e.g. {@code roomsx3})
   * @param roomSize S
   * @param nodes N (1 without a backplane)
   * @param backplane whether the nodes shared a Redis (the {@code xN} cases)
   * @param runs runs measured
   * @param serverNs median server CPU ns per message
   * @param serverMin smallest of the runs
   * @param serverMax largest of the runs
   * @param redisNs median Redis CPU ns per message (NaN without a backplane)
   * @param redisInBytes median bytes Redis read per message
   * @param redisOutBytes median bytes Redis wrote per message, all receiving nodes together
   */
  public record Case(
      String name,
      int roomSize,
      int nodes,
      boolean backplane,
      int runs,
      double serverNs,
      double serverMin,
      double serverMax,
      double redisNs,
      double redisInBytes,
      double redisOutBytes) {}

  private static final Pattern CROSS_NODE = Pattern.compile("(.+)x(\\d+)");

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
      Matcher m = CROSS_NODE.matcher(e.getKey());
      boolean backplane = m.matches();
      int nodes = backplane ? Integer.parseInt(m.group(2)) : 1;
      List<Double> server = new ArrayList<>();
      List<Double> redis = new ArrayList<>();
      List<Double> in = new ArrayList<>();
      List<Double> out2 = new ArrayList<>();
      for (JsonNode r : runs) {
        double sent = r.get("windowSent").asDouble();
        server.add(r.get("serverCpuS").asDouble() * 1e9 / sent);
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
              runs.size(),
              median(server),
              Collections.min(server),
              Collections.max(server),
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
   * The constants of one shape from its one-node, x1 and x2 cases (server CPU per message c, x1,
   * x2; Redis CPU per message y1, y2): publish = x1 − c (the publish and the echo), receive = x2 −
   * x1 (one more node with members); Redis out = y2 − y1 and in = y1 − out, or, when y2 is not
   * above y1 (Redis's cost per message did not grow with a second receiver within the noise), out =
   * 0 and in = the mean of y1 and y2.
   */
  static Shape fit(Case one, Case x1, Case x2, double eventBytes) {
    double publish = x1.serverNs() - one.serverNs();
    double receive = x2.serverNs() - x1.serverNs();
    double redisOut = Math.max(0, x2.redisNs() - x1.redisNs());
    double redisIn = redisOut > 0 ? x1.redisNs() - redisOut : (x1.redisNs() + x2.redisNs()) / 2;
    return new Shape(
        one.roomSize(),
        one.serverNs(),
        publish,
        receive,
        redisIn,
        redisOut,
        x1.redisInBytes(),
        x1.redisOutBytes(),
        eventBytes);
  }

  /**
   * One line of the check: a case's measured CPU per message against the model's.
   *
   * @param name the case
   * @param calibration whether the constants were fitted from this case (not a prediction)
   * @param measuredServerNs median server ns per message
   * @param modelServerNs the model's
   * @param measuredRedisNs median Redis ns per message (NaN without a backplane)
   * @param modelRedisNs the model's
   */
  public record Check(
      String name,
      boolean calibration,
      double measuredServerNs,
      double modelServerNs,
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

  /** The model against every case of a results file (even placement, as the driver spreads). */
  public static List<Check> check(Map<String, Case> cases) {
    List<Check> out = new ArrayList<>();
    for (Case c : cases.values()) {
      Shape shape = shapeAt(c.roomSize());
      double k = c.backplane() ? nodesPerMessage(c.nodes(), c.roomSize(), Placement.EVEN) : 1;
      double server = serverNsPerMessage(shape, c.backplane(), k);
      double redis = c.backplane() ? redisNsPerMessage(shape, k) : Double.NaN;
      out.add(
          new Check(
              c.name(), !c.backplane() || c.nodes() < 3, c.serverNs(), server, c.redisNs(), redis));
    }
    return out;
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
