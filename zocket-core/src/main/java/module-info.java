/**
 * Zocket's core: the contract annotations and the API handlers use ({@code dev.zocket}), the
 * service-provider interfaces a transport or cluster module implements ({@code dev.zocket.spi}),
 * and the internals shared by Zocket's own modules ({@code dev.zocket.internal}, exported to those
 * modules only).
 *
 * <p>Zocket reads an application's contracts and handlers by reflection, and Jackson and Hibernate
 * Validator read its payload and header records: a named application module opens the packages that
 * hold them to {@code dev.zocket.core}, {@code tools.jackson.databind} and {@code
 * org.hibernate.validator}.
 */
// "module": the modules named in the qualified export depend on this one, so javac does not see
// them when it compiles this one.
@SuppressWarnings("module")
module dev.zocket.core {
  requires transitive tools.jackson.databind;
  requires jakarta.validation;
  requires org.hibernate.validator;
  requires org.slf4j;

  exports dev.zocket;
  exports dev.zocket.spi;
  exports dev.zocket.internal to
      dev.zocket.netty,
      dev.zocket.client,
      dev.zocket.redis,
      dev.zocket.typescript;
}
