package dev.zocket.netty;

import dev.zocket.internal.Delivery;
import dev.zocket.internal.EnvelopeWriter;
import dev.zocket.internal.Observers;
import dev.zocket.internal.Outgoing;
import dev.zocket.internal.Protocol;
import dev.zocket.spi.RecoveryStore;
import dev.zocket.spi.Target;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A server with connection-state recovery: every event is handed to the {@link RecoveryStore},
 * which numbers it, keeps it for the window and delivers it back, in the one order every connection
 * gets them, through this object (its {@link RecoveryStore.Log}) to the {@link Fanout}, each with
 * its position. The store's order also places each connection's registration among the events
 * ({@link RecoveryStore#resume}), so a resumed session is replayed exactly what it missed. The
 * sessions are the {@link Sessions}; each connection's part is a {@link SessionLink}.
 *
 * <p>Threading: any thread; the store calls {@link #deliver(RecoveryStore.Event)} one event at a
 * time.
 */
final class SessionRecovery implements Recovery, Delivery, RecoveryStore.Log {
  /** The recipients of the last event this thread delivered for the store. */
  private static final FastThreadLocal<int[]> DELIVERED =
      new FastThreadLocal<>() {
        @Override
        protected int[] initialValue() {
          return new int[1];
        }
      };

  final RecoveryStore store;
  final Sessions sessions;
  final Directory directory;
  final ClientIds ids;
  private final Fanout fanout;
  private final Observers observers;
  private final EnvelopeWriter writer;

  /** The part of connections whose clients did not ask for recovery: none. */
  private final NoRecovery.Off plain;

  /**
   * The positions of the last event whose recipients this node began to look up, and of the last
   * one whose recipients it has looked up: a room joined or left between them may or may not have
   * had the event (see {@link SessionRooms}). Null before the first event.
   */
  private volatile String started;

  private volatile String finished;

  SessionRecovery(
      RecoveryStore store,
      Sessions sessions,
      Fanout fanout,
      Directory directory,
      ClientIds ids,
      EnvelopeWriter writer,
      Observers observers) {
    this.store = store;
    this.sessions = sessions;
    this.fanout = fanout;
    this.directory = directory;
    this.ids = ids;
    this.writer = writer;
    this.observers = observers;
    this.plain = new NoRecovery.Off(directory, null);
  }

  @Override
  public Delivery events() {
    return this;
  }

  @Override
  public void start() {
    store.start(this);
  }

  @Override
  public void close() {
    sessions.shutdown();
    store.close();
  }

  @Override
  public RecoveryStore store() {
    return store;
  }

  @Override
  public Link link(Resume resume) {
    return resume.asked() ? new SessionLink(this, resume) : plain;
  }

  /** Hands an event to the store, which numbers it and delivers it (see {@link #deliver}). */
  @Override
  public void deliver(String route, Target target, Outgoing event) {
    byte[] text = event.toBytes();
    int[] delivered = DELIVERED.get();
    delivered[0] = 0;
    store.append(target, text);
    if (observers.enabled) {
      observers.onEventSent(route, delivered[0], text.length);
    }
  }

  /**
   * Delivers an event in the store's order: every write is handed to the recipient's I/O thread as
   * a task, even on that thread, so that each connection is written its events in the order of
   * their positions.
   */
  @Override
  public void deliver(RecoveryStore.Event event) {
    byte[] text = Protocol.withPosition(event.text(), event.position());
    started = event.position();
    DELIVERED.get()[0] =
        fanout.deliver(event.target(), TextFrames.of(ByteBufAllocator.DEFAULT, text), false);
    finished = event.position();
  }

  /**
   * The position of the last event whose recipients were all looked up: a change of rooms made
   * after this call cannot have changed who got it or any earlier event. Null before the first.
   */
  String lastDelivered() {
    return finished;
  }

  /**
   * The position of the last event whose recipients began to be looked up: no later event can see a
   * change of rooms made before this call. Null before the first event.
   */
  String lastStarted() {
    return started;
  }

  /** The {@code __session} message: always the first a client that asked for recovery reads. */
  ByteBuf sessionFrame(ByteBufAllocator alloc, String token, String position, boolean recovered) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put(Protocol.SESSION, token);
    payload.put(Protocol.POSITION, position);
    payload.put(Protocol.RECOVERED, recovered);
    return TextFrames.of(alloc, writer.encodeEvent(Protocol.SESSION_TYPE, payload, true));
  }
}
