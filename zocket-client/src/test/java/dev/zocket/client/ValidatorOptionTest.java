package dev.zocket.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.zocket.InvalidPayloadException;
import dev.zocket.Violation;
import dev.zocket.client.ServerIntegrationTest.Headers;
import dev.zocket.client.ServerIntegrationTest.RoomsHandler;
import dev.zocket.client.TestContracts.JoinRoom;
import dev.zocket.client.TestContracts.Rooms;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.LeakDetection;
import jakarta.validation.MessageInterpolator;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.net.URI;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.hibernate.validator.HibernateValidator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** An application's own {@link Validator}, passed to the server and to the client. */
@Timeout(30)
@ExtendWith(LeakDetection.class)
class ValidatorOptionTest {
  /** Messages that name the constraint, so a test can tell this validator's from Zocket's. */
  private static final class ConstraintNames implements MessageInterpolator {
    @Override
    public String interpolate(String template, Context context) {
      return "app says "
          + context.getConstraintDescriptor().getAnnotation().annotationType().getSimpleName();
    }

    @Override
    public String interpolate(String template, Context context, Locale locale) {
      return interpolate(template, context);
    }
  }

  private static final Validator APP_VALIDATOR =
      Validation.byProvider(HibernateValidator.class)
          .configure()
          .messageInterpolator(new ConstraintNames())
          .buildValidatorFactory()
          .getValidator();

  private static ZocketServer.Builder<Headers, String> server() {
    return ZocketServer.builder()
        .headers(Headers.class)
        .onConnect((headers, clientId) -> headers.userName())
        .handle(Rooms.class, RoomsHandler::new)
        .inProcess();
  }

  private static ZocketClient.Builder client(ZocketServer server) {
    return ZocketClient.builder(server.uri())
        .header("user-name", "alice")
        .reconnect(ReconnectPolicy.disabled());
  }

  /** What a call with a blank room id fails with, thrown or as the future's failure. */
  private static Throwable refusal(ZocketClient client) {
    Throwable t =
        catchThrowable(
            () -> client.proxy(Rooms.class).members(new JoinRoom("")).get(10, TimeUnit.SECONDS));
    return t instanceof ExecutionException e ? e.getCause() : t;
  }

  @Test
  void theServerChecksPayloadsWithTheApplicationsValidator() {
    try (ZocketServer s = server().validator(APP_VALIDATOR).start();
        ZocketClient alice = client(s).validatePayloads(false).connect()) {
      assertThat(refusal(alice))
          .isInstanceOfSatisfying(
              InvalidPayloadException.class,
              e ->
                  assertThat(e.details())
                      .containsExactly(new Violation("roomId", "app says NotBlank")));
    }
  }

  @Test
  void theClientChecksPayloadsWithTheApplicationsValidator() {
    try (ZocketServer s = server().start();
        ZocketClient alice = client(s).validator(APP_VALIDATOR).connect()) {
      assertThat(refusal(alice))
          .isInstanceOfSatisfying(
              InvalidPayloadException.class,
              e ->
                  assertThat(e.details())
                      .containsExactly(new Violation("roomId", "app says NotBlank")));
    }
  }

  @Test
  void withoutOneZocketsOwnMessagesAreUsed() {
    try (ZocketServer s = server().start();
        ZocketClient alice = client(s).validatePayloads(false).connect()) {
      assertThat(refusal(alice))
          .isInstanceOfSatisfying(
              InvalidPayloadException.class,
              e ->
                  assertThat(e.details())
                      .containsExactly(new Violation("roomId", "must not be blank")));
    }
  }

  @Test
  void aNullValidatorIsRejectedWhereItEnters() {
    assertThatThrownBy(() -> server().validator(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("validator == null");
    assertThatThrownBy(() -> ZocketClient.builder(URI.create("ws://h/")).validator(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("validator == null");
  }
}
