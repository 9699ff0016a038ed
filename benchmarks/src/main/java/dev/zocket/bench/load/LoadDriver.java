package dev.zocket.bench.load;

import dev.zocket.bench.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.ObjectMapper;

/**
 * Load generator for the chat protocol: a Netty WebSocket client on one event loop that drives a
 * chat server (the raw baseline or Zocket's chat example) and checks what comes back.
 *
 * <p>Scenarios:
 *
 * <ul>
 *   <li>{@code fanout}: {@code --clients} N in one room, {@code --senders} S of them send; each
 *       message carries {@code <sender>:<seq>} as its content and every member checks it gets every
 *       message of every sender, in order.
 *   <li>{@code rooms}: {@code --rooms} R rooms of {@code --room-size} K clients; every client
 *       sends.
 *   <li>{@code calls}: {@code --clients} C clients, each in its own room, each keeping {@code
 *       --in-flight} F {@code rooms.members} calls outstanding.
 *   <li>{@code idle}: {@code --clients} N connections joined to rooms of {@code --room-size}, held
 *       for {@code --hold} seconds (or until {@code --stop-file} exists) after writing {@code
 *       --ready-file}.
 * </ul>
 *
 * <p>Every sender keeps at most {@code --window} messages not yet received by every member of its
 * room. With {@code --rate M} (fanout and rooms) the senders are paced instead of sending as fast
 * as the window allows: each room gets M messages per second, shared by its senders and spread
 * evenly in time (a planned load, as the capacity model's input), the window still bounding what is
 * in flight: a sender it holds back skips the messages that fell due meanwhile instead of catching
 * up in a burst; the summary then gives {@code targetPerS}, {@code sentPerS} and {@code
 * missedSends} (a server that cannot keep up shows there). A run is warm-up, then the measured
 * window ({@code --duration} seconds or until each sender has sent {@code --max-messages}), then a
 * drain, all under the hard {@code --deadline}. With {@code --server-pid} the server's CPU time
 * (utime and stime of {@code /proc/<pid>/stat}) is read at both ends of the measured window:
 * deliveries per server CPU-second, user and kernel nanoseconds per delivery, and (from {@code
 * syscw} and {@code wchar} of {@code /proc/<pid>/io}) deliveries and bytes per write system call of
 * the server. The server's CPU time is also split by thread ({@code /proc/<pid>/task}): its I/O
 * threads ({@code zocket-io-*}, user and kernel), the JIT compiler threads and the garbage
 * collector's (with the VM thread, where the serial collector runs), in nanoseconds per delivery,
 * so that a window in which the JIT was still busy, or a collection fell, can be told from a
 * costlier delivery path; a thread that ended during the window is missed. Prints one JSON line.
 * Only loopback addresses are accepted.
 *
 * <p>Other options: {@code --tls-trust PEM} connects with {@code wss://}, trusting only the
 * certificate of that PEM file (host name checked against the target address); {@code
 * --recovery-clients true} makes every client ask for connection-state recovery ({@code
 * x-zocket-recovery=1}, as Zocket's clients do; they never resume, the {@code __session} message
 * and the events' positions are read and ignored); {@code --source-addresses K} spreads the
 * connections over the source addresses 127.0.0.1 to 127.0.0.K (the target must be an IPv4 loopback
 * address), each of which has its own ephemeral ports, for more connections than one address has
 * ports; {@code --window-hooks DIR} hands the measured window to a tool that counts the server's
 * system calls: the driver creates {@code DIR/start} and waits (at most 30 s) for {@code DIR/go}
 * before the window begins, and creates {@code DIR/end} as soon as it ends.
 *
 * <p>Several nodes ({@code --ports P1,P2,...}): client {@code i} connects to port {@code i mod n},
 * so every room's members are spread evenly over the nodes; {@code --server-pid} then takes the
 * nodes' pids, comma-separated, and their CPU times are summed (and reported per node too). With
 * {@code --redis-pid} the CPU time of the Redis the nodes share is read the same way, and with
 * {@code --redis-port} the bytes Redis read and wrote ({@code INFO stats cpu}: {@code
 * total_net_input_bytes}, {@code total_net_output_bytes}, and its own CPU account, finer than
 * {@code /proc}'s clock ticks) over the window: Redis CPU nanoseconds per delivery and per
 * published message, bytes per published message.
 */
public final class LoadDriver {
  private static final JsonFactory JSON = new JsonFactory();
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** Command-line options; see the class documentation. */
  public static final class Options {
    String scenario = "fanout";
    String host = "127.0.0.1";
    int port = 3000;
    String path = "/";
    int clients = 100;
    int senders = 1;
    int rooms = 1000;
    int roomSize = 10;
    int window = 32;
    double rate;
    int inFlight = 16;
    int contentBytes = 0;
    double warmup = 2;
    double duration = 5;
    long maxMessages = 100_000_000L;
    double deadline = 0;
    int[] ports;
    int[] serverPids = new int[0];
    int redisPid = 0;
    int redisPort = 0;
    long clockTicks = 100;
    double hold = 30;
    String readyFile;
    String stopFile;
    int connectConcurrency = 256;
    String tlsTrust;
    boolean recoveryClients;
    int sourceAddresses = 1;
    String windowHooks;

