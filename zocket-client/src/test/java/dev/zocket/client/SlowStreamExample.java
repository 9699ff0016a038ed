package dev.zocket.client;

import dev.zocket.Namespace;
import dev.zocket.netty.ZocketServer;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Example (test-sourced): a server streams up to 1,000,000 search results to a client that reads
 * slowly, 10 items a second, and makes a call on the same connection every second meanwhile. The
 * server builds each result only when the client's credit asks for it, so its heap stays flat
 * however far the stream could go, and the calls are answered while the stream waits. Prints, each
 * second, the items received, the calls answered and the JVM's heap after a GC (server and client
 * share this JVM).
 *
 * <p>Run {@link #main} from an IDE (ten seconds at 10 items a second); {@code
 * SlowStreamExampleTest} runs it for two seconds.
 */
public final class SlowStreamExample {
  /** What to search for, and how many results there are. */
  public record Query(String q, int count) {}

  /** One result. */
  public record Result(long n, String title) {}

  /** The contract: a stream and a call. */
  @Namespace("results")
  public interface Results {
    /** The results of a query, as the client asks for them. */
    Flow.Publisher<Result> search(Query query);

    /** A call made while the stream runs. */
    String status();
  }

  /** What one run saw. */
  public record Report(
      long itemsRequested,
      long itemsReceived,
      long serverAskedFor,
      int callsMade,
      int callsAnswered,
      List<Long> heapAfterGc) {}

  private SlowStreamExample() {}

  /** Runs the example for 10 seconds at 10 items a second, printing as it goes. */
  public static void main(String[] args) throws Exception {
    Report report = run(Duration.ofSeconds(10), 10, System.out);
    System.out.println(report);
  }

  /**
   * Starts a server on 127.0.0.1, connects a client, streams to it at {@code itemsPerSecond} for
   * {@code duration}, then closes both.
   *
   * @param out where to print each second's line, or null
   */
  public static Report run(Duration duration, int itemsPerSecond, PrintStream out)
      throws Exception {
    AtomicLong serverAskedFor = new AtomicLong();
    try (ZocketServer server =
        ZocketServer.builder()
            .handle(
                Results.class,
                ctx ->
                    new Results() {
                      @Override
                      public Flow.Publisher<Result> search(Query query) {
                        return lazyResults(query, serverAskedFor);
                      }

                      @Override
                      public String status() {
                        return "ok";
                      }
                    })
            .host("127.0.0.1")
            .port(0)
            .start()) {
      ZocketClient client =
          ZocketClient.builder(URI.create("ws://127.0.0.1:" + server.port()))
              .reconnect(ReconnectPolicy.disabled())
              .connect();
      ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor();
      try {
        Results results = client.proxy(Results.class);
        AtomicLong requested = new AtomicLong();
        AtomicLong received = new AtomicLong();
        AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
        CountDownLatch subscribed = new CountDownLatch(1);
        results
            .search(new Query("zocket", 1_000_000))
            .subscribe(
                new Flow.Subscriber<>() {
                  @Override
                  public void onSubscribe(Flow.Subscription s) {
                    subscription.set(s);
                    subscribed.countDown();
                  }

                  @Override
                  public void onNext(Result item) {
                    received.incrementAndGet();
                  }

                  @Override
                  public void onError(Throwable t) {
                    if (out != null) {
                      out.println("stream failed: " + t);
                    }
                  }

                  @Override
                  public void onComplete() {}
                });
        if (!subscribed.await(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the stream did not start");
        }
        // The slow consumer: one item every 1/itemsPerSecond seconds.
        reader.scheduleAtFixedRate(
            () -> {
              requested.incrementAndGet();
              subscription.get().request(1);
            },
            0,
            1_000_000 / itemsPerSecond,
            TimeUnit.MICROSECONDS);
        List<Long> heap = new ArrayList<>();
        int calls = 0;
        int answered = 0;
        for (long s = 0; s < duration.toSeconds(); s++) {
          Thread.sleep(1000); // the example's clock, not an assertion
          calls++;
          if ("ok".equals(results.status())) {
            answered++;
          }
          System.gc();
          Runtime runtime = Runtime.getRuntime();
          long used = runtime.totalMemory() - runtime.freeMemory();
          heap.add(used);
          if (out != null) {
            out.printf(
                "%2d s: %4d items received, %d calls answered, heap after GC %,d bytes%n",
                s + 1, received.get(), answered, used);
          }
        }
        reader.shutdownNow();
        reader.awaitTermination(5, TimeUnit.SECONDS);
        subscription.get().cancel();
        return new Report(
            requested.get(), received.get(), serverAskedFor.get(), calls, answered, heap);
      } finally {
        reader.shutdownNow();
        client.close();
      }
    }
  }

  /**
   * A publisher of {@code query.count()} results, each built only when asked for: what the server
   * holds for a stream is what its client granted, never the whole result set.
   */
  static Flow.Publisher<Result> lazyResults(Query query, AtomicLong askedFor) {
    return subscriber ->
        subscriber.onSubscribe(
            new Flow.Subscription() {
              private long next;
              private boolean done;

              @Override
              public synchronized void request(long n) {
                askedFor.addAndGet(n);
                for (long i = 0; i < n && !done && next < query.count(); i++) {
                  next++;
                  subscriber.onNext(new Result(next, query.q() + " result " + next));
                }
                if (!done && next == query.count()) {
                  done = true;
                  subscriber.onComplete();
                }
              }

              @Override
              public synchronized void cancel() {
                done = true;
              }
            });
  }
}
