package dev.zocket.internal;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.zocket.CallTimeout;
import dev.zocket.ContractException;
import dev.zocket.Namespace;
import dev.zocket.NonBlocking;
import dev.zocket.Route;
import jakarta.validation.Constraint;
import java.lang.annotation.Annotation;
import java.lang.invoke.MethodType;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.annotation.JsonDeserialize;
import tools.jackson.databind.type.TypeFactory;

/**
 * Reads contract interfaces into {@link Contract}s, once per interface, enforcing the declaration
 * rules. Server registration, client proxies and emitters all go through here, so they cannot
 * disagree about a route.
 */
public final class Contracts {
  private static final Pattern NAMESPACE = Pattern.compile("[^.\\s]+(\\.[^.\\s]+)*");
  private static final Pattern NAME = Pattern.compile("[^.\\s]+");
  private static final TypeFactory TYPES = TypeFactory.createDefaultInstance();

  private static final ClassValue<Object> CACHE =
      new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> type) {
          try {
            return read(type);
          } catch (ContractException e) {
            return e;
          }
        }
      };

  private static final ClassValue<Object> EVENTS_CHECKED =
      new ClassValue<>() {
        @Override
        protected Object computeValue(Class<?> type) {
          Contract contract;
          if (hasDefaultMethods(type)) {
            // In an event interface a default method is an event too: its body is what a
            // listener that does not override it does (typically nothing).
            try {
              contract = read(type, true);
            } catch (ContractException e) {
              return e;
            }
          } else {
            contract = of(type);
          }
          for (RouteDescriptor r : contract.routes()) {
            if (r.kind() == RouteDescriptor.Kind.CALL) {
              // An acknowledged event's sender cannot block an emitter's caller for the answer.
              return new ContractException(
                  "Event methods must return void, or CompletableFuture<T> for an event the client"
                      + " acknowledges; found "
                      + r.method().getGenericReturnType().getTypeName()
                      + ". Return CompletableFuture<"
                      + boxed(r.method().getReturnType()).getSimpleName()
                      + ">, or move calls to a client-to-server contract."
                      + forMethod(r.method()));
            }
          }
          return contract;
        }
      };

  private Contracts() {}

  /**
   * The contract of an interface, read once and cached.
   *
   * @throws ContractException if the interface breaks a rule; thrown again on every later call
   */
  public static Contract of(Class<?> type) {
    return unwrap(CACHE.get(type));
  }

  /**
   * The contract of an event (server-to-client) interface: as {@link #of}, except that {@code
   * default} methods are events too (so listeners override only the events they want), and every
   * method must return void, or {@code CompletableFuture<T>} (or {@code CompletionStage<T>}) for an
   * acknowledged event, whose client answers with a {@code T}.
   */
  public static Contract events(Class<?> type) {
    return unwrap(EVENTS_CHECKED.get(type));
  }

  private static Class<?> boxed(Class<?> c) {
    return c.isPrimitive() ? MethodType.methodType(c).wrap().returnType() : c;
  }

  private static Contract unwrap(Object value) {
    if (value instanceof ContractException e) {
      // A fresh exception per caller, so each stack trace shows its own call site.
      throw new ContractException(e.getMessage());
    }
    return (Contract) value;
  }

  private static boolean hasDefaultMethods(Class<?> type) {
    for (Method m : type.getMethods()) {
      if (m.isDefault()) {
        return true;
      }
    }
    return false;
  }

  private static Contract read(Class<?> type) {
    return read(type, false);
  }

  private static Contract read(Class<?> type, boolean defaultsAreRoutes) {
    if (!type.isInterface() || type.isAnnotation()) {
      String kind =
          type.isAnnotation()
              ? "annotation"
              : type.isEnum() ? "enum" : type.isRecord() ? "record" : "class";
      throw new ContractException(
          "Zocket contracts must be interfaces, but "
              + type.getName()
              + (kind.startsWith("a") || kind.startsWith("e") ? " is an " : " is a ")
              + kind
              + ". Declare the routes on an interface and implement it."
              + "\n    for "
              + kind
              + " "
              + type.getSimpleName());
    }
    if (type.getTypeParameters().length > 0) {
      throw new ContractException(
          "Contract interfaces must not be generic, but "
              + type.getSimpleName()
              + " declares "
              + Arrays.toString(type.getTypeParameters())
              + ". Use concrete payload types."
              + "\n    for interface "
              + type.getSimpleName());
    }
    String prefix = namespace(type);
    List<Method> methods = new ArrayList<>();
    for (Method m : type.getMethods()) {
      if (Modifier.isStatic(m.getModifiers())
          || (m.isDefault() && !defaultsAreRoutes)
          || isObjectMethod(m)) {
        continue;
      }
      methods.add(m);
    }
    methods.sort(
        Comparator.comparing((Method m) -> m.getDeclaringClass().getName())
            .thenComparing(Method::getName)
            .thenComparing(m -> Arrays.toString(m.getParameterTypes())));

    Map<String, Method> byName = new HashMap<>();
    Map<String, RouteDescriptor> byRoute = new HashMap<>();
    List<RouteDescriptor> routes = new ArrayList<>();
    Map<Method, RouteDescriptor> byMethod = new LinkedHashMap<>();
    for (Method m : methods) {
      Method other = byName.putIfAbsent(m.getName(), m);
      if (other != null) {
        throw new ContractException(
            "Overloaded methods are not allowed: each method is one route. Give one of the '"
                + m.getName()
                + "' methods another name or a @Route."
                + forMethod(m));
      }
      RouteDescriptor route = describe(prefix, m);
      RouteDescriptor clash = byRoute.putIfAbsent(route.route(), route);
      if (clash != null) {
        throw new ContractException(
            "Route '"
                + route.route()
                + "' is defined twice, also by "
                + clash.methodName()
                + ". Give one of them another @Route."
                + forMethod(m));
      }
      routes.add(route);
      byMethod.put(m, route);
    }
    return new Contract(type, List.copyOf(routes), Collections.unmodifiableMap(byMethod));
  }

  private static String namespace(Class<?> type) {
    Namespace ns = type.getAnnotation(Namespace.class);
    if (ns == null) {
      return "";
    }
    if (!NAMESPACE.matcher(ns.value()).matches()) {
      throw new ContractException(
          "@Namespace must be dot-separated non-empty names without white space, but was '"
              + ns.value()
              + "'."
              + "\n    for interface "
              + type.getSimpleName());
    }
    if (ns.value().startsWith(Protocol.RESERVED_PREFIX)) {
      throw new ContractException(
          "Namespaces starting with '"
              + Protocol.RESERVED_PREFIX
              + "' are reserved by the protocol, but found '"
              + ns.value()
              + "'. Choose another @Namespace."
              + "\n    for interface "
              + type.getSimpleName());
    }
    return ns.value() + ".";
  }

  private static RouteDescriptor describe(String prefix, Method m) {
    String name = m.getName();
    Route override = m.getAnnotation(Route.class);
    if (override != null) {
      name = override.value();
      if (!NAME.matcher(name).matches()) {
        throw new ContractException(
            "@Route must be a non-empty name without dots or white space, but was '"
                + name
                + "'."
                + forMethod(m));
      }
    }
    if (name.startsWith(Protocol.RESERVED_PREFIX)) {
      throw new ContractException(
          "Route names starting with '"
              + Protocol.RESERVED_PREFIX
              + "' are reserved by the protocol, but found '"
              + name
              + "'. Rename the method or give it a @Route."
              + forMethod(m));
    }
    for (Class<?> ex : m.getExceptionTypes()) {
      if (!RuntimeException.class.isAssignableFrom(ex) && !Error.class.isAssignableFrom(ex)) {
        throw new ContractException(
            "Contract methods must not declare checked exceptions, but found "
                + ex.getSimpleName()
                + ". Report failures with ZocketException."
                + forMethod(m));
      }
    }

    Type[] params = m.getGenericParameterTypes();
    if (params.length > 1) {
      throw new ContractException(
          "Contract methods take one payload parameter or none, but found "
              + params.length
              + ". Put the values into one record."
              + forMethod(m));
    }
    Type payload = null;
    JavaType payloadJava = null;
    boolean validated = false;
    if (params.length == 1) {
      payload = params[0];
      String param = " (parameter '" + m.getParameters()[0].getName() + "')";
      for (Annotation a : m.getParameterAnnotations()[0]) {
        if (a.annotationType().isAnnotationPresent(Constraint.class)) {
          throw new ContractException(
              "Constraints on a payload parameter are not supported, but found @"
                  + a.annotationType().getSimpleName()
                  + ". Declare them on the payload record's components."
                  + forMethod(m)
                  + param);
        }
      }
      String problem = unmappable(payload);
      if (problem != null) {
        throw new ContractException(
            "Payload type "
                + payload.getTypeName()
                + " cannot be mapped: "
                + problem
                + forMethod(m)
                + param);
      }
      payloadJava = TYPES.constructType(payload);
      validated = PayloadValidator.isConstrained(payloadJava);
    }

    Type returned = m.getGenericReturnType();
    RouteDescriptor.Kind kind;
    Type reply;
    if (returned == void.class) {
      kind = RouteDescriptor.Kind.SEND;
      reply = null;
    } else if (isRawOf(returned, CompletionStage.class)
        || isRawOf(returned, CompletableFuture.class)) {
      if (!(returned instanceof ParameterizedType p)) {
        throw new ContractException(
            "Async calls must say what they complete with, but "
                + returned.getTypeName()
                + " is raw. Use CompletableFuture<T> (CompletableFuture<Void> for no reply)."
                + forMethod(m));
      }
      kind = RouteDescriptor.Kind.ASYNC_CALL;
      reply = p.getActualTypeArguments()[0];
    } else if (isRawOf(returned, Flow.Publisher.class)) {
      if (!(returned instanceof ParameterizedType p)) {
        throw new ContractException(
            "Streams must say what they carry, but "
                + returned.getTypeName()
                + " is raw. Use Flow.Publisher<T>."
                + forMethod(m));
      }
      kind = RouteDescriptor.Kind.STREAM;
      reply = p.getActualTypeArguments()[0];
      if (reply == Void.class) {
        throw new ContractException(
            "A stream of Void carries nothing. Stream a value, or return CompletableFuture<Void>."
                + forMethod(m));
      }
    } else {
      kind = RouteDescriptor.Kind.CALL;
      reply = returned;
    }
    JavaType replyJava = null;
    if (reply != null) {
      String problem = reply == Void.class ? null : unmappable(reply);
      if (problem != null) {
        throw new ContractException(
            "Reply type " + reply.getTypeName() + " cannot be mapped: " + problem + forMethod(m));
      }
      replyJava = TYPES.constructType(reply);
    }

    long timeout = -1;
    CallTimeout ct = m.getAnnotation(CallTimeout.class);
    if (ct != null) {
      if (kind == RouteDescriptor.Kind.SEND) {
        throw new ContractException(
            "@CallTimeout applies to calls only, but this method returns void. Remove it or return"
                + " a reply."
                + forMethod(m));
      }
      if (ct.millis() <= 0) {
        throw new ContractException(
            "@CallTimeout must be positive, but was " + ct.millis() + "." + forMethod(m));
      }
      timeout = ct.millis();
    }
    boolean nonBlocking =
        m.isAnnotationPresent(NonBlocking.class)
            || m.getDeclaringClass().isAnnotationPresent(NonBlocking.class);
    return new RouteDescriptor(
        prefix + name,
        m,
        payload,
        payloadJava,
        reply,
        replyJava,
        kind,
        validated,
        nonBlocking,
        timeout);
  }

  /** Why Jackson cannot map a type both ways, or null if it can. */
  static String unmappable(Type type) {
    if (type instanceof TypeVariable<?> v) {
      return "type variable " + v.getName() + " has no concrete type. Use a concrete type.";
    }
    if (type instanceof WildcardType) {
      return "wildcards have no concrete type. Use a concrete type argument.";
    }
    if (type instanceof GenericArrayType g) {
      return unmappable(g.getGenericComponentType());
    }
    if (type instanceof ParameterizedType p) {
      String raw = unmappable(p.getRawType());
      if (raw != null) {
        return raw;
      }
      for (Type arg : p.getActualTypeArguments()) {
        String problem = unmappable(arg);
        if (problem != null) {
          return problem;
        }
      }
      return null;
    }
    Class<?> c = (Class<?>) type;
    if (c == void.class || c == Void.class) {
      return "void is not a value. Remove the parameter.";
    }
    if (c.isArray()) {
      return unmappable(c.getComponentType());
    }
    if (Future.class.isAssignableFrom(c) || CompletionStage.class.isAssignableFrom(c)) {
      return "futures cannot be nested or sent. Return CompletableFuture<T> with a plain T.";
    }
    if (Flow.Publisher.class.isAssignableFrom(c)) {
      return "streams cannot be nested or sent. Return Flow.Publisher<T> with a plain T.";
    }
    if (c == Optional.class) {
      return "Optional is not supported. Use a nullable value.";
    }
    if (c.isPrimitive() || c == Object.class || c.isEnum() || JsonNode.class.isAssignableFrom(c)) {
      return null;
    }
    if (SealedUnions.isUnion(c)) {
      return SealedUnions.problemWithin(c);
    }
    if (c.isAnnotationPresent(JsonTypeInfo.class)
        && (c.isInterface() || Modifier.isAbstract(c.getModifiers()))) {
      return c.getSimpleName()
          + " has @JsonTypeInfo but is not sealed, so its subtypes are not known. Make it a sealed"
          + " interface whose permitted subtypes are records.";
    }
    boolean polymorphic = c.isAnnotationPresent(JsonDeserialize.class);
    if ((c.isInterface() || Modifier.isAbstract(c.getModifiers()))
        && !Collection.class.isAssignableFrom(c)
        && !Map.class.isAssignableFrom(c)
        && !Number.class.isAssignableFrom(c)
        && !c.getName().startsWith("java.time.")
        && !polymorphic) {
      return c.getSimpleName()
          + " is abstract, so JSON cannot say which class to build. Use a record or a concrete"
          + " class.";
    }
    return SealedUnions.problemWithin(c);
  }

  private static boolean isRawOf(Type type, Class<?> raw) {
    if (type instanceof ParameterizedType p) {
      return p.getRawType() == raw;
    }
    return type == raw;
  }

  private static boolean isObjectMethod(Method m) {
    try {
      Object.class.getMethod(m.getName(), m.getParameterTypes());
      return true;
    } catch (NoSuchMethodException e) {
      return false;
    }
  }

  /** The Retrofit-style suffix naming the culprit method. */
  static String forMethod(Method m) {
    return "\n    for method " + m.getDeclaringClass().getSimpleName() + "." + m.getName();
  }
}
