package dev.zocket.netty;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes a server's I/O threads ({@code zocket-io-*}, not daemons) and remembers them, so that a
 * shutdown that gives up on one can say which and where it is stuck. Thread-safe.
 */
final class IoThreads extends DefaultThreadFactory {
  /** The frames of a stuck thread's stack that a shutdown logs. */
  private static final int FRAMES = 12;

  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

  IoThreads() {
    super("zocket-io");
  }

  @Override
  protected Thread newThread(Runnable r, String name) {
    Thread t = super.newThread(r, name);
    threads.add(t);
    return t;
  }

  /**
   * The threads still alive, each as its name, its state and the top of its stack, one per line;
   * empty when every thread has ended.
   */
  String stillRunning() {
    List<String> lines = new ArrayList<>();
    for (Thread t : threads) {
      if (!t.isAlive()) {
        continue;
      }
      StringBuilder sb = new StringBuilder().append(t.getName()).append(" (").append(t.getState());
      sb.append(')');
      StackTraceElement[] stack = t.getStackTrace();
      for (int i = 0; i < Math.min(FRAMES, stack.length); i++) {
        sb.append("\n\tat ").append(stack[i]);
      }
      if (stack.length > FRAMES) {
        sb.append("\n\t...");
      }
      lines.add(sb.toString());
    }
    return String.join("\n", lines);
  }
}
