package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.test.Await;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server-wide backlog budget cuts the connections further behind than the average. */
@Timeout(30)
class BacklogBudgetTest {
  private final List<Thread> cutThreads = new CopyOnWriteArrayList<>();

  @Test
  void underTheBudgetOrAtTheAverageNothingIsCut() {
    BacklogBudget budget = new BacklogBudget(2000);
    List<String> cut = new CopyOnWriteArrayList<>();
    budget.fellBehind();
    budget.fellBehind();
    budget.add(900);
    long total = budget.add(900);
    assertThat(budget.cutIfFurtherBehind(900, total, () -> cut.add("a"))).isFalse();
    total = budget.add(1200); // the other one grows to 2100 in all, 3000 together
    assertThat(budget.cutIfFurtherBehind(900, total, () -> cut.add("a"))).isFalse();
    assertThat(budget.cutIfFurtherBehind(2100, total, () -> cut.add("b"))).isTrue();
    assertThat(cut).containsExactly("b");
  }

  /**
   * Stalled clients that all hold alike (the same large reply each) are each cut as they add more
   * past the budget; the bytes of a connection already closing count in the total, not in the
   * average.
   */
  @Test
  void pastTheBudgetTheOneThatAddsAtTheAverageIsCutAndClosingBytesAreNotInTheAverage() {
    BacklogBudget budget = new BacklogBudget(2000);
    List<String> cut = new CopyOnWriteArrayList<>();
    budget.fellBehind();
    budget.fellBehind();
    budget.add(1100);
    long total = budget.add(1100);
    assertThat(budget.cutIfFurtherBehind(1100, total, () -> cut.add("a"))).isTrue();
    // A closing connection holds 1500 bytes: one behind holding 600 of 2100 is the average of one.
    BacklogBudget other = new BacklogBudget(2000);
    other.addClosing(1500);
    other.fellBehind();
    other.fellBehind();
    other.add(300);
    total = other.add(300);
    assertThat(other.cutIfFurtherBehind(300, total, () -> cut.add("b"))).isTrue();
    assertThat(cut).containsExactly("a", "b");
    other.addClosing(-1500);
    assertThat(other.total()).isEqualTo(600);
    assertThat(other.passed()).isFalse();
  }

  /**
   * The race CI once lost (two connections closed where one made room): while one I/O thread is
   * cutting a connection (logging, counting, releasing its backlog), another connection on another
   * thread pulls ahead of it and would be cut too against a total that still holds the first one's
   * backlog. The second decision must wait for the first cut and then see its release.
   */
  @Test
  void aCutInProgressIsSeenByTheNextDecisionOnAnotherThread() throws Exception {
    BacklogBudget budget = new BacklogBudget(2000);
    List<String> cut = new CopyOnWriteArrayList<>();
    budget.fellBehind();
    budget.fellBehind();
    budget.add(1000);
    long total = budget.add(1100); // one: 1100, two: 1000
    AtomicBoolean twoCut = new AtomicBoolean();
    boolean oneCut =
        budget.cutIfFurtherBehind(
            1100,
            total,
            () -> {
              cut.add("one");
              // Meanwhile two writes another 200 bytes and decides on the total it just made.
              long seenByTwo = budget.add(200);
              Thread other =
                  new Thread(
                      () ->
                          twoCut.set(
                              budget.cutIfFurtherBehind(1200, seenByTwo, () -> cut.add("two"))));
              other.start();
              // Wait until two decided without the lock, or waits for it; only then release one.
              Await.until(
                  "two to decide without the lock, or to wait for it",
                  () -> !other.isAlive() || other.getState() == Thread.State.BLOCKED);
              budget.add(-1100);
              budget.caughtUp();
              cutThreads.add(other);
            });
    for (Thread t : cutThreads) {
      t.join();
    }
    assertThat(oneCut).isTrue();
    assertThat(twoCut).isFalse();
    assertThat(cut).containsExactly("one");
  }
}
