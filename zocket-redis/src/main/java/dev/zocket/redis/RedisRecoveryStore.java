package dev.zocket.redis;

import dev.zocket.spi.RecoveryStore;
import dev.zocket.spi.Target;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.Range;
import io.lettuce.core.RedisClient;
import io.lettuce.core.SetArgs;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.UnblockType;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.XTrimArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recovery store of a Redis backplane (see {@link RedisBackplane#recoveryStore}): every node
 * appends its events to one Redis stream, <code>{&lt;prefix&gt;}:events</code>, capped at about
 * {@code maxEvents} entries and trimmed of those older than the window, and every node reads the
 * whole stream, in its order, on a thread of its own ({@code zocket-redis-events-<nodeId>}),
 * delivering each event to its own recipients: the stream's order is the one order of every
 * connection of the cluster, and an entry's id ({@code <milliseconds>-<sequence>}) is the event's
 * position. Sessions are keys <code>{&lt;prefix&gt;}:session:&lt;token&gt;</code> with a time to
 * live. The braces are a Redis Cluster hash tag: the stream and the sessions share one slot, so a
 * resumption (take the session, read the events after its position) needs one shard; on a cluster
 * all of recovery's traffic goes through that shard.
 *
 * <p>A resumption runs on the reading thread, between two batches of entries, with the entries
 * after the client's position up to the last one delivered ({@code XRANGE}); on a single Redis the
 * thread is woken for it ({@code CLIENT UNBLOCK}) rather than waiting for its next read to time out
 * (at most 250 ms, which a resumption on a Redis Cluster waits, where the blocked read's connection
 * cannot be named to another). Events after a position are all kept while Redis has deleted no
 * entry after it ({@code max-deleted-entry-id} of {@code XINFO STREAM}, Redis 7 or later).
 *
 * <p>Memory: the stream is bounded by count ({@code MAXLEN ~ maxEvents}, which may run over by a
 * block of entries) and by age ({@code MINID ~}), not by bytes, which Redis streams cannot be
 * trimmed by: Redis holds about {@code maxEvents} times the size of the events (see {@link
 * RedisBackplane#recoveryStore}). A resumption holds the events it hands back in this node's heap.
 *
 * <p>While Redis is unreachable, events cannot be appended: they reach no one; the outage is logged
 * once at WARN, each event at debug, and the end of the outage at INFO with the number of events
 * lost.
 */
final class RedisRecoveryStore implements RecoveryStore {
  private static final Logger logger = LoggerFactory.getLogger(RedisRecoveryStore.class);
  private static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
  private static final Pattern STREAM_ID = Pattern.compile("[0-9]{1,20}-[0-9]{1,20}");

  /** The field of a stream entry that holds the event (an {@link Envelope}). */
  private static final String FIELD = "e";

  /** The longest a read blocks; a resumption or close wakes it sooner. */
  private static final long BLOCK_MILLIS = 250;

  /** Entries read at once. */
  private static final int BATCH = 512;

  private final Supplier<AbstractRedisClient> client;

  /** The bytes waiting for Redis, the backplane's publishes included: appends count against it. */
  private final PendingBytes budget;

  private final String nodeId;
  private final String stream;
  private final String sessionPrefix;
  private final long windowMillis;
  private final int maxEvents;

  private final ConcurrentLinkedQueue<Resumption> resumptions = new ConcurrentLinkedQueue<>();

  /** Events that could not be appended since the outage began. */
  private final AtomicLong failedAppends = new AtomicLong();

  private volatile boolean closed;
  private volatile boolean failing;

  private StatefulConnection<String, byte[]> commandConnection;
  private StatefulConnection<String, byte[]> controlConnection;
  private StatefulConnection<String, byte[]> readConnection;

  /** Appends and trims: under load, a queue of events on their way. */
  private RedisClusterAsyncCommands<String, byte[]> commands;

  /**
   * Sessions and wake-ups, on a connection of their own so that they never wait behind the events
   * on their way: a session saved as its client drops must be in Redis by the time the client
   * resumes on another node, however many events this node is appending.
   */
  private RedisClusterAsyncCommands<String, byte[]> control;

  private RedisClusterCommands<String, byte[]> read;

  /** The reading connection's client id, for {@code CLIENT UNBLOCK}; 0 on a cluster. */
  private long readerId;

  private Thread reader;
  private Log node;

  /** Reading thread only: the id of the last entry delivered, or 0-0. */
  private String last = "0-0";

  /** Reading thread only: when the stream was last trimmed of old entries. */
  private long trimmedAt;

  RedisRecoveryStore(
      Supplier<AbstractRedisClient> client,
      PendingBytes budget,
      String nodeId,
      String prefix,
      long windowMillis,
      int maxEvents) {
    this.client = client;
    this.budget = budget;
    this.nodeId = nodeId;
    this.stream = "{" + prefix + "}:events";
    this.sessionPrefix = "{" + prefix + "}:session:";
    this.windowMillis = windowMillis;
    this.maxEvents = maxEvents;
  }

  @Override
  public void start(Log log) {
    this.node = log;
    AbstractRedisClient c = client.get();
    if (c instanceof RedisClusterClient cluster) {
      StatefulRedisClusterConnection<String, byte[]> command = cluster.connect(CODEC);
      StatefulRedisClusterConnection<String, byte[]> controlling = cluster.connect(CODEC);
      StatefulRedisClusterConnection<String, byte[]> reading = cluster.connect(CODEC);
      commandConnection = command;
      controlConnection = controlling;
      readConnection = reading;
      Shards.open(cluster, command::getConnection);
      Shards.open(cluster, controlling::getConnection);
      Shards.open(cluster, reading::getConnection);
      commands = command.async();
      control = controlling.async();
      read = reading.sync();
    } else {
      StatefulRedisConnection<String, byte[]> command = ((RedisClient) c).connect(CODEC);
      StatefulRedisConnection<String, byte[]> controlling = ((RedisClient) c).connect(CODEC);
      StatefulRedisConnection<String, byte[]> reading = ((RedisClient) c).connect(CODEC);
      commandConnection = command;
      controlConnection = controlling;
      readConnection = reading;
      commands = command.async();
      control = controlling.async();
      read = reading.sync();
      readerId = read.clientId();
    }
    last = newest();
    reader = new Thread(this::read, "zocket-redis-events-" + nodeId);
    reader.setDaemon(true);
    reader.start();
    logger.info("Recovery store of node {} reads the stream {} from {}", nodeId, stream, last);
  }

  @Override
  public void append(Target target, byte[] text) {
    byte[] entry = Envelope.encode(nodeId, 0, target, text);
    int bytes = entry.length;
    if (!budget.take(bytes)) {
      appended(
          new IllegalStateException(
              "Redis is not keeping up: "
                  + budget.pending()
                  + " bytes are waiting for it, the most allowed is "
                  + budget.max()));
      return;
    }
    XAddArgs args = new XAddArgs().maxlen(maxEvents).approximateTrimming();
    commands
        .xadd(stream, args, Map.of(FIELD, entry))
        .whenComplete(
            (id, t) -> {
              budget.release(bytes);
              appended(t);
            });
  }

  /** An append ended: counts and logs a failure (null: success), once per outage at WARN. */
  private void appended(Throwable t) {
    if (t == null) {
      if (failing && budget.drained()) {
        failing = false;
        logger.info(
            "Events reach the stream {} again; {} could not be appended meanwhile",
            stream,
            failedAppends.getAndSet(0));
      }
      return;
    }
    failedAppends.incrementAndGet();
    if (!failing) {
      failing = true;
      logger.warn(
          "Could not append events to the stream {}; they reach no one: {}", stream, t.toString());
    } else {
      logger.debug("Could not append an event", t);
    }
  }

  @Override
  public void resume(String position, Consumer<List<Event>> resume) {
    resumptions.add(new Resumption(position, resume));
    wake();
  }

  @Override
  public String position() {
    return last;
  }

  @Override
  public void saveSession(String token, byte[] record, long ttlMillis) {
    control
        .set(sessionPrefix + token, record, SetArgs.Builder.px(ttlMillis))
        .exceptionally(
            t -> {
              logger.warn("Could not save a session: {}", t.toString());
              return null;
            });
  }

  @Override
  public CompletionStage<byte[]> takeSession(String token) {
    return control.getdel(sessionPrefix + token);
  }

  @Override
  public CompletionStage<Boolean> removeSession(String token) {
    return control.del(sessionPrefix + token).thenApply(n -> n != null && n > 0);
  }

  @Override
  public void close() {
    closed = true;
    if (reader != null) {
      wake();
      try {
        reader.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (readConnection != null) {
      readConnection.close();
    }
    if (commandConnection != null) {
      commandConnection.close();
    }
    if (controlConnection != null) {
      controlConnection.close();
    }
  }

  /** Makes a blocked read return now. */
  private void wake() {
    if (control != null && readerId != 0) {
      control.clientUnblock(readerId, UnblockType.TIMEOUT);
    }
  }

  /** The reading thread: delivers the stream's entries in order, and runs the resumptions. */
  private void read() {
    XReadArgs args = XReadArgs.Builder.block(BLOCK_MILLIS).count(BATCH);
    while (!closed) {
      try {
        // Those queued now; one that must wait for this node to read further goes back.
        for (int n = resumptions.size(); n > 0; n--) {
          Resumption r = resumptions.poll();
          if (r != null && !r.run()) {
            resumptions.add(r);
          }
        }
        List<StreamMessage<String, byte[]>> batch =
            read.xread(args, XReadArgs.StreamOffset.from(stream, last));
        for (StreamMessage<String, byte[]> m : batch) {
          Event e = event(m);
          last = m.getId();
          if (e != null) {
            node.deliver(e);
          }
        }
        trimOld();
      } catch (RuntimeException e) {
        if (!closed) {
          logger.debug("Reading the stream {} failed; trying again", stream, e);
          pause();
        }
      }
    }
  }

  /** Trims the entries older than the window, once a second. */
  private void trimOld() {
    long now = System.currentTimeMillis();
    if (now - trimmedAt >= 1_000) {
      trimmedAt = now;
      read.xtrim(stream, new XTrimArgs().minId((now - windowMillis) + "-0").approximateTrimming());
    }
  }

  /**
   * A client resuming from a position. Nodes read the stream each at its own pace, so a client that
   * comes from a node further ahead may have received events this node has not read yet: then the
   * resumption waits (it runs again after the next batch) until this node has read up to the
   * client's position, so that it neither replays what the client has nor delivers it twice. A
   * position past the end of the stream is not this store's.
   */
  private final class Resumption {
    private final String position;
    private final Consumer<List<Event>> resume;

    Resumption(String position, Consumer<List<Event>> resume) {
      this.position = position;
      this.resume = resume;
    }

    /** Resumes, or returns false to run again once this node has read further. Reading thread. */
    boolean run() {
      if (position == null) {
        resume.accept(List.of());
      } else if (!STREAM_ID.matcher(position).matches()) {
        resume.accept(null);
      } else if (compareIds(position, last) <= 0) {
        resume.accept(missed(position));
      } else if (compareIds(position, newest()) <= 0) {
        return false; // this node has not read that far yet
      } else {
        resume.accept(null);
      }
      return true;
    }
  }

  /** The id of the newest entry of the stream, or 0-0. Reading thread. */
  private String newest() {
    List<StreamMessage<String, byte[]>> newest =
        read.xrevrange(stream, Range.create("-", "+"), io.lettuce.core.Limit.from(1));
    return newest.isEmpty() ? "0-0" : newest.get(0).getId();
  }

  /**
   * The events after a position, at most the last one delivered, up to the last one delivered; null
   * if some are gone.
   */
  private List<Event> missed(String position) {
    if (compareIds(maxDeleted(), position) > 0) {
      return null;
    }
    List<Event> events = new ArrayList<>();
    String from = position;
    while (compareIds(from, last) < 0) {
      List<StreamMessage<String, byte[]>> page =
          read.xrange(stream, Range.create(from, last), io.lettuce.core.Limit.from(BATCH));
      boolean advanced = false;
      for (StreamMessage<String, byte[]> m : page) {
        if (compareIds(m.getId(), position) <= 0 || compareIds(m.getId(), from) <= 0) {
          continue;
        }
        Event e = event(m);
        if (e != null) {
          events.add(e);
        }
        from = m.getId();
        advanced = true;
      }
      if (!advanced) {
        break;
      }
    }
    // Trimmed while reading? Then an event in the middle may be missing.
    return compareIds(maxDeleted(), position) > 0 ? null : events;
  }

  /** The id of the last entry Redis deleted from the stream (trimmed), or 0-0. */
  private String maxDeleted() {
    List<Object> info;
    try {
      info = read.xinfoStream(stream);
    } catch (RuntimeException e) {
      return "0-0"; // no stream yet: nothing was deleted
    }
    for (int i = 0; i + 1 < info.size(); i += 2) {
      if ("max-deleted-entry-id".equals(text(info.get(i)))) {
        String id = text(info.get(i + 1));
        return id != null && STREAM_ID.matcher(id).matches() ? id : "0-0";
      }
    }
    throw new IllegalStateException(
        "Redis 7 or later is needed: XINFO STREAM has no max-deleted-entry-id");
  }

  private static String text(Object o) {
    if (o instanceof byte[] b) {
      return new String(b, StandardCharsets.UTF_8);
    }
    return o == null ? null : o.toString();
  }

  private Event event(StreamMessage<String, byte[]> m) {
    byte[] bytes = m.getBody().get(FIELD);
    Envelope e = bytes == null ? null : Envelope.decode(bytes);
    if (e == null) {
      logger.debug("Skipped an entry of {} that is not an event: {}", stream, m.getId());
      return null;
    }
    return new Event(m.getId(), e.target, e.frame);
  }

  @Override
  public int compare(String a, String b) {
    if (!STREAM_ID.matcher(a).matches() || !STREAM_ID.matcher(b).matches()) {
      throw new IllegalArgumentException("Not a position of this store");
    }
    return compareIds(a, b);
  }

  /** Compares two stream ids. */
  static int compareIds(String a, String b) {
    int da = a.indexOf('-');
    int db = b.indexOf('-');
    int c =
        Long.compareUnsigned(
            Long.parseUnsignedLong(a, 0, da, 10), Long.parseUnsignedLong(b, 0, db, 10));
    if (c != 0) {
      return c;
    }
    return Long.compareUnsigned(
        Long.parseUnsignedLong(a, da + 1, a.length(), 10),
        Long.parseUnsignedLong(b, db + 1, b.length(), 10));
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
