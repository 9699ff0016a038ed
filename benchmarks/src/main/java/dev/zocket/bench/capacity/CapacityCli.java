package dev.zocket.bench.capacity;

import dev.zocket.bench.capacity.CapacityModel.Case;
import dev.zocket.bench.capacity.CapacityModel.Check;
import dev.zocket.bench.capacity.CapacityModel.Fit;
import dev.zocket.bench.capacity.CapacityModel.Input;
import dev.zocket.bench.capacity.CapacityModel.Placement;
import dev.zocket.bench.capacity.CapacityModel.Plan;
import dev.zocket.bench.capacity.CapacityModel.RedisCosts;
import dev.zocket.bench.capacity.CapacityModel.ServerCosts;
import dev.zocket.bench.capacity.CapacityModel.Use;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The command line of {@link CapacityModel} (whose {@code main} calls {@link #run}): the options
 * read into an {@link Input}, and the plan, the check ({@code --check}) or the fit ({@code --fit})
 * printed. Stateless; called from one thread.
 */
final class CapacityCli {

  private CapacityCli() {}

  /** {@link CapacityModel#main}'s work, printing to {@code out}; returns the exit code. */
  static int run(String[] args, PrintStream out) throws IOException {
    Map<String, String> o = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("Expected --name value, got: " + args[i]);
      }
      o.put(args[i].substring(2), args[++i]);
    }
    if (o.containsKey("check")) {
      // With --fit too: the constants fitted from those files instead of the measured ones.
      Fit constants =
          o.containsKey("fit")
              ? CapacityModel.fit(CapacityModel.cases(paths(o.get("fit"))), eventBytes(o))
              : CapacityModel.MEASURED;
      return printCheck(
          CapacityModel.check(CapacityModel.cases(paths(o.get("check"))), constants), out);
    }
    if (o.containsKey("fit")) {
      printFit(CapacityModel.cases(paths(o.get("fit"))), o, out);
      return 0;
    }
    Input in = input(o);
    print(in, CapacityModel.plan(in), out);
    return 0;
  }

  /** Comma-separated file names. */
  static List<Path> paths(String commaSeparated) {
    List<Path> out = new ArrayList<>();
    for (String name : commaSeparated.split(",")) {
      out.add(Path.of(name.trim()));
    }
    return out;
  }

  static Input input(Map<String, String> o) {
    Map<String, String> left = new LinkedHashMap<>(o);
    long connections = Long.parseLong(take(left, "connections", "1000000"));
    int roomSize = Integer.parseInt(take(left, "room-size", "10"));
    long rooms = Long.parseLong(take(left, "rooms", Long.toString(connections / roomSize)));
    Input in =
        new Input(
            connections,
            rooms,
            roomSize,
            Double.parseDouble(take(left, "rate", "1")),
            Integer.parseInt(take(left, "event-bytes", "200")),
            Integer.parseInt(take(left, "room-id-length", "16")),
            Integer.parseInt(take(left, "nodes", "0")),
            Placement.valueOf(take(left, "placement", "random").toUpperCase(Locale.ROOT)),
            Integer.parseInt(take(left, "cores-per-node", "8")),
            Double.parseDouble(take(left, "node-memory-gib", "16")) * (1L << 30),
            Double.parseDouble(take(left, "nic-gbps", "10")) * 1e9,
            Double.parseDouble(take(left, "headroom", "0.7")));
    if (!left.isEmpty()) {
      throw new IllegalArgumentException("Unknown options: " + left.keySet());
    }
    if (in.connections() < 1 || in.rooms() < 0 || in.roomSize() < 1 || in.rate() < 0) {
      throw new IllegalArgumentException("Counts must be positive");
    }
    if (in.headroom() <= 0 || in.headroom() > 1) {
      throw new IllegalArgumentException("--headroom must be in (0, 1]");
    }
    return in;
  }

  private static String take(Map<String, String> o, String name, String fallback) {
    String v = o.remove(name);
    return v != null ? v : fallback;
  }

  static void print(Input in, Plan p, PrintStream out) {
    out.printf(
        Locale.ROOT,
        "inputs: %,d connections, %,d rooms of %d, %s msg/s per room, %d-byte events, placement"
            + " %s%n",
        in.connections(),
        in.rooms(),
        in.roomSize(),
        fmt(in.rate()),
        in.eventBytes(),
        in.placement().name().toLowerCase(Locale.ROOT));
    out.printf(
        Locale.ROOT,
        "budgets: %d cores, %.1f GiB and %s Gbit/s per node; plan to %.0f %% of each%n",
        in.coresPerNode(),
        in.nodeMemoryBytes() / (1L << 30),
        fmt(in.nicBitsPerS() / 1e9),
        in.headroom() * 100);
    out.printf(
        Locale.ROOT,
        "traffic: %s messages/s in, %s deliveries/s out; Redis sends each message to %.2f"
            + " nodes%n",
        si(p.messagesPerS()),
        si(p.deliveriesPerS()),
        p.nodesPerMessage());
    out.printf(
        Locale.ROOT, "nodes: %d (%s server cores in all)%n", p.nodes(), fmt(p.serverCores()));
    if (p.nodes() > 1) {
      out.printf(
          Locale.ROOT,
          "Redis: %s cores of CPU, %sB/s in+out: %d shard(s) (a Redis Cluster with sharded pub/sub"
              + " past one)%n",
          fmt(p.redisCores()),
          si(p.redisBytesPerS()),
          p.redisShards());
    }
    for (Use u : p.uses()) {
      out.printf(
          Locale.ROOT,
          "  %-32s %12s of %12s %-15s %5.0f %%%n",
          u.name(),
          si(u.need()),
          si(u.budget()),
          u.unit(),
          u.share() * 100);
    }
    out.printf(
        Locale.ROOT,
        "first limit: %s (%.0f %% of its budget)%n",
        p.firstLimit().name(),
        p.firstLimit().share() * 100);
  }

  static int printCheck(List<Check> checks, PrintStream out) {
    out.printf(
        Locale.ROOT,
        "%-18s %-11s %14s %14s %8s %8s %8s %14s %14s %8s%n",
        "case",
        "role",
        "server ns/msg",
        "model",
        "error",
        "b",
        "model b",
        "Redis ns/msg",
        "model",
        "error");
    boolean ok = true;
    for (Check c : checks) {
      out.printf(
          Locale.ROOT,
          "%-18s %-11s %14.0f %14.0f %+7.1f%% %8.2f %8.2f %14s %14s %8s%n",
          c.name(),
          c.calibration() ? "calibration" : "prediction",
          c.measuredServerNs(),
          c.modelServerNs(),
          c.serverError() * 100,
          c.measuredFramesPerWrite(),
          c.modelFramesPerWrite(),
          orBlank(c.measuredRedisNs(), "%.0f"),
          orBlank(c.modelRedisNs(), "%.0f"),
          orBlank(c.redisError() * 100, "%+.1f%%"));
      if (!c.calibration() && Math.abs(c.serverError()) > 0.25) {
        ok = false;
      }
    }
    out.println(
        ok
            ? "every prediction of the server CPU within 25 %"
            : "a prediction of the server CPU is off by more than 25 %");
    return ok ? 0 : 1;
  }

  private static double eventBytes(Map<String, String> o) {
    return Double.parseDouble(o.getOrDefault("event-bytes", "133"));
  }

  private static String orBlank(double v, String format) {
    return Double.isNaN(v) ? "" : String.format(Locale.ROOT, format, v);
  }

  static void printFit(Map<String, Case> cases, Map<String, String> o, PrintStream out) {
    Fit f = CapacityModel.fit(cases, eventBytes(o));
    ServerCosts c = f.server();
    RedisCosts r = f.redis();
    out.printf(
        Locale.ROOT,
        "new ServerCosts(%.0f, %.0f, %.0f, %.1f, %.0f)%n",
        c.messageNs(),
        c.publishNs(),
        c.receiveNs(),
        c.deliveryNs(),
        c.writeNs());
    out.printf(
        Locale.ROOT,
        "new RedisCosts(%.4f, %.0f, %.0f, %.1f, %.1f, %.0f)%n",
        r.baseCores(),
        r.inNs(),
        r.outNs(),
        r.inBytes(),
        r.outBytes(),
        r.eventBytes());
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15
        ? String.format(Locale.ROOT, "%d", (long) v)
        : String.format(Locale.ROOT, "%.2f", v);
  }

  /** 1234567 as "1.23 M". */
  static String si(double v) {
    double a = Math.abs(v);
    if (a >= 1e12) {
      return String.format(Locale.ROOT, "%.2f T", v / 1e12);
    } else if (a >= 1e9) {
      return String.format(Locale.ROOT, "%.2f G", v / 1e9);
    } else if (a >= 1e6) {
      return String.format(Locale.ROOT, "%.2f M", v / 1e6);
    } else if (a >= 1e3) {
      return String.format(Locale.ROOT, "%.2f k", v / 1e3);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
