package dev.zocket.typescript;

import dev.zocket.internal.PayloadValidator;
import jakarta.validation.constraints.AssertFalse;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.Future;
import jakarta.validation.constraints.FutureOrPresent;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Negative;
import jakarta.validation.constraints.NegativeOrZero;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Past;
import jakarta.validation.constraints.PastOrPresent;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import jakarta.validation.metadata.ConstraintDescriptor;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.MissingResourceException;
import java.util.ResourceBundle;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;

/**
 * Bean Validation constraints as zod checks, each with the message Hibernate Validator gives, so a
 * TypeScript client reports what the Java side would. A constraint composed of supported ones is
 * expanded; any other constraint is listed as not checked (the generator writes it in a comment, or
 * fails when strict), never dropped silently.
 */
final class ZodConstraints {
  /** What a schema is, as far as constraints care. */
  enum Shape {
    STRING,
    NUMBER,
    BOOLEAN,
    ARRAY,
    MAP,
    OTHER,
    /** An ISO-8601 date-time with an offset: {@code Instant}, {@code OffsetDateTime}, ... */
    INSTANT,
    /** {@code LocalDateTime} in ISO-8601. */
    LOCAL_DATE_TIME,
    /** {@code LocalDate} in ISO-8601. */
    LOCAL_DATE,
    /** {@code LocalTime} in ISO-8601. */
    LOCAL_TIME
  }

  /**
   * A constraint the generated schema does not check (the Java side still does).
   *
   * @param constraint the annotation as the comment names it: {@code @Isbn}
   * @param reason why, for the failure of a strict generation
   */
  record Skipped(String constraint, String reason) {}

