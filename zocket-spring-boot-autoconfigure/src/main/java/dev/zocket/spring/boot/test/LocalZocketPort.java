package dev.zocket.spring.boot.test;

import dev.zocket.spring.boot.autoconfigure.ZocketServerLifecycle;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.beans.factory.annotation.Value;

/**
 * Injects the port the Zocket server is bound to ({@value
 * ZocketServerLifecycle#LOCAL_PORT_PROPERTY}), as Boot's {@code @LocalServerPort}: for a test that
 * runs the server with {@code zocket.server.port=0} and speaks to it with a raw client.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.ANNOTATION_TYPE})
@Value("${" + ZocketServerLifecycle.LOCAL_PORT_PROPERTY + "}")
public @interface LocalZocketPort {}
