package dev.zocket.spring.boot.autoconfigure.sample;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.springframework.stereotype.Component;

/** Records the client ids whose handler beans were destroyed, and the rooms they were in. */
@Component
public class Disconnects {
  public final BlockingQueue<String> ended = new LinkedBlockingQueue<>();

  /** The slow calls that have started. */
  public final BlockingQueue<Long> slowStarted = new LinkedBlockingQueue<>();
}
