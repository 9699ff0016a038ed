package dev.zocket.bench.zocket;

import dev.zocket.Namespace;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.PositiveOrZero;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stream of the load driver's {@code stream} scenario: a call that answers with {@code count}
 * items, as fast as the client grants credit for them, each carrying its sequence number and {@code
 * bytes} characters of content.
 */
public final class Feeds {
  private Feeds() {}

  /**
   * What to stream.
   *
   * @param count how many items
   * @param bytes the content's length of each item
   */
  public record FeedRequest(@PositiveOrZero long count, @PositiveOrZero @Max(65_536) int bytes) {}

  /**
   * One item.
   *
   * @param n its sequence number, from 0
   * @param content filler
   */
  public record FeedItem(long n, String content) {}

  /** The contract: one streaming route, {@code feed.items}. */
  @Namespace("feed")
  public interface Feed {
    /**
     * Streams the items asked for.
     *
     * @param request how many, and how large
     * @return the items
     */
    Flow.Publisher<FeedItem> items(FeedRequest request);
  }

  /** The handler: a publisher per stream that emits as much as is requested, at once. */
  public static final class Handler implements Feed {
    @Override
    public Flow.Publisher<FeedItem> items(FeedRequest request) {
      String content = "x".repeat(request.bytes());
      return subscriber -> subscriber.onSubscribe(new Items(subscriber, request.count(), content));
    }
  }

  /**
   * A subscription that emits on the thread that requests, in a loop rather than by recursion: a
   * request made from within {@code onNext} only adds to the demand the running loop serves.
   */
  private static final class Items implements Flow.Subscription {
    private final Flow.Subscriber<? super FeedItem> subscriber;
    private final long count;
    private final String content;
    private final AtomicLong demand = new AtomicLong();
    private final AtomicBoolean done = new AtomicBoolean();
    private long next;

    Items(Flow.Subscriber<? super FeedItem> subscriber, long count, String content) {
      this.subscriber = subscriber;
      this.count = count;
      this.content = content;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        cancel();
        subscriber.onError(new IllegalArgumentException("request must be positive: " + n));
        return;
      }
      // The thread that takes the demand from 0 emits; others only add to it.
      if (demand.getAndAdd(n) != 0) {
        return;
      }
      long missed = n;
      while (true) {
        for (long i = 0; i < missed && !done.get(); i++) {
          if (next == count) {
            if (done.compareAndSet(false, true)) {
              subscriber.onComplete();
            }
            return;
          }
          subscriber.onNext(new FeedItem(next++, content));
        }
        missed = demand.addAndGet(-missed);
        if (missed == 0 || done.get()) {
          return;
        }
      }
    }

    @Override
    public void cancel() {
      done.set(true);
    }
  }
}