  /** A constraint zod cannot express: skipped, or fatal when the generation is strict. */
  private static final class Untranslatable extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    Untranslatable(String message) {
      super(message);
    }
  }

  /**
   * Java's {@code Character.isWhitespace}, which {@code @NotBlank} uses: not U+00A0, U+2007 or
   * U+202F, but U+001C to U+001F.
   */
  private static final String NOT_BLANK =
      "/[^\\t\\n\\x0B\\f\\r\\x1C-\\x1F \\u1680\\u2000-\\u2006\\u2008-\\u200A\\u2028\\u2029"
          + "\\u205F\\u3000]/";

  private static final java.util.regex.Pattern PARAMETER =
      java.util.regex.Pattern.compile("\\{([^{}]+)}");

  private ZodConstraints() {}

  /** Whether the constraints forbid null (and a missing value). */
  static boolean required(Set<ConstraintDescriptor<?>> constraints) {
    for (ConstraintDescriptor<?> c : constraints) {
      Class<? extends Annotation> type = c.getAnnotation().annotationType();
      if (type == NotNull.class || type == NotBlank.class || type == NotEmpty.class) {
        return true;
      }
      if (isComposed(c) && required(c.getComposingConstraints())) {
        return true;
      }
    }
    return false;
  }

  /**
   * The zod checks of a set of constraints, appended to a schema of the given shape. A constraint
   * zod cannot express is added to {@code skipped} instead.
   *
   * @throws IllegalArgumentException naming a constraint put on a type it does not apply to
   */
  static String checks(
      Set<ConstraintDescriptor<?>> constraints, Shape shape, List<Skipped> skipped) {
    StringBuilder sb = new StringBuilder();
    constraints.stream()
        .sorted(
            java.util.Comparator.comparing(
                (ConstraintDescriptor<?> c) -> c.getAnnotation().toString()))
        .forEach(
            c -> {
              try {
                sb.append(check(c, shape, skipped));
              } catch (Untranslatable e) {
                skipped.add(
                    new Skipped(
                        "@" + c.getAnnotation().annotationType().getSimpleName(), e.getMessage()));
              }
            });
    return sb.toString();
  }

  private static String check(ConstraintDescriptor<?> c, Shape shape, List<Skipped> skipped) {
    Annotation a = c.getAnnotation();
    Class<? extends Annotation> type = a.annotationType();
    String message = Js.string(message(c));
    if (type == NotNull.class) {
      return "";
    }
    if (type == NotBlank.class) {
      expect(shape, a, Shape.STRING);
      return ".regex(" + NOT_BLANK + ", " + message + ")";
    }
    if (type == NotEmpty.class) {
      return size(shape, a, 1, Integer.MAX_VALUE, message);
    }
    if (a instanceof Size s) {
      return size(shape, a, s.min(), s.max(), message);
    }
    if (a instanceof Min m) {
      expect(shape, a, Shape.NUMBER);
      return ".gte(" + m.value() + ", " + message + ")";
    }
    if (a instanceof Max m) {
      expect(shape, a, Shape.NUMBER);
      return ".lte(" + m.value() + ", " + message + ")";
    }
    if (a instanceof DecimalMin m) {
      expect(shape, a, Shape.NUMBER);
      return (m.inclusive() ? ".gte(" : ".gt(") + Js.number(m.value()) + ", " + message + ")";
    }
    if (a instanceof DecimalMax m) {
      expect(shape, a, Shape.NUMBER);
      return (m.inclusive() ? ".lte(" : ".lt(") + Js.number(m.value()) + ", " + message + ")";
    }
    if (type == Positive.class || type == PositiveOrZero.class) {
      expect(shape, a, Shape.NUMBER);
      return (type == Positive.class ? ".gt(0, " : ".gte(0, ") + message + ")";
    }
    if (type == Negative.class || type == NegativeOrZero.class) {
      expect(shape, a, Shape.NUMBER);
      return (type == Negative.class ? ".lt(0, " : ".lte(0, ") + message + ")";
    }
    if (a instanceof Pattern p) {
      expect(shape, a, Shape.STRING);
      return ".regex(" + regex(p.regexp(), flags(p.flags())) + ", " + message + ")";
    }
    if (a instanceof Email e) {
      expect(shape, a, Shape.STRING);
      String extra =
          e.regexp().equals(".*")
              ? ""
              : ".regex(" + regex(e.regexp(), flags(e.flags())) + ", " + message + ")";
      return ".refine((s) => isEmail(s), " + message + ")" + extra;
    }
    if (type == Past.class
        || type == PastOrPresent.class
        || type == Future.class
        || type == FutureOrPresent.class) {
      String test = TimeChecks.test(type, shape);
      if (test == null) {
        throw new Untranslatable(
            "@"
                + type.getSimpleName()
                + " is checked here only on Instant, OffsetDateTime, ZonedDateTime, LocalDateTime,"
                + " LocalDate and LocalTime written in ISO-8601 (not with @JsonFormat(pattern))");
      }
      return ".refine((t) => " + test + ", " + message + ")";
    }
    if (a instanceof Digits d) {
      if (shape != Shape.NUMBER && shape != Shape.STRING) {
        throw new IllegalArgumentException("@Digits applies to numbers and strings only");
      }
      return ".refine((v) => "
          + TimeChecks.digits(shape == Shape.NUMBER, d.integer(), d.fraction())
          + ", "
          + message
          + ")";
    }
    if (type == AssertTrue.class || type == AssertFalse.class) {
      expect(shape, a, Shape.BOOLEAN);
      return ".refine((b) => b !== " + (type == AssertFalse.class) + ", " + message + ")";
    }
    if (isComposed(c)) {
      List<Skipped> inner = new ArrayList<>();
      String composed = checks(c.getComposingConstraints(), shape, inner);
      for (Skipped s : inner) {
        skipped.add(new Skipped("@" + type.getSimpleName() + "'s " + s.constraint(), s.reason()));
      }
      return composed;
    }
    throw new Untranslatable(
        "@"
            + type.getSimpleName()
            + " has no zod equivalent (supported: @NotNull, @NotBlank, @NotEmpty, @Size, @Min,"
            + " @Max, @DecimalMin, @DecimalMax, @Positive, @PositiveOrZero, @Negative,"
            + " @NegativeOrZero, @Pattern, @Email, @AssertTrue, @AssertFalse, @Past,"
            + " @PastOrPresent, @Future, @FutureOrPresent, @Digits, and constraints composed of"
            + " them)");
  }

  /** A Java regex as a JavaScript one; untranslatable when JavaScript lacks a construct. */
  private static String regex(String regex, int flags) {
    try {
      return JsRegex.wholeMatch(regex, flags);
    } catch (IllegalArgumentException e) {
      throw new Untranslatable(e.getMessage());
    }
  }

  /** Whether the module needs the date, time and digit functions of {@link TimeChecks}. */
  static boolean usesTimeChecks(Set<ConstraintDescriptor<?>> constraints) {
    for (ConstraintDescriptor<?> c : constraints) {
      Class<? extends Annotation> type = c.getAnnotation().annotationType();
      if (type == Past.class
          || type == PastOrPresent.class
          || type == Future.class
          || type == FutureOrPresent.class
          || type == Digits.class
          || (isComposed(c) && usesTimeChecks(c.getComposingConstraints()))) {
        return true;
      }
    }
    return false;
  }

  /** Whether the generator needs the e-mail check in the module. */
  static boolean usesEmail(Set<ConstraintDescriptor<?>> constraints) {
    for (ConstraintDescriptor<?> c : constraints) {
      if (c.getAnnotation() instanceof Email
          || (isComposed(c) && usesEmail(c.getComposingConstraints()))) {
        return true;
      }
    }
    return false;
  }

  private static boolean isComposed(ConstraintDescriptor<?> c) {
    return c.getConstraintValidatorClasses().isEmpty() && !c.getComposingConstraints().isEmpty();
  }

  private static String size(Shape shape, Annotation a, int min, int max, String message) {
    if (shape == Shape.MAP) {
      String count = "Object.keys(m).length";
      String test =
          (min > 0 ? count + " >= " + min : "true")
              + (max < Integer.MAX_VALUE ? " && " + count + " <= " + max : "");
      return ".refine((m) => " + test + ", " + message + ")";
    }
    if (shape != Shape.STRING && shape != Shape.ARRAY) {
      throw new IllegalArgumentException(
          "@" + a.annotationType().getSimpleName() + " applies to strings, lists and maps only");
    }
    return (min > 0 ? ".min(" + min + ", " + message + ")" : "")
        + (max < Integer.MAX_VALUE ? ".max(" + max + ", " + message + ")" : "");
  }

  private static void expect(Shape shape, Annotation a, Shape wanted) {
    if (shape != wanted) {
      throw new IllegalArgumentException(
          "@"
              + a.annotationType().getSimpleName()
              + " applies to "
              + wanted.name().toLowerCase(Locale.ROOT)
              + "s only here");
    }
  }

  private static int flags(Pattern.Flag[] flags) {
    int f = 0;
    for (Pattern.Flag flag : flags) {
      f |= flag.getValue();
    }
    return f;
  }

  /**
   * The message Hibernate Validator's parameter interpolator gives: the template's keys resolved in
   * the application's {@code ValidationMessages} bundle, then Hibernate Validator's, in English,
   * and then the constraint's attributes put in for their names.
   */
  private static String message(ConstraintDescriptor<?> c) {
    String text =
        replace(PayloadValidator.template(c.getMessageTemplate(), c), ZodConstraints::lookUp);
    return replace(
        text,
        name ->
            c.getAttributes().containsKey(name)
                ? String.valueOf(c.getAttributes().get(name))
                : null);
  }

  private static String replace(String text, Function<String, String> values) {
    Matcher m = PARAMETER.matcher(text);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String value = values.apply(m.group(1));
      m.appendReplacement(sb, Matcher.quoteReplacement(value != null ? value : m.group()));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  private static String lookUp(String key) {
    for (String bundle :
        new String[] {"ValidationMessages", "org.hibernate.validator.ValidationMessages"}) {
      try {
        ResourceBundle b =
            ResourceBundle.getBundle(
                bundle,
                Locale.ENGLISH,
                ResourceBundle.Control.getNoFallbackControl(
                    ResourceBundle.Control.FORMAT_PROPERTIES));
        if (b.containsKey(key)) {
          return b.getString(key);
        }
      } catch (MissingResourceException e) {
        // no such bundle: try the next
      }
    }
    return null;
  }
}
