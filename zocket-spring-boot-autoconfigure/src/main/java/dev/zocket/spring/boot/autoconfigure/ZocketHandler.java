package dev.zocket.spring.boot.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.context.annotation.Scope;
import org.springframework.core.annotation.AliasFor;
import org.springframework.stereotype.Component;

/**
 * Marks a class as the handler of one or more Zocket contracts: a Spring bean in the {@value
 * #SCOPE} scope, one instance per connection, created by the server when the connection opens and
 * destroyed when it ends.
 *
 * <pre>{@code
 * @ZocketHandler
 * class RoomsHandler implements Rooms {
 *   private final Context<User> ctx;
 *   private final MessageStore store; // any bean
 *
 *   RoomsHandler(Context<User> ctx, MessageStore store) {
 *     this.ctx = ctx;
 *     this.store = store;
 *   }
 *
 *   public void join(JoinRoom r) {
 *     ctx.rooms().join(r.roomId());
 *   }
 *
 *   @PreDestroy
 *   void left() { // the connection has ended; ctx still shows its rooms
 *   }
 * }
 * }</pre>
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>The contracts handled are {@link #value()}, or when it is empty every interface the class
 *       or one of its superclasses implements (other than those of {@code java.*} and {@code
 *       org.springframework.*}), so a bean may extend a handler written without Spring; each must
 *       follow Zocket's contract rules, checked when the server starts. A contract may be handled
 *       by one bean only.
 *   <li>The connection's {@link dev.zocket.Context} may be injected (constructor, field or method),
 *       and so may any other bean, among them other beans of the {@value #SCOPE} scope, which are
 *       then the same connection's.
 *   <li>One instance serves the connection for every contract the class handles. With {@code
 *       zocket.server.recovery.enabled}, the instance lives as long as the session: a client that
 *       resumes its session gets the same instance, whose injected {@code Context} then reaches the
 *       new connection.
 *   <li>Destruction callbacks ({@code @PreDestroy}, {@code DisposableBean}) run when the session
 *       ends, in the server's {@code onDisconnect}: after every message the connection sent was
 *       handled, while its context still shows its rooms; and for every open connection when the
 *       application context closes.
 * </ul>
 *
 * <p>Threading: the instance is created on the handler executor (the thread that completed {@code
 * onConnect}); its methods are called one at a time, in message order, on the handler executor (or
 * on an I/O thread for a {@link dev.zocket.NonBlocking @NonBlocking} route), so its own state needs
 * no locking; it may block. Destruction callbacks run on the handler executor.
 *
 * <p>Why a scope of its own, not a singleton that looks the current connection up: the handler's
 * fields are the connection's state, as with a handler built by {@code ZocketServer.Builder.handle}
 * and as with Spring's {@code "websocket"} scope for STOMP sessions; and {@code Context} is an
 * ordinary constructor argument, so a handler is tested with a plain {@code new}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Component
@Scope(ZocketHandler.SCOPE)
public @interface ZocketHandler {
  /** The name of the per-connection bean scope: {@value}. */
  String SCOPE = "zocketConnection";

  /**
   * The contracts this bean handles; empty for every interface its class or a superclass
   * implements.
   *
   * @return the contract interfaces
   */
  Class<?>[] value() default {};

  /**
   * The bean's name; empty for Spring's default name.
   *
   * @return the bean name
   */
  @AliasFor(annotation = Component.class, attribute = "value")
  String name() default "";
}
