package dev.zocket.typescript.maven;

import dev.zocket.ContractException;
import dev.zocket.typescript.GenerationException;
import dev.zocket.typescript.TypeScriptGenerator;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.apache.maven.artifact.DependencyResolutionRequiredException;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.plugins.annotations.ResolutionScope;
import org.apache.maven.project.MavenProject;
import tools.jackson.databind.ObjectMapper;

/**
 * Writes the TypeScript module of the contracts this module compiles: a zod schema per record and
 * the {@code contract} object the TypeScript client is typed by. Runs after compilation, with the
 * module's classes and compile dependencies on the class path.
 *
 * <pre>{@code
 * <plugin>
 *   <groupId>dev.zocket</groupId>
 *   <artifactId>zocket-typescript-maven-plugin</artifactId>
 *   <executions>
 *     <execution>
 *       <goals><goal>generate</goal></goals>
 *       <configuration>
 *         <routes><route>com.example.Rooms</route></routes>
 *         <events><event>com.example.RoomEvents</event></events>
 *         <headers>com.example.ChatHeaders</headers>
 *         <!-- optional: the mapper the server is given -->
 *         <objectMapper>com.example.Json#mapper</objectMapper>
 *         <outputFile>${project.basedir}/../web/src/generated/chat.ts</outputFile>
 *       </configuration>
 *     </execution>
 *   </executions>
 * </plugin>
 * }</pre>
 *
 * <p>A constraint zod cannot express (a custom {@code @Constraint}, for one) is noted in a comment
 * next to its component, and the Java side still enforces it; with {@code strict} it fails the goal
 * instead.
 *
 * <p>The file is written only when its content changes. With {@code check} the goal writes nothing
 * and fails the build when the file is not what would be generated.
 */
@Mojo(
    name = "generate",
    defaultPhase = LifecyclePhase.PROCESS_CLASSES,
    requiresDependencyResolution = ResolutionScope.COMPILE,
    threadSafe = true)
public final class GenerateMojo extends AbstractMojo {
  /** Creates the goal; Maven sets its parameters. */
  public GenerateMojo() {}

  @Parameter(defaultValue = "${project}", readonly = true, required = true)
  private MavenProject project;

  /** Client-to-server contract interfaces (binary class names): {@code contract.routes}. */
  @Parameter private List<String> routes = new ArrayList<>();

  /** Server-to-client contract interfaces (binary class names): {@code contract.events}. */
  @Parameter private List<String> events = new ArrayList<>();

  /** The handshake headers record (binary class name): {@code contract.headers}. Optional. */
  @Parameter private String headers;

  /**
   * The Jackson 3 mapper the server is given, named by a public static method without parameters
   * that returns it: {@code com.example.Json#mapper} (the binary class name, {@code #}, the
   * method). The module then follows the mapper's naming strategy, mix-ins and modules, as the wire
   * does; a type the mapper maps with a serializer of the application's own fails the goal.
   * Optional: by default Jackson's defaults, as the server's.
   */
  @Parameter(property = "zocket.typescript.objectMapper")
  private String objectMapper;

  /** The TypeScript module to write. */
  @Parameter(property = "zocket.typescript.outputFile", required = true)
  private File outputFile;

  /** Writes nothing and fails when {@code outputFile} is out of date. */
  @Parameter(property = "zocket.typescript.check", defaultValue = "false")
  private boolean check;

  /**
   * Fails the goal on a constraint the generated schemas cannot express (a custom
   * {@code @Constraint}, a regex construct JavaScript lacks, a constraint on a class), naming it.
   * Default false: the module is written with a comment next to the component naming each such
   * constraint, {@code // not checked here: @Isbn (enforced by the server)}.
   */
  @Parameter(property = "zocket.typescript.strict", defaultValue = "false")
  private boolean strict;

  /** Skips the goal. */
  @Parameter(property = "zocket.typescript.skip", defaultValue = "false")
  private boolean skip;

