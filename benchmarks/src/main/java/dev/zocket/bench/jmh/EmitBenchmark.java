package dev.zocket.bench.jmh;

import com.sun.management.ThreadMXBean;
import dev.zocket.Context;
import dev.zocket.bench.Transport;
import dev.zocket.bench.jmh.ChatContracts.ChatMessage;
import dev.zocket.bench.jmh.ChatContracts.Joined;
import dev.zocket.bench.jmh.ChatContracts.PostMessage;
import dev.zocket.bench.jmh.ChatContracts.RoomEvents;
import dev.zocket.bench.jmh.ChatContracts.RoomId;
import dev.zocket.bench.jmh.ChatContracts.Rooms;
import dev.zocket.netty.ZocketServer;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Emit-to-room through a real {@link ZocketServer} (one I/O thread, 127.0.0.1) to {@code
 * recipients} connected WebSocket clients in the same JVM; each operation waits until every
 * recipient has read the frame, so nothing queues up between operations.
 *
 * <p>{@code -prof gc} counts the clients' allocation too. The server's own share is printed after
 * each iteration ({@code server alloc: .. B/op}) from the allocation counters of the server's
 * threads ({@code zocket-*}) and, for {@link #emitFromOutside}, the benchmark thread; the cost per
 * extra recipient is the difference between two {@code recipients} values divided by the difference
 * in recipients.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Dio.netty.leakDetection.level=disabled"})
public class EmitBenchmark {
  private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

  /** Room members, the sender included. */
  @Param({"1", "10", "100"})
  public int recipients;

  private ZocketServer server;
  private EventLoopGroup clientLoop;
  private final List<Channel> clients = new ArrayList<>();
  private final AtomicLong received = new AtomicLong();
  private RoomEvents room;
  private ChatMessage event;
  private TextWebSocketFrame post;

  private final ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
  private long allocAtStart;
  private long opsAtStart;
  private long ops;
  private boolean outside;

  /** Starts the server and connects and joins the clients. */
  @Setup(Level.Trial)
  public void setup() throws Exception {
    server =
        ZocketServer.builder()
            .handle(Rooms.class, RoomsHandler::new)
            .host("127.0.0.1")
            .port(0)
            .ioThreads(1)
            .rateLimit(0, 1) // a benchmark sends faster than the default 1,000 messages/s
            .start();
    clientLoop = Transport.oneLoop();
    URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/");
    for (int i = 0; i < recipients; i++) {
      Channel ch =
          new Bootstrap()
              .group(clientLoop)
              .channel(Transport.clientChannel())
              .option(ChannelOption.TCP_NODELAY, true)
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(
                              new HttpClientCodec(),
                              new HttpObjectAggregator(8192),
                              new WebSocketClientProtocolHandler(
                                  WebSocketClientProtocolConfig.newBuilder()
                                      .webSocketUri(uri)
                                      .build()),
                              new Counter());
                    }
                  })
              .connect("127.0.0.1", server.port())
              .sync()
              .channel();
      clients.add(ch);
    }
    awaitReceived(recipients); // one onJoin each, sent once its handshake completed and it joined
    room = server.emit(RoomEvents.class).toRoom("bench");
    event =
        new ChatMessage(
            "bench", "server", "hello, world", Instant.parse("2026-11-25T18:43:13.464Z"));
    post =
        new TextWebSocketFrame(
            "{\"type\":\"rooms.message\",\"payload\":{\"roomId\":\"bench\",\"content\":\"hello, world\"}}");
  }

  /** Closes everything. */
  @TearDown(Level.Trial)
  public void tearDown() {
    post.release();
    for (Channel ch : clients) {
      ch.close().syncUninterruptibly();
    }
    clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    server.close();
  }

  /** Records the server threads' allocation counters. */
  @Setup(Level.Iteration)
  public void startCounting() {
    allocAtStart = serverAllocated();
    opsAtStart = ops;
  }

  /** Prints the server's allocation per operation in the iteration. */
  @TearDown(Level.Iteration)
  public void stopCounting() {
    long n = ops - opsAtStart;
    if (n > 0) {
      double perOp = (serverAllocated() - allocAtStart) / (double) n;
      System.out.printf(
          "%n  server alloc (%s, %d recipients): %.1f B/op, %.1f B/recipient%n",
          outside ? "emitFromOutside" : "messageFanout", recipients, perOp, perOp / recipients);
    }
  }

  /** {@code server.emit(..).toRoom(..).onMessage(..)} called from a non-I/O thread. */
  @Benchmark
  public void emitFromOutside() {
    outside = true;
    long target = received.get() + recipients;
    room.onMessage(event);
    ops++;
    awaitReceived(target);
  }

  /**
   * A client posts {@code rooms.message}; the server's {@code @NonBlocking} handler emits {@code
   * rooms.onMessage} to the room from its I/O thread.
   */
  @Benchmark
  public void messageFanout() {
    outside = false;
    long target = received.get() + recipients;
    clients.get(0).writeAndFlush(post.retainedDuplicate(), clients.get(0).voidPromise());
    ops++;
    awaitReceived(target);
  }

  private void awaitReceived(long target) {
    long deadline = System.nanoTime() + WAIT_NANOS;
    while (received.get() < target) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("recipients got " + received.get() + " of " + target);
      }
      Thread.onSpinWait();
    }
  }

  private long serverAllocated() {
    long sum = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      boolean self = outside && t == Thread.currentThread();
      if (self || t.getName().startsWith("zocket-")) {
        long bytes = threads.getThreadAllocatedBytes(t.getId());
        if (bytes > 0) {
          sum += bytes;
        }
      }
    }
    return sum;
  }

  /** Counts the text frames a client reads; joins the room once connected. */
  private final class Counter extends SimpleChannelInboundHandler<WebSocketFrame> {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
        ctx.writeAndFlush(
            new TextWebSocketFrame("{\"type\":\"rooms.join\",\"payload\":{\"roomId\":\"bench\"}}"));
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame msg) {
      if (msg instanceof TextWebSocketFrame) {
        received.incrementAndGet();
      }
    }
  }

  /** Joins, and re-emits posted messages to their room from the I/O thread. */
  static final class RoomsHandler implements Rooms {
    private final Context<?> ctx;

    RoomsHandler(Context<?> ctx) {
      this.ctx = ctx;
    }

    @Override
    public void join(RoomId request) {
      ctx.rooms().join(request.roomId());
      ctx.emit(RoomEvents.class).to(ctx.clientId()).onJoin(new Joined(request.roomId(), "c"));
    }

    @Override
    public void message(PostMessage m) {
      ctx.emit(RoomEvents.class)
          .toRoom(m.roomId())
          .onMessage(new ChatMessage(m.roomId(), "c", m.content(), Instant.now()));
    }

    @Override
    public List<String> members(RoomId request) {
      return List.of();
    }
  }
}