    /** Parses {@code --name value} pairs. */
    public static Options parse(String... args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("Missing value for " + a);
        }
        String v = args[++i];
        switch (a) {
          case "--scenario" -> o.scenario = v;
          case "--host" -> o.host = v;
          case "--port" -> o.port = Integer.parseInt(v);
          case "--path" -> o.path = v;
          case "--clients" -> o.clients = Integer.parseInt(v);
          case "--senders" -> o.senders = Integer.parseInt(v);
          case "--rooms" -> o.rooms = Integer.parseInt(v);
          case "--room-size" -> o.roomSize = Integer.parseInt(v);
          case "--window" -> o.window = Integer.parseInt(v);
          case "--rate" -> o.rate = Double.parseDouble(v);
          case "--in-flight" -> o.inFlight = Integer.parseInt(v);
          case "--content-bytes" -> o.contentBytes = Integer.parseInt(v);
          case "--warmup" -> o.warmup = Double.parseDouble(v);
          case "--duration" -> o.duration = Double.parseDouble(v);
          case "--max-messages" -> o.maxMessages = Long.parseLong(v);
          case "--deadline" -> o.deadline = Double.parseDouble(v);
          case "--ports" -> o.ports = ints(v);
          case "--server-pid" -> o.serverPids = ints(v);
          case "--redis-pid" -> o.redisPid = Integer.parseInt(v);
          case "--redis-port" -> o.redisPort = Integer.parseInt(v);
          case "--clock-ticks" -> o.clockTicks = Long.parseLong(v);
          case "--hold" -> o.hold = Double.parseDouble(v);
          case "--ready-file" -> o.readyFile = v;
          case "--stop-file" -> o.stopFile = v;
          case "--connect-concurrency" -> o.connectConcurrency = Integer.parseInt(v);
          case "--tls-trust" -> o.tlsTrust = v;
          case "--recovery-clients" -> o.recoveryClients = Boolean.parseBoolean(v);
          case "--source-addresses" -> o.sourceAddresses = Integer.parseInt(v);
          case "--window-hooks" -> o.windowHooks = v;
          default -> throw new IllegalArgumentException("Unknown argument: " + a);
        }
      }
      if (!List.of("fanout", "rooms", "calls", "stream", "idle").contains(o.scenario)) {
        throw new IllegalArgumentException("Unknown scenario: " + o.scenario);
      }
      if (o.window < 1 || o.inFlight < 1 || o.clients < 1 || o.roomSize < 1 || o.rooms < 1) {
        throw new IllegalArgumentException("Counts must be positive");
      }
      if (o.rate < 0 || (o.rate > 0 && !List.of("fanout", "rooms").contains(o.scenario))) {
        throw new IllegalArgumentException(
            "--rate must be positive, and only the fanout and rooms scenarios have it: " + o.rate);
      }
      if (o.sourceAddresses < 1 || o.sourceAddresses > 254) {
        throw new IllegalArgumentException(
            "--source-addresses must be from 1 to 254: " + o.sourceAddresses);
      }
      if (o.ports == null) {
        o.ports = new int[] {o.port};
      }
      if (o.ports.length == 0) {
        throw new IllegalArgumentException("--ports needs at least one port");
      }
      if (o.deadline <= 0) {
        o.deadline = o.warmup + o.duration + o.hold + 120;
      }
      return o;
    }

    private static int[] ints(String commaSeparated) {
      String[] parts = commaSeparated.split(",");
      int[] out = new int[parts.length];
      for (int i = 0; i < parts.length; i++) {
        out[i] = Integer.parseInt(parts[i].trim());
      }
      return out;
    }
  }

  private final Options o;
  private final long deadlineNanos;
  private final EventLoopGroup group;
  private final EventLoop loop;
  private final List<Room> rooms = new ArrayList<>();
  private final List<Client> clients = new ArrayList<>();
  private final byte[] scratch = new byte[64 * 1024];
  private final List<Client> dirty = new ArrayList<>();
  private final Runnable flushDirty = this::flushDirty;
  private boolean flushScheduled;

  // Loop-confined counters.
  private boolean running;

  /** When paced senders ({@code --rate}) began: their message k is due at a fixed offset. */
  private long paceStart;

  private long framesIn;
  private long sent;

  /** Paced sends skipped because the window held their sender back when they were due. */
  private long missed;

  private long delivered;
  private long lost;
  private long reordered;
  private long bad;
  private long connectFailures;

  private final CountDownLatch connected;
  private final CountDownLatch joined;
  private final Semaphore connectPermits;

  private LoadDriver(Options o) {
    this.o = o;
    this.deadlineNanos = System.nanoTime() + (long) (o.deadline * 1e9);
    this.group = Transport.oneLoop();
    this.loop = group.next();
    int n = planRooms();
    this.connected = new CountDownLatch(n);
    this.joined = new CountDownLatch(n);
    this.connectPermits = new Semaphore(o.connectConcurrency);
  }

  /** Runs one scenario and returns its summary (the JSON line's fields). */
  public static Map<String, Object> run(Options o) throws Exception {
    InetAddress address = Transport.loopback(o.host);
    LoadDriver d = new LoadDriver(o);
    try {
      return d.execute(address);
    } finally {
      d.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
  }

  /** Runs the scenario of the arguments and prints its one-line JSON summary. */
  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Thread watchdog =
        new Thread(
            () -> {
              try {
                Thread.sleep((long) (o.deadline * 1000) + 10_000);
              } catch (InterruptedException e) {
                return;
              }
              System.out.println(
                  "{\"scenario\":\"" + o.scenario + "\",\"error\":\"hard deadline\"}");
              System.exit(2);
            },
            "deadline");
    watchdog.setDaemon(true);
    watchdog.start();
    Map<String, Object> summary = run(o);
    System.out.println(MAPPER.writeValueAsString(summary));
    System.exit(summary.containsKey("error") ? 1 : 0);
  }

  // ------------------------------------------------------------------ plan

  private int planRooms() {
    switch (o.scenario) {
      case "fanout" -> addRoom("bench", o.clients, Math.min(o.senders, o.clients));
      case "rooms" -> {
        for (int r = 0; r < o.rooms; r++) {
          addRoom("room-" + r, o.roomSize, o.roomSize);
        }
      }
      case "calls" -> {
        for (int c = 0; c < o.clients; c++) {
          addRoom("call-" + c, 1, 0);
        }
      }
      case "stream" -> {
        for (int c = 0; c < o.clients; c++) {
          addRoom("stream-" + c, 1, 0);
        }
      }
      default -> {
        for (int c = 0; c < o.clients; c += o.roomSize) {
          addRoom("idle-" + (c / o.roomSize), Math.min(o.roomSize, o.clients - c), 0);
        }
      }
    }
    return clients.size();
  }

  private void addRoom(String id, int size, int senders) {
    Room room = new Room(id, size, senders, o.window);
    for (int i = 0; i < size; i++) {
      Client c = new Client(clients.size(), room, i);
      room.members[i] = c;
      clients.add(c);
    }
    rooms.add(room);
  }

  // ------------------------------------------------------------------ run

  private Map<String, Object> execute(InetAddress address) throws Exception {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("scenario", o.scenario);
    out.put("params", params());
    out.put("transport", Transport.epoll() ? "epoll" : "nio");
    SslContext ssl = o.tlsTrust == null ? null : clientTls(Path.of(o.tlsTrust));
    if (ssl != null) {
      out.put("tls", SslContext.defaultClientProvider().toString());
    }
    List<InetAddress> sources = sourceAddresses(address, o.sourceAddresses);
    long start = System.nanoTime();

    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(Transport.clientChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
            // Bound source ports (--source-addresses) may reuse ports in TIME_WAIT.
            .option(ChannelOption.SO_REUSEADDR, true);
    for (Client c : clients) {
      if (!connectPermits.tryAcquire(remainingNanos(), TimeUnit.NANOSECONDS)) {
        return fail(out, "connect timed out");
      }
      // Spread over the nodes by connection index: every room's members across all of them.
      int port = o.ports[c.index % o.ports.length];
      URI uri =
          URI.create(
              (ssl == null ? "ws://" : "wss://")
                  + address.getHostAddress()
                  + ":"
                  + port
                  + o.path
                  + "?user-name="
                  + URLEncoder.encode(c.name, StandardCharsets.UTF_8)
                  + (o.scenario.equals("stream") ? "&x-zocket-streams=1" : "")
                  + (o.recoveryClients ? "&x-zocket-recovery=1" : ""));
      ChannelFuture f =
          b.clone()
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      if (ssl != null) {
                        ch.pipeline()
                            .addLast(ssl.newHandler(ch.alloc(), address.getHostAddress(), o.port));
                      }
                      ch.pipeline()
                          .addLast(
                              new HttpClientCodec(),
                              new HttpObjectAggregator(8192),
                              new WebSocketClientProtocolHandler(
                                  WebSocketClientProtocolConfig.newBuilder()
                                      .webSocketUri(uri)
                                      .version(WebSocketVersion.V13)
                                      .maxFramePayloadLength(1 << 20)
                                      .handshakeTimeoutMillis(10_000)
                                      .build()),
                              c);
                    }
                  })
              .connect(
                  new InetSocketAddress(address, port),
                  // One source address: the kernel picks it with the port at connect time.
                  sources.size() == 1
                      ? null
                      : new InetSocketAddress(sources.get(c.index % sources.size()), 0));
      f.addListener(
          r -> {
            if (!r.isSuccess()) {
              connectFailures++;
              connectPermits.release();
            }
          });
    }
    // A connection that failed never counts down: stop at the first failure, not at the deadline.
    while (!connected.await(Math.min(100_000_000L, remainingNanos()), TimeUnit.NANOSECONDS)) {
      long failed = onLoop(() -> connectFailures);
      if (failed > 0) {
        return fail(
            out, failed + " connections failed (" + connected.getCount() + " not connected yet)");
      }
      if (remainingNanos() == 0) {
        return fail(out, "handshakes timed out: " + connected.getCount() + " left");
      }
    }
    out.put("connectMs", (System.nanoTime() - start) / 1_000_000);
    if (sources.size() > 1) {
      // The source addresses the connections really have, not the ones they were asked to use.
      out.put("sourceAddresses", onLoop(this::distinctSourceAddresses));
    }

    onLoop(
        () -> {
          for (Client c : clients) {
            c.send("{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"" + c.room.id + "\"}}");
          }
          return null;
        });
    if (!joined.await(remainingNanos(), TimeUnit.NANOSECONDS)) {
      return fail(out, "joins timed out: " + joined.getCount() + " left");
    }
    awaitQuiet();
    out.put("setupMs", (System.nanoTime() - start) / 1_000_000);

    if (o.scenario.equals("idle")) {
      return idle(out);
    }

    onLoop(
        () -> {
          running = true;
          paceStart = System.nanoTime();
          for (Client c : clients) {
            c.refill();
          }
          return null;
        });
    sleepUntil(System.nanoTime() + (long) (o.warmup * 1e9));

    boolean hooked = o.windowHooks != null && awaitHook(Path.of(o.windowHooks));
    long[] redis0 = redisInfo();
    long[] c0 = onLoop(this::snapshot);
    long t0 = c0[2];
    long end = t0 + (long) (o.duration * 1e9);
    while (System.nanoTime() < end && System.nanoTime() < deadlineNanos) {
      Thread.sleep(Math.max(1, Math.min(100, (end - System.nanoTime()) / 1_000_000)));
      if (onLoop(this::allSent)) {
        break;
      }
    }
    long[] c1 = onLoop(this::snapshot);
    long[] redis1 = redisInfo();
    long t1 = c1[2];
    if (o.windowHooks != null) {
      Files.writeString(Path.of(o.windowHooks, "end"), "");
      out.put("windowHooked", hooked);
    }
    onLoop(() -> running = false);
    long cpu0 = c0[3];
    long cpu1 = c1[3];

    long drainEnd = Math.min(deadlineNanos, System.nanoTime() + 10_000_000_000L);
    while (System.nanoTime() < drainEnd && !onLoop(this::drained)) {
      Thread.sleep(20);
    }
    onLoop(
        () -> {
          finalCheck();
          return null;
        });

    double seconds = (t1 - t0) / 1e9;
    long windowDelivered = c1[1] - c0[1];
    long[] totals = onLoop(() -> new long[] {sent, delivered, lost, reordered, bad});
    out.put("sent", totals[0]);
    out.put("delivered", totals[1]);
    out.put("lost", totals[2]);
    out.put("reordered", totals[3]);
    if (o.scenario.equals("calls") || o.scenario.equals("stream")) {
      out.put("badReplies", totals[4]);
    }
    out.put("durationS", round(seconds));
    out.put("windowSent", c1[0] - c0[0]);
    if (o.rate > 0) {
      // What the paced senders asked for against what they sent: a window that held them back
      // (a server that cannot keep up) shows as sentPerS below the target.
      out.put("targetPerS", Math.round(o.rate * rooms.stream().filter(r -> r.senders > 0).count()));
      out.put("sentPerS", Math.round((c1[0] - c0[0]) / seconds));
      out.put("missedSends", onLoop(() -> missed));
    }
    out.put("windowDelivered", windowDelivered);
    out.put("deliveriesPerS", Math.round(windowDelivered / seconds));
    out.put("driverCpuS", round((c1[4] - c0[4]) / (double) o.clockTicks));
    if (cpu0 >= 0 && cpu1 >= 0) {
      double cpu = (cpu1 - cpu0) / (double) o.clockTicks;
      out.put("serverCpuS", round(cpu));
      out.put("deliveriesPerServerCpuS", cpu > 0 ? Math.round(windowDelivered / cpu) : null);
      // User space against the kernel: what a server's own code costs, apart from the syscalls.
      double user = (c1[6] - c0[6]) / (double) o.clockTicks;
      double kernel = (c1[7] - c0[7]) / (double) o.clockTicks;
      out.put("serverUserCpuS", round(user));
      out.put("serverKernelCpuS", round(kernel));
      if (windowDelivered > 0) {
        out.put("userNsPerDelivery", Math.round(user * 1e9 / windowDelivered));
        out.put("kernelNsPerDelivery", Math.round(kernel * 1e9 / windowDelivered));
      }
      if (c0[8] >= 0 && c1[8] >= 0 && c1[8] > c0[8]) {
        // How many frames one write call carries on average: a server that finds less work per
        // wake-up makes more calls, and the kernel time per delivery follows.
        out.put("serverWriteCalls", c1[8] - c0[8]);
        out.put("deliveriesPerWriteCall", round(windowDelivered / (double) (c1[8] - c0[8])));
        if (c0[9] >= 0 && c1[9] >= c0[9]) {
          // Bytes one write or writev call carried (wchar counts them; sendto and sendmsg count
          // in neither figure).
          out.put("bytesPerWriteCall", Math.round((c1[9] - c0[9]) / (double) (c1[8] - c0[8])));
        }
      }
      if (c0[12] >= 0 && c1[12] >= 0 && windowDelivered > 0) {
        // By thread: what the delivery path costs (the I/O threads) apart from the JIT compiling
        // and the collector, which a short window after a short warm-up still counts.
        double perDelivery = 1e9 / o.clockTicks / windowDelivered;
        if (c1[12] + c1[13] > 0) { // a Zocket server: the baseline's threads have other names
          out.put("ioUserNsPerDelivery", Math.round((c1[12] - c0[12]) * perDelivery));
          out.put("ioKernelNsPerDelivery", Math.round((c1[13] - c0[13]) * perDelivery));
        }
        out.put("jitNsPerDelivery", Math.round((c1[14] - c0[14]) * perDelivery));
        out.put("gcNsPerDelivery", Math.round((c1[15] - c0[15]) * perDelivery));
      }
      if (c0[5] >= 0 && c1[5] >= 0) {
        // CPU used by other processes during the window: a run with much of it is disturbed.
        long redisTicks = c0[10] >= 0 && c1[10] >= 0 ? (c1[10] + c1[11]) - (c0[10] + c0[11]) : 0;
        long others = (c1[5] - c0[5]) - (cpu1 - cpu0) - (c1[4] - c0[4]) - redisTicks;
        out.put("otherCpuS", round(Math.max(0, others) / (double) o.clockTicks));
      }
    }
    if (o.serverPids.length > 1) {
      List<Double> perNode = new ArrayList<>();
      for (int i = 0; i < o.serverPids.length; i++) {
        perNode.add(round((c1[16 + i] - c0[16 + i]) / (double) o.clockTicks));
      }
      out.put("nodes", o.serverPids.length);
      out.put("serverCpuSPerNode", perNode);
    }
    if (o.redisPid > 0 && c0[10] >= 0 && c1[10] >= 0) {
      double user = (c1[10] - c0[10]) / (double) o.clockTicks;
      double kernel = (c1[11] - c0[11]) / (double) o.clockTicks;
      long published = c1[0] - c0[0];
      out.put("redisCpuS", round(user + kernel));
      out.put("redisUserCpuS", round(user));
      out.put("redisKernelCpuS", round(kernel));
      // Redis's own account of its CPU (getrusage, microseconds) is finer than /proc's clock
      // ticks, which matters at a few hundredths of a second per window: per message from it.
      double redisCpu = user + kernel;
      if (redis0 != null && redis1 != null && redis0[2] >= 0 && redis1[2] >= 0) {
        redisCpu = (redis1[2] - redis0[2]) / 1e6;
        out.put("redisInfoCpuS", round(redisCpu));
      }
      if (windowDelivered > 0 && published > 0) {
        out.put("redisNsPerDelivery", Math.round(redisCpu * 1e9 / windowDelivered));
        out.put("redisNsPerMessage", Math.round(redisCpu * 1e9 / published));
      }
      if (redis0 != null && redis1 != null && published > 0) {
        out.put("redisInBytes", redis1[0] - redis0[0]);
        out.put("redisOutBytes", redis1[1] - redis0[1]);
        out.put("redisInBytesPerMessage", round((redis1[0] - redis0[0]) / (double) published));
        out.put("redisOutBytesPerMessage", round((redis1[1] - redis0[1]) / (double) published));
      }
    }
    out.put("connectFailures", onLoop(() -> connectFailures));
    return out;
  }

  /**
   * {total_net_input_bytes, total_net_output_bytes, used_cpu_user + used_cpu_sys in microseconds}
   * of {@code INFO stats cpu} of the Redis at {@code --redis-port} on the driver's loopback host
   * (the CPU figure -1 when absent), or null without one or when it does not answer.
   */
  private long[] redisInfo() {
    if (o.redisPort <= 0) {
      return null;
    }
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress(Transport.loopback(o.host), o.redisPort), 2000);
      s.setSoTimeout(2000);
      s.getOutputStream().write("INFO stats cpu\r\n".getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
      java.io.BufferedReader in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
      String header = in.readLine(); // $<length> of the bulk reply
      if (header == null || !header.startsWith("$")) {
        return null;
      }
      int length = Integer.parseInt(header.substring(1));
      char[] body = new char[length];
      int read = 0;
      while (read < length) {
        int n = in.read(body, read, length - read);
        if (n < 0) {
          break;
        }
        read += n;
      }
      long input = -1;
      long output = -1;
      double cpu = -1;
      for (String line : new String(body, 0, read).split("\r\n")) {
        String value = line.substring(line.indexOf(':') + 1).trim();
        if (line.startsWith("total_net_input_bytes:")) {
          input = Long.parseLong(value);
        } else if (line.startsWith("total_net_output_bytes:")) {
          output = Long.parseLong(value);
        } else if (line.startsWith("used_cpu_sys:") || line.startsWith("used_cpu_user:")) {
          cpu = Math.max(cpu, 0) + Double.parseDouble(value);
        }
      }
      return input < 0 || output < 0
          ? null
          : new long[] {input, output, cpu < 0 ? -1 : Math.round(cpu * 1e6)};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private Map<String, Object> idle(Map<String, Object> out) throws Exception {
    out.put("connections", clients.size());
    out.put("rooms", rooms.size());
    if (o.readyFile != null) {
      Files.writeString(Path.of(o.readyFile), Integer.toString(clients.size()));
    }
    long holdEnd = Math.min(deadlineNanos, System.nanoTime() + (long) (o.hold * 1e9));
    while (System.nanoTime() < holdEnd) {
      if (o.stopFile != null && Files.exists(Path.of(o.stopFile))) {
        break;
      }
      Thread.sleep(50);
    }
    long open = onLoop(() -> clients.stream().filter(c -> c.channel.isActive()).count());
    out.put("openAtEnd", open);
    out.put("lost", clients.size() - open);
    out.put("reordered", 0);
    return out;
  }

  private Map<String, Object> params() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("port", o.ports[0]);
    if (o.ports.length > 1) {
      p.put("ports", o.ports);
    }
    switch (o.scenario) {
      case "fanout" -> {
        p.put("clients", o.clients);
        p.put("senders", o.senders);
        p.put("window", o.window);
        putRate(p);
      }
      case "rooms" -> {
        p.put("rooms", o.rooms);
        p.put("roomSize", o.roomSize);
        p.put("window", o.window);
        putRate(p);
      }
      case "calls" -> {
        p.put("clients", o.clients);
        p.put("inFlight", o.inFlight);
      }
      case "stream" -> {
        p.put("clients", o.clients);
        p.put("window", o.window);
      }
      default -> {
        p.put("clients", o.clients);
        p.put("roomSize", o.roomSize);
      }
    }
    p.put("contentBytes", o.contentBytes);
    p.put("warmupS", o.warmup);
    p.put("durationS", o.duration);
    p.put("maxMessages", o.maxMessages);
    if (o.tlsTrust != null) {
      p.put("tls", true);
    }
    if (o.recoveryClients) {
      p.put("recoveryClients", true);
    }
    if (o.sourceAddresses > 1) {
      p.put("sourceAddresses", o.sourceAddresses);
    }
    return p;
  }

  private void putRate(Map<String, Object> p) {
    if (o.rate > 0) {
      p.put("rate", o.rate);
    }
  }

  private Map<String, Object> fail(Map<String, Object> out, String error) {
    out.put("error", error);
    return out;
  }

  /** Waits until no frame has arrived for 300 ms (bounded by the deadline). */
  private void awaitQuiet() throws Exception {
    long last = -1;
    int still = 0;
    while (still < 3 && System.nanoTime() < deadlineNanos) {
      Thread.sleep(100);
      long now = onLoop(() -> framesIn);
      still = now == last ? still + 1 : 0;
      last = now;
    }
  }

  /**
   * Counters, time and CPU read together on the event loop, so the window's deliveries, duration
   * and CPU time all cover the same interval: {sent, delivered, nanoTime, server ticks, own ticks,
   * machine busy ticks, server user ticks, server kernel ticks, server write calls, server bytes
   * written, Redis user ticks, Redis kernel ticks, server I/O-thread user ticks, I/O-thread kernel
   * ticks, JIT ticks, collector ticks (see {@link #threadTicks}), then each node's ticks}; the
   * server figures are the sums over the nodes.
   */
  private long[] snapshot() {
    long[] server = {0, 0};
    long writeCalls = o.serverPids.length > 0 ? 0 : -1;
    long bytesWritten = writeCalls;
    long[] perNode = new long[o.serverPids.length];
    long[] threads = new long[] {0, 0, 0, 0};
    for (int i = 0; i < o.serverPids.length; i++) {
      String pid = Integer.toString(o.serverPids[i]);
      long[] t = cpuTicksSplit(pid);
      long[] k = threadTicks(pid);
      for (int j = 0; j < threads.length; j++) {
        threads[j] = k[j] < 0 || threads[j] < 0 ? -1 : threads[j] + k[j];
      }
      long[] w = writes(pid);
      if (t[0] < 0) {
        server = new long[] {-1, -1};
      } else if (server[0] >= 0) {
        server[0] += t[0];
        server[1] += t[1];
      }
      perNode[i] = t[0] < 0 ? -1 : t[0] + t[1];
      writeCalls = w[0] < 0 || writeCalls < 0 ? -1 : writeCalls + w[0];
      bytesWritten = w[1] < 0 || bytesWritten < 0 ? -1 : bytesWritten + w[1];
    }
    if (o.serverPids.length == 0) {
      server = new long[] {-1, -1};
      threads = new long[] {-1, -1, -1, -1};
    }
    long[] redis =
        o.redisPid > 0 ? cpuTicksSplit(Integer.toString(o.redisPid)) : new long[] {-1, -1};
    long[] out = new long[16 + perNode.length];
    long[] head = {
      sent,
      delivered,
      System.nanoTime(),
      server[0] < 0 ? -1 : server[0] + server[1],
      cpuTicks("self"),
      machineBusyTicks(),
      server[0],
      server[1],
      writeCalls,
      bytesWritten,
      redis[0],
      redis[1],
      threads[0],
      threads[1],
      threads[2],
      threads[3]
    };
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(perNode, 0, out, head.length, perNode.length);
    return out;
  }

  /**
   * CPU time of the whole machine not spent idle, in clock ticks ({@code /proc/stat}); -1 if
   * unknown.
   */
  static long machineBusyTicks() {
    try {
      String line = Files.readAllLines(Path.of("/proc/stat")).get(0);
      String[] f = line.trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < f.length && i <= 8; i++) {
        if (i != 4 && i != 5) { // idle, iowait
          busy += Long.parseLong(f[i]);
        }
      }
      return busy;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private boolean allSent() {
    for (Room r : rooms) {
      for (int s = 0; s < r.senders; s++) {
        if (r.sent[s] < o.maxMessages) {
          return false;
        }
      }
    }
    if (o.scenario.equals("calls")) {
      for (Client c : clients) {
        if (c.callsSent < o.maxMessages) {
          return false;
        }
      }
    }
    if (o.scenario.equals("stream")) {
      for (Client c : clients) {
        if (c.streamed < o.maxMessages) {
          return false;
        }
      }
    }
    return true;
  }

  private boolean drained() {
    for (Room r : rooms) {
      for (int s = 0; s < r.senders; s++) {
        if (r.acked[s] != r.sent[s]) {
          return false;
        }
      }
    }
    for (Client c : clients) {
      if (!c.outstanding.isEmpty() || c.granted != c.streamed && !c.streamEnded) {
        return false;
      }
    }
    return true;
  }

  /** Counts what never arrived: per receiver and sender, and calls never answered. */
  private void finalCheck() {
    for (Client c : clients) {
      Room r = c.room;
      for (int s = 0; s < r.senders; s++) {
        lost += r.sent[s] - c.expected[s];
      }
      lost += c.outstanding.size();
    }
  }

  private long remainingNanos() {
    return Math.max(0, deadlineNanos - System.nanoTime());
  }

  private void sleepUntil(long nanos) throws InterruptedException {
    long end = Math.min(nanos, deadlineNanos);
    for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
      Thread.sleep(Math.max(1, Math.min(100, (end - now) / 1_000_000)));
    }
  }

  private <T> T onLoop(Callable<T> task) throws InterruptedException, ExecutionException {
    try {
      return loop.submit(task).get(Math.max(1, remainingNanos()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("event loop did not answer before the deadline", e);
    }
  }

  /** utime + stime of {@code /proc/<pid>/stat}, in clock ticks; -1 when unreadable. */
  static long cpuTicks(String pid) {
    long[] t = cpuTicksSplit(pid);
    return t[0] < 0 ? -1 : t[0] + t[1];
  }

  /**
   * {utime, stime} of {@code /proc/<pid>/stat} (fields 14 and 15: user and kernel time), in clock
   * ticks; {-1, -1} when unreadable.
   */
  static long[] cpuTicksSplit(String pid) {
    try {
      String stat = Files.readString(Path.of("/proc", pid, "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    } catch (IOException | RuntimeException e) {
      return new long[] {-1, -1};
    }
  }

  /**
   * A process's CPU time by thread, in clock ticks: {I/O-thread user, I/O-thread kernel, JIT, GC},
   * from {@code /proc/<pid>/task/<tid>/stat}: the I/O threads are Zocket's ({@code zocket-io-*}),
   * the JIT's the compiler threads ({@code C1/C2 CompilerThread*}, a name cut at 15 characters),
   * the GC's those whose name holds "GC" or starts with "G1 " and the VM thread (where the serial
   * collector runs); user and kernel time summed for the last two. The ticks of a thread that has
   * ended are not counted. All -1 when unreadable.
   */
  static long[] threadTicks(String pid) {
    long[] out = {0, 0, 0, 0};
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", pid, "task"))) {
      for (Path task : tasks) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException e) {
          continue; // the thread ended
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long user = Long.parseLong(f[11]);
        long kernel = Long.parseLong(f[12]);
        if (name.startsWith("zocket-io")) {
          out[0] += user;
          out[1] += kernel;
        } else if (name.contains("Compiler")) { // "C2 CompilerThre": names are cut at 15
          out[2] += user + kernel;
        } else if (name.contains("GC") || name.startsWith("G1 ") || name.equals("VM Thread")) {
          out[3] += user + kernel;
        }
      }
      return out;
    } catch (IOException | RuntimeException e) {
      return new long[] {-1, -1, -1, -1};
    }
  }

  /**
   * {write calls, bytes written} of {@code /proc/<pid>/io} ({@code syscw} and {@code wchar}: the
   * calls of write and writev, and what they wrote); -1 for a figure that cannot be read.
   */
  static long[] writes(String pid) {
    long[] out = {-1, -1};
    try {
      for (String line : Files.readAllLines(Path.of("/proc", pid, "io"))) {
        if (line.startsWith("syscw:")) {
          out[0] = Long.parseLong(line.substring(6).trim());
        } else if (line.startsWith("wchar:")) {
          out[1] = Long.parseLong(line.substring(6).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      return new long[] {-1, -1};
    }
    return out;
  }

  /**
   * The window hand-over of {@code --window-hooks}: creates {@code dir/start}, then waits at most
   * 30 s (and the deadline) for {@code dir/go}. Returns whether {@code go} came.
   */
  private boolean awaitHook(Path dir) throws IOException, InterruptedException {
    Files.writeString(dir.resolve("start"), "");
    long end = Math.min(deadlineNanos, System.nanoTime() + 30_000_000_000L);
    while (System.nanoTime() < end) {
      if (Files.exists(dir.resolve("go"))) {
        return true;
      }
      Thread.sleep(5);
    }
    return false;
  }

  /** A client TLS context trusting only the certificates of a PEM file. */
  static SslContext clientTls(Path trustedPem) throws SSLException {
    return SslContextBuilder.forClient()
        .trustManager(trustedPem.toFile())
        .endpointIdentificationAlgorithm("HTTPS")
        .build();
  }

  /**
   * The source addresses of {@code --source-addresses}: the target itself for one, else 127.0.0.1
   * to 127.0.0.{@code count} (the target must be an IPv4 loopback address then).
   */
  static List<InetAddress> sourceAddresses(InetAddress target, int count)
      throws UnknownHostException {
    if (count == 1) {
      return List.of(target);
    }
    if (!(target instanceof Inet4Address) || !target.isLoopbackAddress()) {
      throw new IllegalArgumentException(
          "--source-addresses needs an IPv4 loopback target, not " + target.getHostAddress());
    }
    List<InetAddress> out = new ArrayList<>(count);
    for (int i = 1; i <= count; i++) {
      out.add(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) i}));
    }
    return out;
  }

  /** How many different local addresses the open connections have. */
  private int distinctSourceAddresses() {
    Set<InetAddress> seen = new HashSet<>();
    for (Client c : clients) {
      if (c.channel != null && c.channel.localAddress() instanceof InetSocketAddress a) {
        seen.add(a.getAddress());
      }
    }
    return seen.size();
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private void flushDirty() {
    flushScheduled = false;
    for (int i = 0, n = dirty.size(); i < n; i++) {
      Client c = dirty.get(i);
      c.dirty = false;
      c.channel.flush();
    }
    dirty.clear();
  }

  // ------------------------------------------------------------------ model

  /** A room: its members and, per sender, what was sent and what every member has received. */
  private static final class Room {
    final String id;
    final Client[] members;
    final int senders;
    final long[] sent;
    final long[] acked;
    final int[][] received;

    Room(String id, int size, int senders, int window) {
      this.id = id;
      this.members = new Client[size];
      this.senders = senders;
      this.sent = new long[senders];
      this.acked = new long[senders];
      this.received = new int[senders][window];
    }
  }

  /** One connection; all state is confined to the event loop. */
  private final class Client extends SimpleChannelInboundHandler<WebSocketFrame> {
    final int index;
    final String name;
    final Room room;
    final int slot;
    final long[] expected;
    final Set<String> outstanding = new HashSet<>();
    final String padding;
    Channel channel;

    /** Whether the handshake has completed or failed (its connect permit given back). */
    boolean settled;

    boolean dirty;
    boolean hasJoined;

    /** Paced ({@code --rate}): whether a wake-up for the next due message is scheduled. */
    boolean paceScheduled;

    /** Paced: the next slot of this sender's schedule (slot k is due at {@link #dueAt}). */
    long nextSlot;

    long callsSent;

    /** The stream scenario: started, items granted, items received, and whether it ended. */
    boolean streamStarted;

    long granted;
    long streamed;
    boolean streamEnded;

    Client(int index, Room room, int slot) {
      this.index = index;
      this.name = "c" + index;
      this.room = room;
      this.slot = slot;
      this.expected = new long[room.senders];
      this.padding = o.contentBytes > 0 ? "|" + "x".repeat(o.contentBytes) : "";
    }

    /**
     * When this sender's message {@code k} is due under {@code --rate}: the room's rate is shared
     * by its senders, and each sender starts at its own fraction of the interval (the golden ratio
     * of its index), so rooms and senders do not all send at the same instant.
     */
    long dueAt(long k) {
      return paceStart + (long) ((k + phase()) * interval());
    }

    /** The latest slot due at {@code now} (at least the one {@link #refill} found due). */
    long slotAt(long now) {
      return Math.max(nextSlot, (long) Math.floor((now - paceStart) / interval() - phase()));
    }

    private double interval() {
      return 1e9 * room.senders / o.rate;
    }

    private double phase() {
      return (index * 0.6180339887498949) % 1.0;
    }

    void send(String json) {
      ByteBuf buf = ByteBufUtil.writeUtf8(channel.alloc(), json);
      channel.write(new TextWebSocketFrame(buf), channel.voidPromise());
      if (!dirty) {
        dirty = true;
        LoadDriver.this.dirty.add(this);
        if (!flushScheduled) {
          flushScheduled = true;
          loop.execute(flushDirty);
        }
      }
    }

    /** Sends as much as the window allows. */
    void refill() {
      if (!running || !hasJoined) {
        return;
      }
      if (slot < room.senders) {
        long now = o.rate > 0 ? System.nanoTime() : 0;
        while (room.sent[slot] - room.acked[slot] < o.window
            && room.sent[slot] < o.maxMessages
            && (o.rate == 0 || dueAt(nextSlot) <= now)) {
          if (o.rate > 0) {
            // A sender the window held back does not catch up in a burst: the slots it missed
            // are counted, and it goes on with the one due now.
            long latest = slotAt(now);
            missed += latest - nextSlot;
            nextSlot = latest + 1;
          }
          long seq = room.sent[slot]++;
          sent++;
          send(
              "{\"type\":\"rooms.message\",\"payload\":{\"roomId\":\""
                  + room.id
                  + "\",\"content\":\""
                  + slot
                  + ":"
                  + seq
                  + padding
                  + "\"}}");
        }
        // Paced and not held back by the window: wake up when the next message is due (an
        // acknowledgement calls refill too, so one held back by the window goes then).
        if (o.rate > 0
            && !paceScheduled
            && room.sent[slot] - room.acked[slot] < o.window
            && room.sent[slot] < o.maxMessages) {
          paceScheduled = true;
          loop.schedule(
              () -> {
                paceScheduled = false;
                refill();
              },
              dueAt(nextSlot) - now,
              TimeUnit.NANOSECONDS);
        }
      }
      if (o.scenario.equals("stream")) {
        if (!streamStarted) {
          streamStarted = true;
          send(
              "{\"type\":\"feed.items\",\"payload\":{\"count\":"
                  + o.maxMessages
                  + ",\"bytes\":"
                  + o.contentBytes
                  + "},\"rpcId\":\"s\"}");
        }
        // Credit in steps of half the window, keeping at most the window granted and unused.
        long unused = granted - streamed;
        long step = Math.max(1, o.window / 2);
        if (unused <= o.window - step && granted < o.maxMessages && !streamEnded) {
          long more = Math.min(o.window - unused, o.maxMessages - granted);
          granted += more;
          sent += more;
          send("{\"type\":\"__stream_credit\",\"rpcId\":\"s\",\"payload\":" + more + "}");
        }
      }
      if (o.scenario.equals("calls")) {
        while (outstanding.size() < o.inFlight && callsSent < o.maxMessages) {
          String id = Long.toString(callsSent++);
          sent++;
          outstanding.add(id);
          send(
              "{\"type\":\"rooms.members\",\"payload\":{\"roomId\":\""
                  + room.id
                  + "\"},\"rpcId\":\""
                  + id
                  + "\"}");
        }
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
        channel = ctx.channel();
        settled = true;
        connectPermits.release();
        connected.countDown();
      } else if (evt
          == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
        handshakeFailed();
      }
      super.userEventTriggered(ctx, evt);
    }

    /**
     * A handshake that timed out, was refused (a 503 from a full server) or lost its connection:
     * counted, and its connect permit given back, once, so the run ends with the failure counted
     * instead of waiting for a permit that never comes back.
     */
    private void handshakeFailed() {
      if (!settled) {
        settled = true;
        connectFailures++;
        connectPermits.release();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      handshakeFailed();
      super.channelInactive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame msg) throws IOException {
      if (!(msg instanceof TextWebSocketFrame) && !(msg instanceof BinaryWebSocketFrame)) {
        return;
      }
      framesIn++;
      ByteBuf c = msg.content();
      int len = c.readableBytes();
      byte[] data = len <= scratch.length ? scratch : new byte[len];
      c.getBytes(c.readerIndex(), data, 0, len);
      String type = null;
      String rpcId = null;
      String roomId = null;
      String userName = null;
      String content = null;
      long n = -1;
      boolean error = false;
      String first = null;
      int items = 0;
      try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), data, 0, len)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          bad++;
          return;
        }
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
          String field = p.currentName();
          JsonToken t = p.nextToken();
          switch (field) {
            case "type" -> type = p.getString();
            case "rpcId" -> rpcId = p.getString();
            case "error" -> {
              error = true;
              p.skipChildren();
            }
            case "payload" -> {
              if (t == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                  String f = p.currentName();
                  p.nextToken();
                  switch (f) {
                    case "roomId" -> roomId = p.getString();
                    case "userName" -> userName = p.getString();
                    case "content" -> content = p.getString();
                    case "n" -> n = p.getLongValue();
                    default -> p.skipChildren();
                  }
                }
              } else if (t == JsonToken.START_ARRAY) {
                while (p.nextToken() != JsonToken.END_ARRAY) {
                  if (items++ == 0) {
                    first = p.getString();
                  }
                  p.skipChildren();
                }
              } else {
                p.skipChildren();
              }
            }
            default -> p.skipChildren();
          }
        }
      }
      if (type == null) {
        bad++;
        return;
      }
      switch (type) {
        case "rooms.onMessage" -> onMessage(content);
        case "rooms.onJoin" -> {
          if (!hasJoined && name.equals(userName) && room.id.equals(roomId)) {
            hasJoined = true;
            joined.countDown();
            refill();
          }
        }
        case "__stream_item" -> {
          if (n == streamed) {
            streamed++;
            delivered++;
          } else if (n > streamed) {
            lost += n - streamed;
            streamed = n + 1;
            delivered++;
          } else {
            reordered++;
          }
          refill();
        }
        case "__stream_end" -> {
          streamEnded = true;
          if (streamed < o.maxMessages) {
            bad++; // failed or ended early
          }
        }
        case "__rpc_res" -> {
          if (o.scenario.equals("stream") && "s".equals(rpcId)) {
            if (error) { // the start was refused
              bad++;
              streamEnded = true;
            }
            return;
          }
          if (rpcId != null && outstanding.remove(rpcId)) {
            delivered++;
            if (items != 1 || !name.equals(first)) {
              bad++;
            }
            refill();
          } else {
            bad++;
          }
        }
        default -> {
          // rooms.onLeave and others: not part of any scenario.
        }
      }
    }

    private void onMessage(String content) {
      if (content == null) {
        bad++;
        return;
      }
      int colon = content.indexOf(':');
      int s = Integer.parseInt(content, 0, colon, 10);
      int stop = colon + 1;
      while (stop < content.length() && Character.isDigit(content.charAt(stop))) {
        stop++;
      }
      long seq = Long.parseLong(content, colon + 1, stop, 10);
      if (s < 0 || s >= room.senders) {
        bad++;
        return;
      }
      delivered++;
      long want = expected[s];
      if (seq < want) {
        reordered++;
        return;
      }
      if (seq > want) {
        lost += seq - want;
      }
      expected[s] = seq + 1;
      int[] ring = room.received[s];
      int i = (int) (seq % ring.length);
      if (++ring[i] == room.members.length) {
        while (room.acked[s] < room.sent[s]) {
          int j = (int) (room.acked[s] % ring.length);
          if (ring[j] != room.members.length) {
            break;
          }
          ring[j] = 0;
          room.acked[s]++;
        }
        room.members[s].refill();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      handshakeFailed();
      ctx.close();
    }
  }

  static {
    // The tools print one JSON line; keep Netty's own logging quiet unless asked for.
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
  }
}