  @Override
  public void execute() throws MojoExecutionException, MojoFailureException {
    if (skip) {
      getLog().info("Skipped");
      return;
    }
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    try (URLClassLoader loader = new URLClassLoader(classPath(), getClass().getClassLoader())) {
      thread.setContextClassLoader(loader);
      TypeScriptGenerator.Builder builder = TypeScriptGenerator.builder().strict(strict);
      for (String name : routes) {
        builder.routes(load(loader, name));
      }
      for (String name : events) {
        builder.events(load(loader, name));
      }
      if (headers != null && !headers.isBlank()) {
        builder.headers(load(loader, headers.trim()));
      }
      if (objectMapper != null && !objectMapper.isBlank()) {
        builder.objectMapper(mapper(loader, objectMapper.trim()));
      }
      TypeScriptGenerator generator = builder.build();
      if (check) {
        String expected = generator.generate();
        if (!outputFile.isFile()
            || !Files.readString(outputFile.toPath(), StandardCharsets.UTF_8).equals(expected)) {
          throw new MojoFailureException(
              outputFile + " is out of date: run the goal without check to regenerate it");
        }
        getLog().info(outputFile + " is up to date");
      } else if (generator.write(outputFile.toPath())) {
        getLog().info("Wrote " + outputFile.toPath().normalize());
      } else {
        getLog().info("Unchanged: " + outputFile.toPath().normalize());
      }
    } catch (GenerationException
        | ContractException
        | IllegalStateException
        | IllegalArgumentException e) {
      throw new MojoFailureException(e.getMessage(), e);
    } catch (IOException e) {
      throw new MojoExecutionException("Cannot write " + outputFile + ": " + e, e);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private URL[] classPath() throws MojoExecutionException {
    try {
      List<URL> urls = new ArrayList<>();
      for (String element : project.getCompileClasspathElements()) {
        urls.add(new File(element).toURI().toURL());
      }
      return urls.toArray(new URL[0]);
    } catch (DependencyResolutionRequiredException | MalformedURLException e) {
      throw new MojoExecutionException("Cannot build the class path of " + project.getId(), e);
    }
  }

  /** The mapper a {@code Class#method} factory returns. */
  private static ObjectMapper mapper(ClassLoader loader, String factory)
      throws MojoFailureException {
    int hash = factory.indexOf('#');
    if (hash <= 0 || hash == factory.length() - 1) {
      throw new MojoFailureException(
          "objectMapper '"
              + factory
              + "' does not name a method: give the class and a public static method without"
              + " parameters that returns the mapper, as com.example.Json#mapper");
    }
    Class<?> type = load(loader, factory.substring(0, hash));
    String name = factory.substring(hash + 1);
    Method method;
    try {
      method = type.getMethod(name);
    } catch (NoSuchMethodException e) {
      throw new MojoFailureException(
          "objectMapper: " + type.getName() + " has no public method " + name + "()");
    }
    if (!Modifier.isStatic(method.getModifiers())
        || !ObjectMapper.class.isAssignableFrom(method.getReturnType())) {
      throw new MojoFailureException(
          "objectMapper: "
              + type.getName()
              + "#"
              + name
              + " must be static and return a tools.jackson.databind.ObjectMapper (a JsonMapper)");
    }
    try {
      Object mapper = method.invoke(null);
      if (mapper == null) {
        throw new MojoFailureException("objectMapper: " + factory + " returned null");
      }
      return (ObjectMapper) mapper;
    } catch (IllegalAccessException e) {
      throw new MojoFailureException("objectMapper: cannot call " + factory + ": " + e, e);
    } catch (InvocationTargetException e) {
      throw new MojoFailureException(
          "objectMapper: " + factory + " failed: " + e.getCause(), e.getCause());
    }
  }

  private static Class<?> load(ClassLoader loader, String name) throws MojoFailureException {
    try {
      return Class.forName(name.trim(), false, loader);
    } catch (ClassNotFoundException e) {
      throw new MojoFailureException(
          "Class "
              + name
              + " is not among this module's classes and compile dependencies (give its binary"
              + " name, Outer$Inner)");
    }
  }
}
