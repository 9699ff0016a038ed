package dev.zocket.typescript;

import dev.zocket.ContractException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The generator's command line. The contract classes must be on the class path:
 *
 * <pre>
 * java -cp zocket-typescript.jar:my-contracts.jar:... dev.zocket.typescript.Main \
 *     --routes com.example.Rooms --events com.example.RoomEvents \
 *     --headers com.example.ChatHeaders --out web/src/chat.ts
 * </pre>
 *
 * <p>{@code --routes} and {@code --events} take comma-separated class names and may repeat. {@code
 * --check} writes nothing and exits with 1 when the file is not what would be generated (for a
 * build that must not let the TypeScript side drift). {@code --strict} fails on a constraint zod
 * cannot express, which is otherwise noted in a comment in the module. Exit codes: 0 done, 1 out of
 * date, 2 bad arguments or a contract that cannot be generated.
 */
public final class Main {
  private static final String USAGE =
      "Usage: java -cp <zocket-typescript and contract classes> dev.zocket.typescript.Main\n"
          + "         --routes <class>[,<class>...]   client-to-server contracts\n"
          + "         --events <class>[,<class>...]   server-to-client contracts\n"
          + "         [--headers <class>]             the handshake headers record\n"
          + "         --out <file.ts>                 the module to write\n"
          + "         [--check]                       only check that <file.ts> is up to date\n"
          + "         [--strict]                      fail on a constraint zod cannot express\n";

  private Main() {}

  /**
   * Runs the command line and exits with its code.
   *
   * @param args see the class documentation
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the command line, printing to the given streams; returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    TypeScriptGenerator.Builder builder = TypeScriptGenerator.builder();
    Path file = null;
    boolean check = false;
    try {
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        switch (arg) {
          case "--help", "-h" -> {
            out.print(USAGE);
            return 0;
          }
          case "--check" -> check = true;
          case "--strict" -> builder.strict(true);
          case "--routes", "--events", "--headers", "--out" -> {
            if (i + 1 >= args.length) {
              throw new IllegalArgumentException(arg + " needs a value");
            }
            String value = args[++i];
            if (arg.equals("--out")) {
              file = Paths.get(value);
            } else {
              for (String name : value.split(",")) {
                Class<?> c = load(name.trim());
                switch (arg) {
                  case "--routes" -> builder.routes(c);
                  case "--events" -> builder.events(c);
                  default -> builder.headers(c);
                }
              }
            }
          }
          default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
        }
      }
      if (file == null) {
        throw new IllegalArgumentException("--out is required");
      }
      TypeScriptGenerator generator = builder.build();
      if (check) {
        boolean current = Files.exists(file) && Files.readString(file).equals(generator.generate());
        if (!current) {
          err.println(file + " is out of date: run the generator without --check");
          return 1;
        }
        out.println(file + " is up to date");
        return 0;
      }
      out.println((generator.write(file) ? "Wrote " : "Unchanged: ") + file);
      return 0;
    } catch (IllegalArgumentException | IllegalStateException e) {
      err.println("zocket-typescript: " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (GenerationException | ContractException e) {
      err.println("zocket-typescript: " + e.getMessage());
      return 2;
    } catch (IOException e) {
      err.println("zocket-typescript: cannot write " + file + ": " + e);
      return 2;
    }
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name, false, Thread.currentThread().getContextClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalArgumentException(
          "class " + name + " is not on the class path (give its binary name, Outer$Inner)");
    }
  }
}
