package dev.zocket.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Modifier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.deser.ValueInstantiator;
import tools.jackson.databind.deser.ValueInstantiators;
import tools.jackson.databind.deser.std.StdValueInstantiator;
import tools.jackson.databind.introspect.AnnotatedConstructor;
import tools.jackson.databind.introspect.AnnotatedMethod;
import tools.jackson.databind.introspect.AnnotatedWithParams;
import tools.jackson.databind.module.SimpleModule;

/**
 * Calls property-based creators (a record's canonical constructor, a {@code @JsonCreator}
 * constructor or static factory) through a method handle made once per creator.
 *
 * <p>Why: Jackson 3 (3.0 to 3.3 at least) calls such a creator with {@code
 * MethodHandle.invokeWithArguments}, which builds a spreading adapter (a new handle, {@code
 * MethodType} look-ups) on every call; that made binding a payload to a record about half as slow
 * again as with Jackson 2. This module makes the adapter once, when Jackson builds the
 * deserializer, and calls it with {@code invokeExact}.
 *
 * <p>Nothing else changes: the handle is made from the member Jackson chose (and already made
 * accessible), with the argument conversions {@code invokeWithArguments} applies ({@code null} to a
 * primitive fails the same way), and a failure is handled as Jackson's own {@link
 * StdValueInstantiator} handles it (the problem handlers, then a {@code
 * ValueInstantiationException} with the constructor's exception as its cause). Only Jackson's own
 * instantiator is replaced: one that another module or the application made is left alone, and so
 * is a creator of any other kind.
 */
final class CreatorHandles extends SimpleModule {
  private static final long serialVersionUID = 1L;

  CreatorHandles() {
    super("dev.zocket.CreatorHandles");
  }

  @Override
  public void setupModule(SetupContext context) {
    super.setupModule(context);
    context.addValueInstantiators(new Instantiators());
  }

  /** Replaces Jackson's instantiator of a bean built by a property-based creator. */
  private static final class Instantiators extends ValueInstantiators.Base
      implements java.io.Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public ValueInstantiator modifyValueInstantiator(
        DeserializationConfig config,
        BeanDescription.Supplier desc,
        ValueInstantiator instantiator) {
      if (instantiator.getClass() != StdValueInstantiator.class
          || !instantiator.canCreateFromObjectWith()) {
        return instantiator;
      }
      MethodHandle spreader = spreader(instantiator.getWithArgsCreator());
      return spreader == null
          ? instantiator
          : new Spreading((StdValueInstantiator) instantiator, spreader);
    }
  }

  /**
   * A handle of type {@code (Object[])Object} that calls the creator with the array's elements, or
   * null when the creator is not a constructor or a static method, or cannot be reached (Jackson
   * then calls it as it would, and reports what it finds).
   */
  static MethodHandle spreader(AnnotatedWithParams creator) {
    MethodHandle target;
    try {
      if (creator instanceof AnnotatedConstructor c) {
        target = MethodHandles.lookup().unreflectConstructor(c.getAnnotated());
      } else if (creator instanceof AnnotatedMethod m
          && Modifier.isStatic(m.getAnnotated().getModifiers())) {
        target = MethodHandles.lookup().unreflect(m.getAnnotated());
      } else {
        return null;
      }
    } catch (IllegalAccessException e) {
      return null;
    }
    // As Jackson's call(Object[]): fixed arity (a varargs creator takes its array as one
    // argument), every argument converted from Object as invokeWithArguments converts it.
    int n = target.type().parameterCount();
    return target
        .asFixedArity()
        .asType(MethodType.genericMethodType(n))
        .asSpreader(Object[].class, n);
  }

  /** Jackson's instantiator, with the property-based creator called through a spreader. */
  static final class Spreading extends StdValueInstantiator {
    private final MethodHandle spreader;

    Spreading(StdValueInstantiator src, MethodHandle spreader) {
      super(src);
      this.spreader = spreader;
    }

    @Override
    public Object createFromObjectWith(DeserializationContext ctxt, Object[] args)
        throws JacksonException {
      try {
        return (Object) spreader.invokeExact(args);
      } catch (Exception e) {
        // As StdValueInstantiator.createFromObjectWith: exceptions are wrapped, errors are not.
        return ctxt.handleInstantiationProblem(_valueClass, args, rewrapCtorProblem(ctxt, e));
      } catch (Throwable t) {
        throw Spreading.<RuntimeException>rethrow(t);
      }
    }

    /** Throws {@code t} as it is, as Jackson's own call does (an error is not wrapped). */
    @SuppressWarnings("unchecked") // the cast only tells the compiler not to check t
    private static <T extends Throwable> T rethrow(Throwable t) throws T {
      throw (T) t;
    }
  }
}
