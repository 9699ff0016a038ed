package dev.zocket.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.Namespace;
import dev.zocket.ZocketException;
import dev.zocket.client.StreamExamplesTest.Contract.Hit;
import dev.zocket.client.StreamExamplesTest.Contract.Query;
import dev.zocket.client.StreamExamplesTest.Contract.Search;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.Await;
import dev.zocket.test.LeakDetection;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The streams examples of docs/contracts.md and docs/java-client.md, run against a real server: the
 * code between the region markers is what the pages show.
 */
@Timeout(60)
@ExtendWith(LeakDetection.class)
class StreamExamplesTest {
  /** The contract of the contracts page (docs/contracts.md shows the region). */
  interface Contract {
    // region contract
    public record Query(@NotBlank String q) {}

    public record Hit(String title, double score) {}

    @Namespace("search")
    public interface Search {
      Flow.Publisher<Hit> find(Query query); // a stream of Hit

      List<Hit> top(Query query); // a call, for comparison
    }
    // endregion contract
  }

  /** The example's search index: 25 hits for any word but "nothing", which has none. */
  static final class Index {
    List<Hit> search(String q) {
      if (q.equals("nothing")) {
        return List.of();
      }
      return IntStream.range(0, 25).mapToObj(i -> new Hit(q + " " + i, 1.0 / (i + 1))).toList();
    }
  }

  private ZocketServer server;
  private ZocketClient client;

  @BeforeEach
  void start() {
    server =
        ZocketServer.builder()
            .handle(Search.class, ctx -> new SearchHandler())
            .host("127.0.0.1")
            .port(0)
            .shutdownTimeout(Duration.ofSeconds(2))
            .start();
    client = ZocketClient.builder(server.uri()).reconnect(ReconnectPolicy.disabled()).connect();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  @Test
  void theSubscriberReceivesEveryHitThenTheEnd() throws Exception {
    BlockingQueue<Hit> shown = new LinkedBlockingQueue<>();
    CompletableFuture<Throwable> failed = new CompletableFuture<>();
    CountDownLatch done = new CountDownLatch(1);

    // region subscribe
    Search search = client.proxy(Search.class);
    search
        .find(new Query("zocket"))
        .subscribe(
            new Flow.Subscriber<Hit>() {
              private Flow.Subscription subscription;

              @Override
              public void onSubscribe(Flow.Subscription s) {
                subscription = s;
                s.request(10); // ready for 10 hits
              }

              @Override
              public void onNext(Hit hit) {
                shown.add(hit);
                subscription.request(1); // one more for each one handled
              }

              @Override
              public void onError(Throwable t) {
                failed.complete(t); // a ZocketException: code() as for calls
              }

              @Override
              public void onComplete() {
                done.countDown();
              }
            });
    // endregion subscribe

    assertThat(done.await(10, TimeUnit.SECONDS)).as("the stream completed").isTrue();
    assertThat(shown).containsExactlyElementsOf(new Index().search("zocket"));
    assertThat(failed).isNotDone();
    assertThat(search.top(new Query("zocket"))).hasSize(3);
  }

  @Test
  void aHandlerThatThrowsEndsTheStreamWithItsCode() {
    BlockingQueue<Object> signals = new LinkedBlockingQueue<>();
    client
        .proxy(Search.class)
        .find(new Query("nothing"))
        .subscribe(
            new Flow.Subscriber<Hit>() {
              @Override
              public void onSubscribe(Flow.Subscription s) {
                s.request(1);
              }

              @Override
              public void onNext(Hit hit) {
                signals.add(hit);
              }

              @Override
              public void onError(Throwable t) {
                signals.add(t);
              }

              @Override
              public void onComplete() {
                signals.add("complete");
              }
            });

    Object signal = Await.next("the stream's end", signals);
    assertThat(signal).isInstanceOf(ZocketException.class);
    assertThat(((ZocketException) signal).code()).isEqualTo("NO_RESULTS");
    assertThat(((ZocketException) signal).getMessage()).contains("Nothing matches nothing");
  }

  // region handler
  static final class SearchHandler implements Search {
    private final Index index = new Index();

    @Override
    public Flow.Publisher<Hit> find(Query query) {
      List<Hit> hits = index.search(query.q());
      if (hits.isEmpty()) {
        throw new ZocketException("NO_RESULTS", "Nothing matches " + query.q());
      }
      // Without a reactive library: each hit is sent when the client's credit asks for it.
      return subscriber ->
          subscriber.onSubscribe(
              new Flow.Subscription() {
                private int next;
                private boolean done;

                @Override
                public void request(long n) { // on the handler executor, one call at a time
                  for (long i = 0; i < n && !done && next < hits.size(); i++) {
                    subscriber.onNext(hits.get(next++));
                  }
                  if (!done && next == hits.size()) {
                    done = true;
                    subscriber.onComplete();
                  }
                }

                @Override
                public void cancel() {
                  done = true;
                }
              });
    }

    @Override
    public List<Hit> top(Query query) {
      return index.search(query.q()).stream().limit(3).toList();
    }
  }
  // endregion handler
}
