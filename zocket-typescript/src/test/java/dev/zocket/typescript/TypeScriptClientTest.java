package dev.zocket.typescript;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zocket.test.internal.Node;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The TypeScript client package's own suite ({@code npm test} in {@code clients/typescript}: its
 * build, its type tests and its tests against a real WebSocket server under Node), run by the
 * build. Needs Node.js (skipped without it, failing under CI).
 */
class TypeScriptClientTest {
  @Test
  void theClientPackageBuildsAndPassesItsTests() {
    Node.require();
    Path client = Path.of("..", "clients", "typescript").toAbsolutePath();
    Node.install(client);
    Node.Result r = Node.run(client, Duration.ofMinutes(5), "npm", "test");
    assertThat(r.exitCode()).as(r.output()).isZero();
    assertThat(r.output()).containsPattern("# fail 0").containsPattern("# pass [1-9]");
  }
}
