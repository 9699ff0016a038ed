package dev.zocket.netty;

import io.netty.util.concurrent.FastThreadLocal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Checks that a text message is UTF-8 (RFC 6455 section 8.1, RFC 3629), in place of Netty's
 * byte-at-a-time frame validator: most messages are all ASCII, which one branch-free pass proves;
 * any other message is decoded strictly by the JDK.
 */
final class Utf8 {
  /** Per thread: a strict decoder and the buffer it decodes into, chunk by chunk. */
  private static final FastThreadLocal<Strict> STRICT =
      new FastThreadLocal<>() {
        @Override
        protected Strict initialValue() {
          return new Strict();
        }
      };

  private Utf8() {}

  /** Whether {@code length} bytes at {@code offset} are well-formed UTF-8. */
  static boolean isValid(byte[] bytes, int offset, int length) {
    int any = 0;
    for (int i = offset, end = offset + length; i < end; i++) {
      any |= bytes[i]; // no early exit, so the JIT can vectorize it
    }
    return any >= 0 || STRICT.get().isValid(bytes, offset, length);
  }

  private static final class Strict {
    private final CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final CharBuffer chars = CharBuffer.allocate(1024);

    boolean isValid(byte[] bytes, int offset, int length) {
      ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
      decoder.reset();
      while (true) {
        chars.clear();
        CoderResult r = decoder.decode(in, chars, true);
        if (r.isError()) {
          return false;
        }
        if (r.isUnderflow()) {
          chars.clear();
          return !decoder.flush(chars).isError();
        }
      }
    }
  }
}
