package dev.zocket.bench.baseline;

import dev.zocket.bench.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * The chat protocol of the Zocket chat example, written by hand on Netty and Jackson's streaming
 * API: the baseline every load figure is a ratio to.
 *
 * <p>One event loop (native epoll when available) owns every connection and room, so nothing is
 * locked. Each event is encoded once, WebSocket header included, into one buffer; every member gets
 * a retained duplicate of it written straight to the head of its pipeline, and every connection
 * written to during an event-loop pass is flushed once, at the end of the pass.
 *
 * <p>Routes in: {@code rooms.join}, {@code rooms.leave}, {@code rooms.message} and the call {@code
 * rooms.members}; events out: {@code rooms.onJoin}, {@code rooms.onLeave}, {@code rooms.onMessage}.
 * The handshake reads {@code user-name} from the query (then the HTTP header), default {@code
 * Anonymous}.
 *
 * <p>With an {@link SslContext} (from {@code --tls-cert PEM --tls-key PEM}: Netty's default
 * provider, as Zocket's {@code tls} option uses) every connection starts with Netty's {@link
 * io.netty.handler.ssl.SslHandler}, below the head the frames are written to: {@code wss://}.
 *
 * <p>Usage: {@code RawChatServer [--port N] [--host 127.0.0.1] [--tls-cert PEM --tls-key PEM]};
 * prints {@code LISTENING <port>} once bound.
 */
public final class RawChatServer implements AutoCloseable {
  private static final JsonFactory JSON = new JsonFactory();

  /** ISO-8601 in UTC with milliseconds, as JavaScript's {@code Date.toISOString()} writes it. */
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  /** Room left before the payload starts, for the largest WebSocket header (10 bytes). */
  private static final int HEADER_ROOM = 10;

  /** Name of the first handler, whose context writes straight to the socket. */
  private static final String HEAD = "raw-head";

  private final EventLoopGroup group;
  private final Channel server;
  private final EventLoop loop;
  private final Map<String, Set<Member>> rooms = new HashMap<>();
  private final List<Member> dirty = new ArrayList<>();
  private final Runnable flushDirty = this::flushDirty;
  private final byte[] scratch = new byte[64 * 1024];
  private boolean flushScheduled;

  private RawChatServer(String host, int port, SslContext ssl) throws InterruptedException {
    group = Transport.oneLoop();
    loop = group.next();
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(Transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 4096)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ChannelPipeline p = ch.pipeline();
                    if (ssl != null) {
                      p.addLast("tls", ssl.newHandler(ch.alloc()));
                    }
                    p.addLast(HEAD, HeadAnchor.INSTANCE);
                    p.addLast(new HttpServerCodec());
                    p.addLast(new HttpObjectAggregator(8192));
                    p.addLast(
                        new WebSocketServerProtocolHandler(
                            WebSocketServerProtocolConfig.newBuilder()
                                .websocketPath("/")
                                .checkStartsWith(true)
                                .maxFramePayloadLength(64 * 1024)
                                .build()));
                    p.addLast(new Member());
                  }
                });
    server = b.bind(new InetSocketAddress(Transport.loopback(host), port)).sync().channel();
  }

  /** Starts a server on a loopback host and port (0 for any free port). */
  public static RawChatServer start(String host, int port) throws InterruptedException {
    return new RawChatServer(host, port, null);
  }

  /**
   * Starts a server serving {@code wss://} with a server TLS context, on a loopback host and port
   * (0 for any free port).
   */
  public static RawChatServer start(String host, int port, SslContext ssl)
      throws InterruptedException {
    return new RawChatServer(host, port, Objects.requireNonNull(ssl, "ssl == null"));
  }

  /** The bound port. */
  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Runs the server until the process is killed. */
  public static void main(String[] args) throws InterruptedException, SSLException {
    String host = "127.0.0.1";
    int port = 3000;
    File tlsCert = null;
    File tlsKey = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--host" -> host = args[++i];
        case "--port" -> port = Integer.parseInt(args[++i]);
        case "--tls-cert" -> tlsCert = new File(args[++i]);
        case "--tls-key" -> tlsKey = new File(args[++i]);
        default -> throw new IllegalArgumentException("Unknown argument: " + args[i]);
      }
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key go together");
    }
    RawChatServer s =
        tlsCert == null
            ? start(host, port)
            : start(host, port, SslContextBuilder.forServer(tlsCert, tlsKey).build());
    System.out.println(
        "LISTENING "
            + s.port()
            + (Transport.epoll() ? " epoll" : " nio")
            + (tlsCert != null ? " tls " + SslContext.defaultServerProvider() : ""));
    System.out.flush();
    s.server.closeFuture().sync();
  }

  // ------------------------------------------------------------------ events

  /** Encodes {@code {"type":..,"payload":{..}}} as one complete WebSocket text frame. */
  private ByteBuf frame(ByteBufAllocator alloc, String type, Payload payload, String rpcId) {
    ByteBuf buf = alloc.buffer(256);
    buf.writerIndex(HEADER_ROOM);
    try (JsonGenerator g =
        JSON.createGenerator(
            ObjectWriteContext.empty(), (java.io.OutputStream) new ByteBufOutputStream(buf))) {
      g.writeStartObject();
      g.writeStringProperty("type", type);
      g.writeName("payload");
      payload.write(g);
      if (rpcId != null) {
        g.writeStringProperty("rpcId", rpcId);
      }
      g.writeEndObject();
    } catch (IOException e) {
      buf.release();
      throw new UncheckedIOException(e);
    }
    int length = buf.writerIndex() - HEADER_ROOM;
    int start;
    if (length < 126) {
      start = HEADER_ROOM - 2;
      buf.setByte(start + 1, length);
    } else if (length < 65536) {
      start = HEADER_ROOM - 4;
      buf.setByte(start + 1, 126);
      buf.setShort(start + 2, length);
    } else {
      start = 0;
      buf.setByte(1, 127);
      buf.setLong(2, length);
    }
    buf.setByte(start, 0x81); // FIN + text
    buf.readerIndex(start);
    return buf;
  }

  @FunctionalInterface
  private interface Payload {
    void write(JsonGenerator g) throws IOException;
  }

  private void toRoom(Set<Member> members, ByteBuf frame) {
    try {
      for (Member m : members) {
        m.write(frame.retainedDuplicate());
      }
    } finally {
      frame.release();
    }
  }

  private void flushDirty() {
    flushScheduled = false;
    for (int i = 0, n = dirty.size(); i < n; i++) {
      Member m = dirty.get(i);
      m.dirty = false;
      m.head.flush();
    }
    dirty.clear();
  }

  // ------------------------------------------------------------------ connections

  /** One connection: its name, its rooms, and the head of its pipeline. */
  private final class Member extends SimpleChannelInboundHandler<WebSocketFrame> {
    private final Set<String> joined = new LinkedHashSet<>(4);
    private String name;
    private ChannelHandlerContext head;
    private boolean dirty;

    void write(ByteBuf frame) {
      head.write(frame, head.voidPromise());
      if (!dirty) {
        dirty = true;
        RawChatServer.this.dirty.add(this);
        if (!flushScheduled) {
          flushScheduled = true;
          loop.execute(flushDirty);
        }
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete hc) {
        List<String> q = new QueryStringDecoder(hc.requestUri()).parameters().get("user-name");
        String n = q != null && !q.isEmpty() ? q.get(0) : hc.requestHeaders().get("user-name");
        name = n == null ? "Anonymous" : n;
        head = ctx.pipeline().context(HEAD);
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame msg) {
      if (!(msg instanceof TextWebSocketFrame) && !(msg instanceof BinaryWebSocketFrame)) {
        return;
      }
      ByteBuf c = msg.content();
      byte[] data;
      int off;
      int len = c.readableBytes();
      if (c.hasArray()) {
        data = c.array();
        off = c.arrayOffset() + c.readerIndex();
      } else {
        data = len <= scratch.length ? scratch : new byte[len];
        c.getBytes(c.readerIndex(), data, 0, len);
        off = 0;
      }
      try {
        handle(ctx, data, off, len);
      } catch (IOException | RuntimeException e) {
        // Not an envelope: dropped, the connection stays open.
      }
    }

    private void handle(ChannelHandlerContext ctx, byte[] data, int off, int len)
        throws IOException {
      String type = null;
      String rpcId = null;
      String roomId = null;
      String content = null;
      try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), data, off, len)) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
          return;
        }
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
          String field = p.currentName();
          JsonToken t = p.nextToken();
          switch (field) {
            case "type" -> type = t == JsonToken.VALUE_STRING ? p.getString() : null;
            case "rpcId" -> rpcId = t == JsonToken.VALUE_STRING ? p.getString() : null;
            case "payload" -> {
              if (t == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                  String f = p.currentName();
                  JsonToken v = p.nextToken();
                  if (f.equals("roomId") && v == JsonToken.VALUE_STRING) {
                    roomId = p.getString();
                  } else if (f.equals("content") && v == JsonToken.VALUE_STRING) {
                    content = p.getString();
                  } else {
                    p.skipChildren();
                  }
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
        return;
      }
      switch (type) {
        case "rooms.join" -> {
          if (roomId != null && !roomId.isEmpty()) {
            join(ctx, roomId);
          }
        }
        case "rooms.leave" -> {
          if (roomId != null) {
            leave(ctx, roomId);
          }
        }
        case "rooms.message" -> {
          if (roomId != null && content != null) {
            message(ctx, roomId, content);
          }
        }
        case "rooms.members" -> {
          if (rpcId != null) {
            members(ctx, roomId, rpcId);
          }
        }
        default -> {
          // Unknown routes are dropped.
        }
      }
    }

    private void join(ChannelHandlerContext ctx, String roomId) {
      if (!joined.add(roomId)) {
        return;
      }
      Set<Member> members = rooms.computeIfAbsent(roomId, r -> new LinkedHashSet<>());
      members.add(this);
      String user = name;
      toRoom(members, frame(ctx.alloc(), "rooms.onJoin", g -> roomAndUser(g, roomId, user), null));
    }

    private void leave(ChannelHandlerContext ctx, String roomId) {
      Set<Member> members = rooms.get(roomId);
      if (members == null || !joined.contains(roomId)) {
        return;
      }
      String user = name;
      toRoom(members, frame(ctx.alloc(), "rooms.onLeave", g -> roomAndUser(g, roomId, user), null));
      removeFrom(roomId);
    }

    private void message(ChannelHandlerContext ctx, String roomId, String content) {
      if (!joined.contains(roomId)) {
        return;
      }
      Set<Member> members = rooms.get(roomId);
      String user = name;
      String timestamp = TIMESTAMP.format(Instant.ofEpochMilli(System.currentTimeMillis()));
      toRoom(
          members,
          frame(
              ctx.alloc(),
              "rooms.onMessage",
              g -> {
                g.writeStartObject();
                g.writeStringProperty("roomId", roomId);
                g.writeStringProperty("userName", user);
                g.writeStringProperty("content", content);
                g.writeStringProperty("timestamp", timestamp);
                g.writeEndObject();
              },
              null));
    }

    private void members(ChannelHandlerContext ctx, String roomId, String rpcId) {
      Set<Member> members = roomId == null ? null : rooms.get(roomId);
      write(
          frame(
              ctx.alloc(),
              "__rpc_res",
              g -> {
                g.writeStartArray();
                if (members != null) {
                  for (Member m : members) {
                    g.writeString(m.name);
                  }
                }
                g.writeEndArray();
              },
              rpcId));
    }

    private void removeFrom(String roomId) {
      joined.remove(roomId);
      Set<Member> members = rooms.get(roomId);
      if (members != null && members.remove(this) && members.isEmpty()) {
        rooms.remove(roomId);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      for (String roomId : new ArrayList<>(joined)) {
        removeFrom(roomId);
      }
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** Marks the head of a pipeline; writes from its context go straight to the transport. */
  @ChannelHandler.Sharable
  private static final class HeadAnchor extends ChannelHandlerAdapter {
    static final HeadAnchor INSTANCE = new HeadAnchor();
  }

  private static void roomAndUser(JsonGenerator g, String roomId, String user) throws IOException {
    g.writeStartObject();
    g.writeStringProperty("roomId", roomId);
    g.writeStringProperty("userName", user);
    g.writeEndObject();
  }
}
