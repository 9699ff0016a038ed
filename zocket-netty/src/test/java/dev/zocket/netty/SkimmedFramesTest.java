package dev.zocket.netty;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.testsupport.RawClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * A closing connection's frames skimmed: whatever the reads cut them into, each data frame passes
 * on hollow with its kind and FIN bit, control frames and payloads are skipped, and a length no
 * stream can have stops the skimming.
 */
class SkimmedFramesTest {
  private static final int CONTINUATION = 0;

  @Test
  void eachDataFramePassesOnHollowHoweverTheReadsCutTheStream() throws Exception {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    wire.write(
        RawClient.frame(
            RawClient.TEXT, true, 0, "{\"type\":\"t.seq\"}".getBytes(StandardCharsets.UTF_8)));
    wire.write(RawClient.frame(RawClient.PING, true, 0, new byte[] {1, 2}));
    wire.write(RawClient.frame(RawClient.BINARY, true, 0, new byte[300])); // a 16-bit length
    wire.write(RawClient.frame(RawClient.TEXT, false, 0, new byte[10]));
    wire.write(RawClient.frame(CONTINUATION, false, 0, new byte[0]));
    wire.write(RawClient.frame(CONTINUATION, true, 0, new byte[70_000])); // a 64-bit length
    wire.write(RawClient.frame(RawClient.CLOSE, true, 0, new byte[] {0x03, (byte) 0xe8}));
    wire.write(unmasked(RawClient.TEXT, 5));
    byte[] bytes = wire.toByteArray();
    List<String> expected =
        List.of("text fin", "binary fin", "text", "continuation", "continuation fin", "text fin");
    for (int chunk : new int[] {1, 3, 7, 1000, bytes.length}) {
      assertThat(skim(bytes, chunk)).as("read %d bytes at a time", chunk).isEqualTo(expected);
    }
  }

  @Test
  void aLengthNoStreamCanHaveStopsTheSkimming() {
    ByteBuf in = Unpooled.buffer();
    in.writeByte(0x81).writeByte(0x7f).writeLong(-1L);
    assertThat(SkimmedFrames.of(new EmbeddedChannel()).skim(in, new ArrayList<>())).isFalse();
    in.release();
  }

  /** Skims {@code bytes} read {@code chunk} at a time, as the decoder's cumulation holds them. */
  private static List<String> skim(byte[] bytes, int chunk) {
    SkimmedFrames skimmed = SkimmedFrames.of(new EmbeddedChannel());
    ByteBuf held = Unpooled.buffer();
    List<Object> out = new ArrayList<>();
    for (int at = 0; at < bytes.length; at += chunk) {
      held.writeBytes(bytes, at, Math.min(chunk, bytes.length - at));
      assertThat(skimmed.skim(held, out)).isTrue();
    }
    assertThat(held.isReadable()).isFalse();
    held.release();
    List<String> kinds = new ArrayList<>();
    for (Object o : out) {
      WebSocketFrame f = (WebSocketFrame) o;
      assertThat(f.content().isReadable()).isFalse();
      String kind =
          f.getClass().getSimpleName().replace("WebSocketFrame", "").toLowerCase(Locale.ROOT);
      kinds.add(f.isFinalFragment() ? kind + " fin" : kind);
    }
    return kinds;
  }

  /** A frame without a mask, as a peer may send one: its payload of {@code length} zero bytes. */
  private static byte[] unmasked(int opcode, int length) {
    byte[] f = new byte[2 + length];
    f[0] = (byte) (0x80 | opcode);
    f[1] = (byte) length;
    return f;
  }
}
