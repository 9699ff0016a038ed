package io.netty.buffer;

import io.netty.util.ResourceLeakDetector;

/** Test hook: routes Netty's buffer leak reports to a listener, so a leak can fail a test. */
public abstract class LeakHook extends AbstractByteBuf {
  private LeakHook() {
    super(0);
  }

  /** Installs the listener on the detector of every {@link AbstractByteBuf}. */
  public static void install(ResourceLeakDetector.LeakListener listener) {
    leakDetector.setLeakListener(listener);
  }
}
