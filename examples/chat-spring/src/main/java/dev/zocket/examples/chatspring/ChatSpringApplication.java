package dev.zocket.examples.chatspring;

import dev.zocket.examples.chat.ChatHeaders;
import dev.zocket.examples.chat.User;
import dev.zocket.examples.chat.WebAssets;
import dev.zocket.spring.boot.autoconfigure.ZocketServerCustomizer;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The chat of {@code examples/chat} as a Spring Boot application: the same {@link
 * dev.zocket.examples.chat.Rooms} contract, behaviour and page, on one port (127.0.0.1:3000 by
 * default), started by {@code zocket-spring-boot-starter}. The limits are in {@code
 * application.properties}; the handler is {@link ChatRoomsHandler}, one bean per connection.
 *
 * <pre>
 * java -jar zocket-chat-spring.jar [--zocket.server.port=N] [--zocket.server.host=H]
 * </pre>
 */
@SpringBootApplication
public class ChatSpringApplication {
  /** Created by Spring. */
  public ChatSpringApplication() {}

  /**
   * Starts the application; it runs until the process is stopped (SIGTERM or Ctrl-C closes the
   * context, and with it the server, clients getting 1001).
   *
   * @param args Spring Boot's command line, for example {@code --zocket.server.port=0}
   */
  public static void main(String[] args) {
    SpringApplication.run(ChatSpringApplication.class, args);
  }

  /**
   * What the properties cannot say: the handshake headers, the user of a connection, what the
   * cluster shows of it ({@code rooms.members} lists these names), and the page on the server's own
   * port (every other path is a WebSocket endpoint).
   *
   * @return the customizer
   */
  // region customizer
  @Bean
  ZocketServerCustomizer chatServer() {
    return builder ->
        builder
            .headers(ChatHeaders.class)
            .onConnect((headers, clientId) -> new User(headers.userName()))
            .presence(User::name)
            .httpHandler(new WebAssets());
  }
  // endregion customizer
}
