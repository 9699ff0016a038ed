package dev.zocket.netty;

import dev.zocket.ErrorCodes;
import dev.zocket.ZocketException;
import dev.zocket.internal.Outgoing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.function.IntConsumer;

/**
 * Encodes a reply under the server-wide budget for what the server holds for clients that are
 * behind ({@link Hardening#maxBacklogMemory()}, {@link BacklogBudget}): the reply counts from the
 * moment it is encoded, {@link TextFrames#CHARGE_STEP} bytes at a time while it grows (so that many
 * large replies encoded at once cannot take the memory before any is counted), and a reply that
 * would take the total past the budget is refused. Once encoded, the frame counts for what it costs
 * as a waiting frame ({@link FrameWriter#cost}), as on its way to its I/O thread, until the {@link
 * FrameWriter} takes it. One per reply; any thread.
 */
final class ReplyCharge implements IntConsumer {
  /** The error of a call whose reply the server had no memory for. */
  private static final String REPLIES_FULL =
      "The server's memory for replies is full; try again later";

  private final BacklogBudget budget;

  /** What this reply has counted in the budget so far. */
  private long charged;

  /** Whether the budget refused it. */
  private boolean refused;

  private ReplyCharge(BacklogBudget budget) {
    this.budget = budget;
  }

  /**
   * Encodes a reply as a WebSocket frame, counted in {@code budget} as on its way to its I/O thread
   * for its cost ({@link FrameWriter#cost}); the caller takes that count back once the I/O thread
   * has written or queued the frame (or could not).
   *
   * @throws ZocketException with code {@code LIMIT_EXCEEDED} when the budget refused the reply;
   *     nothing stays counted
   * @throws RuntimeException what {@link Outgoing#writeTo} threw; nothing stays counted either
   */
  static ByteBuf encode(ByteBufAllocator alloc, Outgoing reply, BacklogBudget budget) {
    ReplyCharge charge = new ReplyCharge(budget);
    ByteBuf frame;
    try {
      frame = TextFrames.encode(alloc, reply, charge);
    } catch (RuntimeException e) {
      budget.addInTransit(-charge.charged);
      if (charge.refused) { // however the serializer wrapped it
        throw new ZocketException(ErrorCodes.LIMIT_EXCEEDED, REPLIES_FULL);
      }
      throw e;
    }
    budget.addInTransit(FrameWriter.cost(frame) - charge.charged);
    return frame;
  }

  @Override
  public void accept(int bytes) {
    if (!budget.charge(bytes)) {
      refused = true;
      throw new ZocketException(ErrorCodes.LIMIT_EXCEEDED, REPLIES_FULL);
    }
    charged += bytes;
  }
}
