package dev.zocket.netty;

import static dev.zocket.netty.EmbeddedConnection.upgrade;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.DropReason;
import dev.zocket.netty.TestApi.ApiHandler;
import dev.zocket.test.LeakDetection;
import dev.zocket.testsupport.RawClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The frame stage ({@link FrameHandler}) of an upgraded connection, in the pipeline {@link
 * ServerInitializer} builds, in an {@link io.netty.channel.embedded.EmbeddedChannel}: what it
 * passes on to the handlers (their log, {@link ApiHandler#log}), and what it writes back (read from
 * the channel): replies, pongs, and the close frames of the closing handshake.
 */
@Timeout(60)
@ExtendWith(LeakDetection.class)
class FrameStageTest {
  private static final int MAX_FRAME_SIZE = 1024;

  private final List<EmbeddedConnection> connections = new ArrayList<>();
  private ServerAssembly.Parts server;

  @BeforeEach
  void configure() {
    ApiHandler.log.clear();
    server =
        ServerAssembly.assemble(Servers.standard().maxFrameSize(MAX_FRAME_SIZE), Runnable::run);
  }

  @AfterEach
  void closeConnections() {
    connections.forEach(EmbeddedConnection::close);
  }

  /** A connection past its upgrade, as user Ann. */
  private EmbeddedConnection open() {
    EmbeddedConnection c = new EmbeddedConnection(server.pipeline());
    connections.add(c);
    c.send(upgrade("/?user-name=Ann"));
    assertThat(c.response().status()).isEqualTo(101);
    assertThat(c.frameStage().connection()).isNotNull();
    return c;
  }

  private static String reply(String rpcId, String payload) {
    return "{\"type\":\"__rpc_res\",\"payload\":" + payload + ",\"rpcId\":\"" + rpcId + "\"}";
  }

  /** The next frame the server wrote, which must be a text frame; its text. */
  private static String text(EmbeddedConnection c) {
    WebSocketFrame frame = c.frame();
    try {
      assertThat(frame).isInstanceOf(TextWebSocketFrame.class);
      return ((TextWebSocketFrame) frame).text();
    } finally {
      frame.release();
    }
  }

  /** The next frame the server wrote, which must be a close frame: "status reason". */
  private static String close(EmbeddedConnection c) {
    WebSocketFrame frame = c.frame();
    try {
      assertThat(frame).isInstanceOf(CloseWebSocketFrame.class);
      CloseWebSocketFrame close = (CloseWebSocketFrame) frame;
      return close.statusCode() + " " + close.reasonText();
    } finally {
      frame.release();
    }
  }

  private static byte[] closeBody(int code, byte... reason) {
    byte[] body = new byte[2 + reason.length];
    body[0] = (byte) (code >> 8);
    body[1] = (byte) code;
    System.arraycopy(reason, 0, body, 2, reason.length);
    return body;
  }

  @Test
  void textAndBinaryMessagesAreDispatchedAndAnswered() {
    EmbeddedConnection c = open();
    c.sendText("{\"type\":\"t.echo\",\"payload\":{\"text\":\"hi\",\"n\":1},\"rpcId\":\"1\"}");
    assertThat(text(c)).isEqualTo(reply("1", "{\"text\":\"hi\",\"n\":1}"));
    c.sendFrame(
        RawClient.BINARY,
        true,
        "{\"type\":\"t.seq\",\"payload\":2,\"rpcId\":\"2\"}".getBytes(UTF_8));
    assertThat(text(c)).isEqualTo(reply("2", "\"seq 2\""));
    c.sendText("{\"type\":\"t.record\",\"payload\":\"h\u00e9llo\"}");
    assertThat(ApiHandler.log).containsExactly("Ann:h\u00e9llo");
    assertThat(c.wroteNothingMore()).isTrue(); // a message without rpcId is not answered
    assertThat(c.channel.isOpen()).isTrue();
  }

  @Test
  void fragmentsAreJoinedIntoOneMessage() {
    EmbeddedConnection c = open();
    c.sendFrame(RawClient.TEXT, false, "{\"type\":\"t.seq\",".getBytes(UTF_8));
    c.sendFrame(0, false, "\"payload\":3,".getBytes(UTF_8));
    assertThat(c.wroteNothingMore()).isTrue();
    c.sendFrame(0, true, "\"rpcId\":\"f\"}".getBytes(UTF_8));
    assertThat(text(c)).isEqualTo(reply("f", "\"seq 3\""));
    assertThat(c.channel.pipeline().names()).containsSubsequence("fragments", "frames");
  }

  @Test
  void aPingIsAnsweredWithAPongOfItsDataAndAPongIsNotAnswered() {
    EmbeddedConnection c = open();
    c.sendFrame(RawClient.PING, true, "are you there".getBytes(UTF_8));
    WebSocketFrame pong = c.frame();
    try {
      assertThat(pong).isInstanceOf(PongWebSocketFrame.class);
      assertThat(pong.content().toString(UTF_8)).isEqualTo("are you there");
    } finally {
      pong.release();
    }
    c.sendFrame(RawClient.PONG, true, "unasked".getBytes(UTF_8));
    assertThat(c.wroteNothingMore()).isTrue();
    assertThat(c.channel.isOpen()).isTrue();
  }

  @Test
  void aCloseWithAValidCodeIsAnsweredWithItAndCloses() {
    for (int code : new int[] {1000, 1001, 1011, 3000, 4999}) {
      EmbeddedConnection c = open();
      c.sendFrame(RawClient.CLOSE, true, closeBody(code, "bye".getBytes(UTF_8)));
      assertThat(close(c)).isEqualTo(code + " ");
      assertThat(c.wroteNothingMore()).isTrue();
      assertThat(c.channel.isOpen()).as("code %s", code).isFalse();
    }
    EmbeddedConnection empty = open();
    empty.sendFrame(RawClient.CLOSE, true, new byte[0]);
    WebSocketFrame answer = empty.frame();
    try {
      assertThat(answer).isInstanceOf(CloseWebSocketFrame.class);
      assertThat(answer.content().readableBytes()).isZero();
    } finally {
      answer.release();
    }
    assertThat(empty.channel.isOpen()).isFalse();
  }

  @Test
  void aCloseWithACodeRfc6455DoesNotAllowIsAnswered1002() {
    // Every code RFC 6455 does not allow, those Netty reads as a signed short (5000 and up) too, is
    // refused by this stage, which closes once the answer is written.
    for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 32768, 65535}) {
      EmbeddedConnection c = open();
      c.sendFrame(RawClient.CLOSE, true, closeBody(code));
      assertThat(close(c)).as("code %s", code).isEqualTo("1002 Invalid close code");
      assertThat(c.wroteNothingMore()).isTrue();
      assertThat(c.channel.isOpen()).isFalse();
    }
    // A body of one byte is the one malformed close frame Netty's decoder refuses itself.
    EmbeddedConnection half = open();
    half.sendFrame(RawClient.CLOSE, true, new byte[] {3});
    assertThat(close(half)).isEqualTo("1002 Protocol error");
  }

  @Test
  void aCloseReasonThatIsNotUtf8IsAnswered1007() {
    EmbeddedConnection c = open();
    c.sendFrame(RawClient.CLOSE, true, closeBody(1000, (byte) 'o', (byte) 0xc3, (byte) 0x28));
    assertThat(close(c)).isEqualTo("1007 Invalid UTF-8 in the close reason");
    assertThat(c.wroteNothingMore()).isTrue();
  }

  /**
   * The peer's close frame has arrived, however malformed, so once the answer is written the
   * closing handshake is over, as for a well-formed one (RFC 6455 sections 5.5.1 and 7.1.7), and
   * the socket closes at once, not after {@link CloseHandshake#TIMEOUT_MILLIS}: a bad code is
   * answered 1002, a reason that is not UTF-8 1007, a body of one byte (which Netty's decoder
   * refuses itself) 1002.
   */
  @Test
  void aMalformedCloseFrameEndsTheConnectionOnceAnswered() {
    Map<byte[], String> answers = new LinkedHashMap<>();
    answers.put(closeBody(1005), "1002 Invalid close code");
    answers.put(closeBody(2999), "1002 Invalid close code");
    answers.put(new byte[] {3}, "1002 Protocol error");
    answers.put(closeBody(1000, (byte) 0xc3), "1007 Invalid UTF-8 in the close reason");
    answers.forEach(
        (body, answer) -> {
          EmbeddedConnection c = open();
          c.sendFrame(RawClient.CLOSE, true, body);
          assertThat(close(c)).isEqualTo(answer);
          assertThat(c.channel.isOpen()).as("closed after answering %s", answer).isFalse();
        });
  }

  @Test
  void textThatIsNotUtf8ClosesWith1007AndIsNotHandled() {
    EmbeddedConnection c = open();
    c.sendFrame(RawClient.TEXT, true, new byte[] {'"', (byte) 0xc3, (byte) 0x28, '"'});
    assertThat(close(c)).isEqualTo("1007 Invalid UTF-8");
    // Closing: what the client still sends is dropped, until its close frame ends the connection.
    c.sendText("{\"type\":\"t.record\",\"payload\":\"late\"}");
    assertThat(c.wroteNothingMore()).isTrue();
    assertThat(server.state().drops.get(DropReason.CLOSING)).isEqualTo(1);
    assertThat(c.channel.isOpen()).isTrue();
    c.sendFrame(RawClient.CLOSE, true, closeBody(1000));
    assertThat(c.wroteNothingMore()).isTrue();
    assertThat(c.channel.isOpen()).isFalse();
    assertThat(ApiHandler.log).isEmpty();
  }

  @Test
  void binaryThatIsNotUtf8IsOnlyMalformedJson() {
    EmbeddedConnection c = open();
    c.sendFrame(RawClient.BINARY, true, new byte[] {'{', (byte) 0xc3, (byte) 0x28, '}'});
    assertThat(server.state().drops.get(DropReason.MALFORMED)).isEqualTo(1);
    assertThat(c.wroteNothingMore()).isTrue();
    c.sendText("{\"type\":\"t.seq\",\"payload\":1,\"rpcId\":\"b\"}");
    assertThat(text(c)).isEqualTo(reply("b", "\"seq 1\""));
  }

  @Test
  void aFrameOverTheSizeLimitClosesWith1009AndIsNotHandled() {
    EmbeddedConnection c = open();
    c.sendText("{\"type\":\"t.record\",\"payload\":\"" + "x".repeat(MAX_FRAME_SIZE) + "\"}");
    assertThat(close(c)).isEqualTo("1009 Message too big");
    assertThat(ApiHandler.log).isEmpty();
    // The decoder lost its place in the stream: the rest is dropped unparsed, the client's close
    // frame too, and the socket is closed after the close timeout.
    c.sendFrame(RawClient.CLOSE, true, closeBody(1000));
    assertThat(c.channel.isOpen()).isTrue();
    c.advanceTime(CloseHandshake.TIMEOUT_MILLIS - 1);
    assertThat(c.channel.isOpen()).isTrue();
    c.advanceTime(1);
    assertThat(c.channel.isOpen()).isFalse();
    assertThat(c.wroteNothingMore()).isTrue();
  }

  @Test
  void fragmentsOverTheSizeLimitTogetherCloseWith1009() {
    EmbeddedConnection c = open();
    byte[] part = "x".repeat(MAX_FRAME_SIZE * 6 / 10).getBytes(UTF_8);
    c.sendFrame(RawClient.TEXT, false, part);
    assertThat(c.wroteNothingMore()).isTrue();
    c.sendFrame(0, true, part);
    assertThat(close(c)).isEqualTo("1009 Message too big");
    assertThat(ApiHandler.log).isEmpty();
  }

  @Test
  void whatARemovedDecoderLeftOverIsReleasedAndNotPassedOn() {
    EmbeddedConnection c = open();
    ByteBuf stray = Unpooled.copiedBuffer("stray", UTF_8);
    c.channel.pipeline().context("wsdecoder").fireChannelRead(stray);
    assertThat(stray.refCnt()).isZero();
    assertThat((Object) c.channel.readInbound()).as("passed on past the last stage").isNull();
    assertThat(c.wroteNothingMore()).isTrue();
  }
}
