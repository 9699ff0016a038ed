package dev.zocket.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.zocket.ErrorCodes;
import dev.zocket.InvalidPayloadException;
import dev.zocket.Violation;
import dev.zocket.ZocketException;
import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The inbound step the server's dispatcher and the client share, on what only one side used to
 * meet: replies, and a validator that throws instead of reporting a violation.
 */
final class MessageReaderTest {
  /** A constraint whose validator fails: a bug in application code, not a bad payload. */
  @Target(ElementType.TYPE)
  @Retention(RetentionPolicy.RUNTIME)
  @Constraint(validatedBy = Explodes.Check.class)
  public @interface Explodes {
    String message() default "never reported";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};

    /** Throws on every value. */
    final class Check implements ConstraintValidator<Explodes, Object> {
      @Override
      public boolean isValid(Object value, ConstraintValidatorContext context) {
        throw new IllegalStateException("a validator's own bug");
      }
    }
  }

  @Explodes
  record Fragile(String name) {}

  record Room(String id) {}

  interface Events {
    void fragile(Fragile f);

    void room(Room r);
  }

  interface Calls {
    Room find(String id);

    Fragile fragile(String id);
  }

  private final JsonCodec codec = JsonCodec.defaults();
  private final MessageReader reader =
      new MessageReader(codec, new PayloadValidator(codec.mapper()), true);
  private final Map<String, Bound> routes = new HashMap<>();
  private final Map<String, RouteDescriptor> calls = new HashMap<>();

  private record Bound(RouteDescriptor route) implements MessageReader.Routed {}

  MessageReaderTest() {
    for (RouteDescriptor r : Contracts.events(Events.class).routes()) {
      routes.put(r.route(), new Bound(r));
    }
    for (RouteDescriptor r : Contracts.of(Calls.class).routes()) {
      calls.put(r.route(), r);
    }
  }

  @Test
  void aMessageIsBoundAndValidatedWhateverTheKeyOrder() {
    for (String frame :
        new String[] {
          "{\"type\":\"room\",\"payload\":{\"id\":\"a\"}}",
          "{\"payload\":{\"id\":\"a\"},\"type\":\"room\"}"
        }) {
      MessageReader.Message<Bound> m = read(frame);
      assertThat(m.route()).isSameAs(routes.get("room"));
      assertThat(m.error()).isNull();
      assertThat(m.payload()).isEqualTo(new Room("a"));
      assertThat(m.isReply()).isFalse();
      assertThat(m.rpcId()).isNull();
    }
  }

  @Test
  void aValidatorThatThrowsIsAnInternalErrorNotAnInvalidPayload() {
    for (String frame :
        new String[] {
          "{\"type\":\"fragile\",\"payload\":{\"name\":\"a\"},\"rpcId\":\"1\"}",
          "{\"payload\":{\"name\":\"a\"},\"type\":\"fragile\",\"rpcId\":\"1\"}"
        }) {
      MessageReader.Message<Bound> m = read(frame);
      assertThat(m.route()).isSameAs(routes.get("fragile"));
      assertThat(m.payload()).isNull();
      assertThat(m.error()).isNotInstanceOf(InvalidPayloadException.class);
      assertThat(m.error().code()).isEqualTo(ErrorCodes.INTERNAL);
      assertThat(m.error()).hasMessage("Internal error");
      assertThat(m.rpcId()).isEqualTo("1");
    }
  }

  @Test
  void aTypeThatNamesNoRouteIsNeitherAMessageNorAReply() {
    MessageReader.Message<Bound> m =
        read("{\"type\":\"nope\",\"payload\":{\"x\":1},\"rpcId\":\"2\"}");
    assertThat(m.route()).isNull();
    assertThat(m.isReply()).isFalse();
    assertThat(m.type()).isEqualTo("nope");
    assertThat(m.rpcId()).isEqualTo("2");
    assertThat(read("{\"payload\":{}}")).isNull();
    assertThat(read("not json")).isNull();
  }

  @Test
  void aReplyIsBoundOnceItsCallIsKnown() {
    MessageReader.Message<Bound> m =
        read("{\"payload\":{\"id\":\"r\"},\"type\":\"__rpc_res\",\"rpcId\":\"7\"}");
    assertThat(m.isReply()).isTrue();
    assertThat(m.route()).isNull();
    assertThat(m.rpcId()).isEqualTo("7");
    assertThat(reader.reply(calls.get("find"), m)).isEqualTo(new Room("r"));
    assertThat(reader.reply(calls.get("find"), read("{\"type\":\"__rpc_res\",\"rpcId\":\"8\"}")))
        .isNull();
  }

  @Test
  void aReplyThatDoesNotFitOrCarriesAnErrorFailsTheCall() {
    MessageReader.Message<Bound> wrong =
        read("{\"type\":\"__rpc_res\",\"rpcId\":\"7\",\"payload\":{\"id\":5}}");
    InvalidPayloadException invalid =
        catchThrowableOfType(
            InvalidPayloadException.class, () -> reader.reply(calls.get("find"), wrong));
    assertThat(invalid).hasMessage("Invalid payload for the reply to find");
    assertThat(invalid.details())
        .containsExactly(new Violation("id", "expected string, got number"));

    MessageReader.Message<Bound> fragile =
        read("{\"type\":\"__rpc_res\",\"rpcId\":\"7\",\"payload\":{\"name\":\"a\"}}");
    ZocketException internal =
        catchThrowableOfType(
            ZocketException.class, () -> reader.reply(calls.get("fragile"), fragile));
    assertThat(internal).isNotInstanceOf(InvalidPayloadException.class);
    assertThat(internal.code()).isEqualTo(ErrorCodes.INTERNAL);

    MessageReader.Message<Bound> failed =
        read(
            "{\"type\":\"__rpc_res\",\"rpcId\":\"7\",\"error\":{\"code\":\"FORBIDDEN\","
                + "\"message\":\"Admins only\"}}");
    ZocketException forbidden =
        catchThrowableOfType(ZocketException.class, () -> reader.reply(calls.get("find"), failed));
    assertThat(forbidden.code()).isEqualTo(ErrorCodes.FORBIDDEN);
    assertThat(forbidden).hasMessage("Admins only");
  }

  private MessageReader.Message<Bound> read(String frame) {
    byte[] data = frame.getBytes(UTF_8);
    return reader.read(data, 0, data.length, routes::get);
  }
}
