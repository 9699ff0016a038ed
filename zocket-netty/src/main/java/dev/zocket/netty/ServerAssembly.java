package dev.zocket.netty;

import dev.zocket.internal.Contract;
import dev.zocket.internal.Contracts;
import dev.zocket.internal.Dispatcher;
import dev.zocket.internal.EventEmitters;
import dev.zocket.internal.HeaderBinder;
import dev.zocket.internal.JsonCodec;
import dev.zocket.internal.JsonMappers;
import dev.zocket.internal.Observers;
import dev.zocket.internal.PayloadValidator;
import dev.zocket.internal.Protocol;
import dev.zocket.internal.RouteTable;
import dev.zocket.spi.Backplane;
import dev.zocket.spi.RecoveryStore;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.util.NettyRuntime;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wires a {@link ZocketServer} from the settings of its {@link ZocketServer.Builder}: the codec,
 * validator and dispatcher, the directory, fan-out and backplane link, recovery, the emitters, the
 * handshake headers, the handler executor and the {@link ServerState}; then it starts the backplane
 * and the recovery store, binds a socket (epoll when available, else NIO) or Netty's in-JVM local
 * transport, and on a failure stops again what it had started. Kept apart from the builder so that
 * the builder only collects options and this class only puts them together. Called by {@link
 * ZocketServer.Builder#start} on the caller's thread; it blocks until the server is bound.
 */
final class ServerAssembly {
  /** The server's own log, where its start is reported next to its close. */
  private static final Logger log = LoggerFactory.getLogger(ZocketServer.class);

  private ServerAssembly() {}

  /**
   * Builds and binds a server from {@code b}'s current settings, whose timeouts {@link
   * ZocketServer.Builder#start} has checked.
   *
   * @throws UncheckedIOException if the address cannot be bound
   * @throws IllegalStateException if the backplane's node id is not valid, or the native transport
   *     asked for is not available
   * @throws RuntimeException what the backplane throws if it cannot start
   */
  static ZocketServer start(ZocketServer.Builder<?, ?> b) {
    IoTransport transport = b.inProcessName != null ? null : transport(b.transport);
    ExecutorService owned = null;
    Executor handlerExecutor = b.executor;
    if (handlerExecutor == null) {
      owned = defaultHandlerExecutor();
      handlerExecutor = owned;
    }
    Parts parts;
    try {
      parts = assemble(b, handlerExecutor);
    } catch (RuntimeException e) {
      if (owned != null) {
        owned.shutdown();
      }
      throw e;
    }
    Backplane backplane = b.backplane;
    try {
      if (parts.backplane != null) {
        parts.backplane.start(parts.fanout);
      }
      parts.recovery.start();
    } catch (RuntimeException e) {
      if (backplane != null) {
        ZocketServer.closeBackplane(backplane);
      }
      if (owned != null) {
        owned.shutdown();
      }
      throw e;
    }
    return bind(b, transport, parts, owned, backplane);
  }

  /**
   * The parts of a server: the pipeline of its sockets, and what the server itself uses.
   *
   * @param backplane this node's link to the backplane; null without one
   */
  record Parts(
      ServerInitializer pipeline,
      EventEmitters emitters,
      Directory directory,
      Fanout fanout,
      BackplaneLink backplane,
      Recovery recovery,
      ServerState state,
      Hardening hardening,
      Cluster cluster) {}

  /**
   * The pipeline of the sockets of a server with {@code b}'s settings, whose handlers run on {@code
   * handlerExecutor}: for the stages' tests in an {@code EmbeddedChannel}.
   *
   * @throws IllegalStateException if the backplane's node id is not valid
   */
  static ServerInitializer pipeline(ZocketServer.Builder<?, ?> b, Executor handlerExecutor) {
    return assemble(b, handlerExecutor).pipeline;
  }

  /**
   * The parts of a server with {@code b}'s settings whose handlers run on {@code handlerExecutor},
   * without a socket, nothing started.
   *
   * @throws IllegalStateException if the backplane's node id is not valid
   */
  static Parts assemble(ZocketServer.Builder<?, ?> b, Executor handlerExecutor) {
    ObjectMapper base = b.objectMapper != null ? b.objectMapper : JsonMapper.builder().build();
    JsonCodec codec = new JsonCodec(JsonMappers.configure(base, b.jsonLimits));
    RouteTable table = b.routes.build();
    List<JavaType> payloads = new ArrayList<>();
    for (Class<?> contract : table.contracts()) {
      Contract c = Contracts.of(contract);
      codec.checkMappable(c);
      payloads.addAll(c.payloadTypes());
    }
    PayloadValidator validator = PayloadValidator.forTypes(codec.mapper(), b.validator, payloads);
    Hardening hardening = hardening(b);
    Observers observers = Observers.of(b.observers);
    ServerState state = new ServerState(hardening, observers);
    Dispatcher dispatcher =
        new Dispatcher(table, codec, validator, b.interceptors, b.arounds, state.drops, observers);
    Backplane backplane = b.backplane;
    ClientIds ids = new ClientIds(backplane == null ? "" : nodeId(backplane) + ".");
    BackplaneLink link = backplane == null ? null : new BackplaneLink(backplane, observers);
    RoomMemory roomMemory = new RoomMemory(b.maxRoomMemory);
    boolean recovers = b.recoveryWindow != null;
    // Under recovery the store carries events between nodes: rooms are not subscribed to.
    Directory directory = new Directory(roomMemory, recovers ? null : link);
    int ioThreads = b.ioThreads > 0 ? b.ioThreads : NettyRuntime.availableProcessors() * 2;
    Fanout fanout = new Fanout(directory, link, observers, ioThreads);
    Recovery recovery;
    if (recovers) {
      long window = b.recoveryWindow.toMillis();
      RecoveryStore store =
          backplane != null
              ? backplane.recoveryStore(window, b.recoveryMaxEvents)
              : new MemoryRecoveryStore(
                  window,
                  b.recoveryMaxEvents,
                  b.maxRecoveryMemory,
                  System::currentTimeMillis,
                  observers);
      Sessions sessions =
          new Sessions(
              store,
              roomMemory,
              window,
              backplane != null,
              codec.mapper(),
              handlerExecutor,
              b.onDisconnect);
      recovery =
          new SessionRecovery(store, sessions, fanout, directory, ids, codec.writer(), observers);
    } else {
      recovery = new NoRecovery(fanout, directory, codec.writer());
    }
    AckedEvents acks =
        new AckedEvents(
            directory,
            codec,
            validator,
            handlerExecutor,
            new AckedEvents.Limits(
                b.ackTimeout.toMillis(), b.maxPendingAcksPerConnection, b.maxPendingAcks),
            backplane == null ? "" : nodeId(backplane) + ".");
    EventEmitters emitters =
        new EventEmitters(codec, validator, b.validateOutgoing, recovery.events(), acks);
    HandshakeHeaders headers =
        b.headersType == null
            ? HandshakeHeaders.asMap()
            : HandshakeHeaders.bound(
                new HeaderBinder<>(
                    b.headersType, JsonMappers.configureForHeaders(base, b.jsonLimits), validator),
                codec.mapper());
    ClusterControl control =
        new ClusterControl(
            backplane == null ? "" : nodeId(backplane),
            link,
            directory,
            codec.mapper(),
            b.presence,
            handlerExecutor);
    if (link != null) {
      link.controlTo(control);
    }
    Application app =
        new Application(
            dispatcher,
            emitters,
            handlerExecutor,
            b.onConnect,
            b.onDisconnect,
            observers,
            control.cluster);
    Connections connections =
        new Connections(
            app,
            state,
            hardening.maxCallsInFlight(),
            new RoomLimits(hardening.maxRoomsPerConnection(), hardening.maxRoomIdLength()),
            directory,
            recovery,
            ids);
    HandshakeHandler handshake =
        new HandshakeHandler(
            b.path,
            hardening.hostAndOrigin(),
            b.authenticator,
            headers,
            b.httpHandler,
            codec.writer(),
            observers,
            WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(b.maxFrameSize)
                .allowExtensions(hardening.compression())
                // FrameHandler closes, completing the closing handshake.
                .closeOnProtocolViolation(false)
                .withUTF8Validator(false) // FrameHandler checks text messages, faster (Utf8)
                .build());
    ServerInitializer pipeline =
        new ServerInitializer(
            hardening,
            b.maxFrameSize,
            state.channels,
            handshake,
            frameStages(b, hardening, dispatcher, state, observers, connections));
    return new Parts(
        pipeline, emitters, directory, fanout, link, recovery, state, hardening, control.cluster);
  }

  /** Makes each socket's frame stage, from the parts they all share, made once. */
  private static Supplier<FrameHandler> frameStages(
      ZocketServer.Builder<?, ?> b,
      Hardening h,
      Dispatcher dispatcher,
      ServerState state,
      Observers observers,
      Connections connections) {
    Heartbeat.Timing timing =
        new Heartbeat.Timing(h.handshakeTimeout(), b.idleTimeout, b.pingInterval);
    RateLimiter.Limit rateLimit =
        new RateLimiter.Limit(h.messagesPerSecond(), h.messageBurst(), h.rateLimitPolicy());
    SlowConsumers slowConsumers =
        new SlowConsumers(
            h.slowConsumerPolicy(),
            h.maxBacklogBytes(),
            h.maxBacklogTime(),
            state.backlogs,
            state.drops,
            state.slowConsumersClosed,
            observers);
    int maxFrameSize = b.maxFrameSize;
    FrameHandler.Shared shared =
        new FrameHandler.Shared(
            dispatcher, maxFrameSize, timing, rateLimit, slowConsumers, state, connections);
    return () -> new FrameHandler(shared);
  }

  /** The limits, policies, TLS and compression of the builder, with the defaults resolved. */
  private static Hardening hardening(ZocketServer.Builder<?, ?> b) {
    return new Hardening(
        b.sslContext,
        b.compression,
        new HostAndOrigin(b.allowedOrigins, b.allowedHosts),
        b.maxConnections != null
            ? b.maxConnections
            : Admission.defaultMax(b.maxFrameSize, b.writeBufferHigh),
        b.maxConnectionsPerAddress,
        b.handshakeTimeout,
        b.maxRoomsPerConnection,
        b.maxRoomIdLength,
        b.messagesPerSecond,
        b.messageBurst,
        b.rateLimitPolicy,
        b.maxCallsInFlight,
        b.slowConsumerPolicy,
        b.writeBufferLow,
        b.writeBufferHigh,
        b.maxBacklogBytes,
        b.maxBacklogTime,
        b.maxBacklogMemory,
        b.maxInboundMemory,
        b.gracePeriod);
  }

  /** The backplane's node id, which prefixes client ids, once checked. */
  private static String nodeId(Backplane backplane) {
    String nodeId = backplane.nodeId();
    if (!Protocol.isNodeId(nodeId)) {
      throw new IllegalStateException(
          "The backplane's node id must be " + Protocol.NODE_ID_RULE + ": '" + nodeId + "'");
    }
    return nodeId;
  }

  /** A cached pool of daemon threads, owned and shut down by the server. */
  private static ExecutorService defaultHandlerExecutor() {
    return new ThreadPoolExecutor(
        0,
        Integer.MAX_VALUE,
        60,
        TimeUnit.SECONDS,
        new SynchronousQueue<>(),
        new DefaultThreadFactory("zocket-handler", true));
  }

  /**
   * The transport to use for the one asked for: {@link IoTransport#AUTO} resolved to epoll or NIO.
   *
   * @throws IllegalStateException if a native transport was asked for and is not available
   */
  private static IoTransport transport(IoTransport asked) {
    return switch (asked) {
      case AUTO -> Epoll.isAvailable() ? IoTransport.EPOLL : IoTransport.NIO;
      case EPOLL -> {
        if (!Epoll.isAvailable()) {
          throw new IllegalStateException(
              "The epoll transport is not available: " + Epoll.unavailabilityCause());
        }
        yield asked;
      }
      case IO_URING -> {
        if (!IoUring.isAvailable()) {
          throw new IllegalStateException(
              "The io_uring transport is not available: " + IoUring.unavailabilityCause());
        }
        yield asked;
      }
      case NIO -> asked;
    };
  }

  /**
   * Starts the I/O threads and binds the socket with {@code transport} (null: the in-process
   * address), serving {@code parts}. On a failure, stops what was started (the I/O threads, the
   * owned executor, the backplane) and throws.
   */
  private static ZocketServer bind(
      ZocketServer.Builder<?, ?> b,
      IoTransport transport,
      Parts parts,
      ExecutorService owned,
      Backplane backplane) {
    boolean local = transport == null;
    IoHandlerFactory io =
        switch (transport == null ? IoTransport.AUTO : transport) {
          case EPOLL -> EpollIoHandler.newFactory();
          case IO_URING -> IoUringIoHandler.newFactory();
          default -> local ? LocalIoHandler.newFactory() : NioIoHandler.newFactory();
        };
    IoThreads ioThreads = new IoThreads();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(b.ioThreads, ioThreads, io);
    ServerBootstrap bootstrap = new ServerBootstrap().group(group).childHandler(parts.pipeline);
    if (local) {
      bootstrap.channel(LocalServerChannel.class);
    } else {
      Class<? extends ServerChannel> channelType =
          switch (transport) {
            case EPOLL -> EpollServerSocketChannel.class;
            case IO_URING -> IoUringServerSocketChannel.class;
            default -> NioServerSocketChannel.class;
          };
      bootstrap
          .channel(channelType)
          .option(ChannelOption.SO_BACKLOG, 1024)
          .option(ChannelOption.SO_REUSEADDR, true)
          .childOption(ChannelOption.TCP_NODELAY, true);
    }
    Channel channel;
    try {
      channel =
          (local
                  ? bootstrap.bind(new LocalAddress(b.inProcessName))
                  : bootstrap.bind(b.host, b.port))
              .syncUninterruptibly()
              .channel();
    } catch (Exception e) { // Netty rethrows the checked BindException undeclared
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      if (owned != null) {
        owned.shutdown();
      }
      if (backplane != null) {
        ZocketServer.closeBackplane(backplane);
      }
      throw new UncheckedIOException(
          "Cannot bind "
              + (local ? "in process " + b.inProcessName : b.host + ":" + b.port)
              + ": "
              + e.getMessage(),
          e instanceof IOException io2 ? io2 : new IOException(e));
    }
    ZocketServer server =
        new ZocketServer(
            parts, group, ioThreads, channel, owned, b.shutdownTimeout, backplane, b.host, b.path);
    log.info(
        "Zocket server listening on {} ({}{})",
        server.uri(),
        local ? "in process" : transport.name().toLowerCase(Locale.ROOT),
        b.path == null ? "" : ", path " + b.path);
    return server;
  }
}
