package dev.zocket.internal;

import dev.zocket.ContractException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.deser.SettableBeanProperty;
import tools.jackson.databind.deser.bean.BeanDeserializerBase;
import tools.jackson.databind.deser.std.DelegatingDeserializer;
import tools.jackson.databind.ser.PropertyWriter;
import tools.jackson.databind.ser.bean.BeanSerializerBase;
import tools.jackson.databind.ser.impl.UnknownSerializer;

/**
 * Checks, with a codec's mapper, that the payload and reply types of a contract can be both read
 * from JSON and written to JSON, so that a mistake is found when the contract is read rather than
 * at the first message: a class Jackson cannot build (no usable constructor), or one it would write
 * as {@code {}} (no visible properties), anywhere inside the type.
 *
 * <p>Thread-safe; each type is checked once.
 */
final class MappingCheck {
  private final ObjectMapper mapper;
  private final Set<JavaType> good = ConcurrentHashMap.newKeySet();

  MappingCheck(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * @throws ContractException naming the route's method if a type cannot be mapped both ways
   */
  void check(RouteDescriptor r) {
    if (r.payloadJavaType() != null) {
      check(r.payloadJavaType(), "Payload", r, " (parameter '" + parameter(r) + "')");
    }
    if (r.replyJavaType() != null && r.hasReplyPayload()) {
      check(r.replyJavaType(), "Reply", r, "");
    }
  }

  private static String parameter(RouteDescriptor r) {
    return r.method().getParameters()[0].getName();
  }

  private void check(JavaType type, String what, RouteDescriptor r, String suffix) {
    if (good.contains(type)) {
      return;
    }
    String problem;
    try {
      problem = problem(type);
    } catch (RuntimeException e) {
      problem = "Jackson refuses it: " + firstLine(e.getMessage()) + ".";
    }
    if (problem != null) {
      throw new ContractException(
          what
              + " type "
              + type.toCanonical()
              + " cannot be mapped: "
              + problem
              + Contracts.forMethod(r.method())
              + suffix);
    }
    good.add(type);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no reason given";
    }
    int cut = message.indexOf('\n');
    return cut >= 0 ? message.substring(0, cut) : message;
  }

  /** Why a type cannot be read or written, or null. */
  private String problem(JavaType root) {
    // Jackson's contexts for looking serializers and deserializers up (public "to allow for
    // testing", in every 3.x): the ones a readValue or a writeValue would make.
    DeserializationContext reading = mapper._deserializationContext();
    SerializationContext writing = mapper._serializationContext();
    Set<JavaType> seen = new HashSet<>();
    return problem(root, reading, writing, seen);
  }

  /** Why a sealed interface is not a union, or why one of its records cannot be mapped. */
  private String union(
      Class<?> sealed,
      DeserializationContext reading,
      SerializationContext writing,
      Set<JavaType> seen) {
    String problem = SealedUnions.problem(sealed);
    if (problem != null) {
      return problem;
    }
    for (SealedUnions.Member m : SealedUnions.of(sealed).members()) {
      problem = problem(mapper.constructType(m.type()), reading, writing, seen);
      if (problem != null) {
        return problem;
      }
    }
    return null;
  }

  private String problem(
      JavaType type,
      DeserializationContext reading,
      SerializationContext writing,
      Set<JavaType> seen) {
    Class<?> raw = type.getRawClass();
    if (SealedUnions.isUnion(raw) && seen.add(type)) {
      return union(raw, reading, writing, seen);
    }
    if (!seen.add(type)
        || good.contains(type)
        || type.isPrimitive()
        || raw == Object.class
        || JsonNode.class.isAssignableFrom(raw)
        || type.isAbstract() && !type.isContainerType()) {
      return null; // any JSON, or polymorphic: Jackson's type information decides
    }
    if (type.isContainerType()) {
      if (type.isMapLikeType()) {
        reading.findKeyDeserializer(type.getKeyType(), null);
      }
      return problem(type.getContentType(), reading, writing, seen);
    }
    String name = raw.getSimpleName();
    ValueSerializer<Object> serializer = writing.findValueSerializer(type);
    if (serializer instanceof UnknownSerializer) {
      return name
          + " has no properties Jackson can see, so it would be written as {}. Use a record, or"
          + " give it public getters or fields.";
    }
    ValueDeserializer<Object> deserializer = reading.findRootValueDeserializer(type);
    while (deserializer instanceof DelegatingDeserializer d) {
      @SuppressWarnings("unchecked") // a delegate reads the same type
      ValueDeserializer<Object> inner = (ValueDeserializer<Object>) d.getDelegatee();
      deserializer = inner;
    }
    if (deserializer instanceof BeanDeserializerBase bean) {
      if (!bean.getValueInstantiator().canInstantiate()) {
        return name
            + " has no constructor Jackson can use, so it cannot be read from JSON. Use a record,"
            + " a no-argument constructor, or a @JsonCreator.";
      }
      for (Iterator<SettableBeanProperty> it = bean.properties(); it.hasNext(); ) {
        String p = problem(it.next().getType(), reading, writing, seen);
        if (p != null) {
          return p;
        }
      }
      SettableBeanProperty[] creator =
          bean.getValueInstantiator().getFromObjectArguments(reading.getConfig());
      if (creator != null) {
        for (SettableBeanProperty property : creator) {
          String p = problem(property.getType(), reading, writing, seen);
          if (p != null) {
            return p;
          }
        }
      }
    }
    if (serializer instanceof BeanSerializerBase bean) {
      for (Iterator<PropertyWriter> it = bean.properties(); it.hasNext(); ) {
        String p = problem(it.next().getType(), reading, writing, seen);
        if (p != null) {
          return p;
        }
      }
    }
    return null;
  }
}
