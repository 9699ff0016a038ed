package dev.zocket.junit;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.zocket.client.ZocketClient;
import dev.zocket.junit.Echo.Said;
import dev.zocket.netty.ZocketServer;
import dev.zocket.test.Await;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The extension with a real server and real clients: what it injects here, and, through JUnit's
 * test kit, what it does for the scenario classes below (which Surefire does not run by themselves,
 * being nested): when it closes clients and servers, and how it fails.
 */
@Timeout(60)
class ZocketExtensionTest {
  @RegisterExtension
  static final ZocketExtension zocket = ZocketExtension.inProcess(Echoes::server);

  @Test
  void aContractParameterIsAProxyOfAClientWithItsHeaders(
      @Client(headers = "user-name: Ada") Echo echo) throws Exception {
    assertThat(echo.say(new Said("hello")).get(10, SECONDS)).isEqualTo(new Said("Ada: hello"));
  }

  @Test
  void clientAndServerParametersAreTheServersAndConnected(
      ZocketClient first,
      @Client(headers = {"user-name: Bo", "x-ignored: 1"}) ZocketClient second,
      ZocketServer server)
      throws Exception {
    assertThat(server).isSameAs(zocket.server());
    assertThat(first).isNotSameAs(second);
    assertThat(first.state()).isEqualTo(ZocketClient.State.OPEN);
    assertThat(first.uri()).isEqualTo(server.uri());
    assertThat(second.proxy(Echo.class).say(new Said("hi")).get(10, SECONDS))
        .isEqualTo(new Said("Bo: hi"));
    assertThat(first.proxy(Echo.class).say(new Said("hi")).get(10, SECONDS))
        .isEqualTo(new Said("anonymous: hi"));
  }

  @Test
  void connectConfiguresTheClientAfterTheExtensionsConfiguration() throws Exception {
    ZocketExtension configured = ZocketExtension.inProcess(Echoes::server);
    assertThatThrownBy(configured::server)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("No Zocket server is running");

    ZocketClient cy = zocket.connect(b -> b.header("user-name", "Cy"));

    assertThat(cy.proxy(Echo.class).say(new Said("hey")).get(10, SECONDS))
        .isEqualTo(new Said("Cy: hey"));
  }

  @Test
  void clientsOfATestAreClosedAfterItAndThoseOfBeforeAllWithTheServer() {
    Events tests = run(ClientsScenario.class);

    assertSucceeded(tests, 2);
    assertThat(ClientsScenario.clients).hasSize(3);
    assertThat(ClientsScenario.clients)
        .allSatisfy(c -> assertThat(c.state()).isEqualTo(ZocketClient.State.CLOSED));
    assertClosed(ClientsScenario.uri);
  }

  @Test
  void anInstanceFieldGivesEachTestItsOwnServer() {
    Events tests = run(PerTestScenario.class);

    assertSucceeded(tests, 2);
    assertThat(PerTestScenario.uris).hasSize(2).doesNotHaveDuplicates();
    PerTestScenario.uris.forEach(ZocketExtensionTest::assertClosed);
  }

  @Test
  void anInstanceFieldOfAPerClassTestGivesTheClassOneServer() {
    Events tests = run(PerClassInstanceScenario.class);

    assertSucceeded(tests, 2);
    assertThat(PerClassInstanceScenario.uris)
        .hasSize(2)
        .containsOnly(PerClassInstanceScenario.uris.get(0));
    assertClosed(PerClassInstanceScenario.uris.get(0));
  }

  @Test
  void nestedClassesShareTheServerOfTheirEnclosingClassesStaticField() {
    Events tests = run(NestedScenario.class);

    assertSucceeded(tests, 2);
    assertThat(NestedScenario.uris).hasSize(2).containsOnly(NestedScenario.uris.get(0));
    assertClosed(NestedScenario.uris.get(0));
  }

  @Test
  void aStaticFieldGivesTheClassOneServerOnAFreePort() {
    Events tests = run(PerClassScenario.class);

    assertSucceeded(tests, 2);
    assertThat(PerClassScenario.uris).hasSize(2).containsOnly(PerClassScenario.uris.get(0));
    assertThat(PerClassScenario.uris.get(0).getScheme()).isEqualTo("ws");
    assertThat(PerClassScenario.uris.get(0).getHost()).isEqualTo("127.0.0.1");
    assertClosed(PerClassScenario.uris.get(0));
  }

  @Test
  void parametersItCannotGiveFailTheirTestSayingWhy() {
    Events tests = run(BadParametersScenario.class);

    tests.assertStatistics(s -> s.started(4).failed(4));
    tests
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                test("notAClientType"),
                finishedWithFailure(
                    instanceOf(ParameterResolutionException.class),
                    message(
                        m ->
                            m.contains("@Client on parameter [String text]")
                                && m.contains("not java.lang.String")))))
        .haveExactly(
            1,
            event(
                test("notAContract"),
                finishedWithFailure(
                    instanceOf(ParameterResolutionException.class),
                    message(
                        m ->
                            m.contains("parameter [NotAContract broken]")
                                && m.contains("is not a Zocket contract")))))
        .haveExactly(
            1,
            event(
                test("aHeaderWithoutAColon"),
                finishedWithFailure(
                    instanceOf(ParameterResolutionException.class),
                    message(m -> m.contains("'user-name Ada'") && m.contains("\"name: value\"")))))
        .haveExactly(
            1,
            event(
                test("aContractWithoutClient"),
                finishedWithFailure(
                    instanceOf(ParameterResolutionException.class),
                    message(m -> m.contains("No ParameterResolver registered")))));
  }

  /** All {@code count} tests succeeded; if not, the failures say why. */
  private static void assertSucceeded(Events tests, int count) {
    assertThat(
            tests.failed().stream()
                .map(e -> e.getPayload(TestExecutionResult.class).flatMap(r -> r.getThrowable()))
                .map(t -> t.map(Throwable::toString).orElse("(no throwable)")))
        .as("failures")
        .isEmpty();
    tests.assertStatistics(s -> s.started(count).succeeded(count));
  }

  private static Events run(Class<?> scenario) {
    return EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(scenario))
        .execute()
        .testEvents();
  }

  /** Nothing connects to a closed server. */
  private static void assertClosed(URI uri) {
    assertThatThrownBy(
            () -> ZocketClient.builder(uri).connectTimeout(Duration.ofSeconds(5)).connect())
        .isInstanceOf(RuntimeException.class);
  }

  // ------------------------------------------------------------------ scenarios

  /** A class-wide server; the first test's clients are closed when the second runs. */
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class ClientsScenario {
    @RegisterExtension
    static final ZocketExtension zocket = ZocketExtension.inProcess(Echoes::server);

    static final List<ZocketClient> clients = new CopyOnWriteArrayList<>();
    static ZocketClient ofBeforeAll;
    static URI uri;

    @BeforeAll
    static void connect(ZocketClient client) {
      ofBeforeAll = client;
      clients.add(client);
      uri = zocket.uri();
    }

    @Test
    @Order(1)
    void first(ZocketClient client) {
      clients.add(client);
      clients.add(zocket.connect());
      assertThat(clients).allSatisfy(c -> assertThat(c.state()).isEqualTo(ZocketClient.State.OPEN));
    }

    @Test
    @Order(2)
    void second() {
      assertThat(clients.get(1).state()).isEqualTo(ZocketClient.State.CLOSED);
      assertThat(clients.get(2).state()).isEqualTo(ZocketClient.State.CLOSED);
      assertThat(ofBeforeAll.state()).isEqualTo(ZocketClient.State.OPEN);
      // The server saw them go: only the client of @BeforeAll is still connected.
      Await.until("one connection left", () -> zocket.server().connectionCount() == 1);
    }
  }

  /** An instance field: a server per test. */
  static class PerTestScenario {
    static final List<URI> uris = new CopyOnWriteArrayList<>();

    @RegisterExtension final ZocketExtension zocket = ZocketExtension.inProcess(Echoes::server);

    @Test
    void first(@Client(headers = "user-name: Ada") Echo echo) throws Exception {
      uris.add(zocket.uri());
      assertThat(echo.say(new Said("1")).get(10, SECONDS)).isEqualTo(new Said("Ada: 1"));
    }

    @Test
    void second(@Client(headers = "user-name: Bo") Echo echo) throws Exception {
      uris.add(zocket.uri());
      assertThat(echo.say(new Said("2")).get(10, SECONDS)).isEqualTo(new Said("Bo: 2"));
    }
  }

  /** An instance field of a class with one instance: a server for the class. */
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  static class PerClassInstanceScenario {
    static final List<URI> uris = new CopyOnWriteArrayList<>();

    @RegisterExtension final ZocketExtension zocket = ZocketExtension.inProcess(Echoes::server);

    @Test
    void first(@Client Echo echo) {
      uris.add(zocket.uri());
    }

    @Test
    void second() {
      uris.add(zocket.uri());
    }
  }

  /** A static field of an enclosing class: one server for it and its nested classes. */
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class NestedScenario {
    static final List<URI> uris = new CopyOnWriteArrayList<>();

    @RegisterExtension
    static final ZocketExtension zocket = ZocketExtension.inProcess(Echoes::server);

    @Test
    void outer() {
      uris.add(zocket.uri());
    }

    @Nested
    class Inner {
      @Test
      void inner(@Client(headers = "user-name: Nia") Echo echo) throws Exception {
        uris.add(zocket.uri());
        assertThat(echo.say(new Said("n")).get(10, SECONDS)).isEqualTo(new Said("Nia: n"));
      }
    }
  }

  /** A static field: one server for the class, on a port. */
  @TestInstance(TestInstance.Lifecycle.PER_METHOD)
  static class PerClassScenario {
    static final List<URI> uris = new CopyOnWriteArrayList<>();

    @RegisterExtension
    static final ZocketExtension zocket =
        ZocketExtension.onFreePort(Echoes::server).clients(b -> b.header("user-name", "Ed"));

    @Test
    void first(@Client Echo echo) throws Exception {
      uris.add(zocket.uri());
      assertThat(echo.say(new Said("1")).get(10, SECONDS)).isEqualTo(new Said("Ed: 1"));
    }

    @Test
    void second(@Client(headers = "user-name: Flo") Echo echo) throws Exception {
      uris.add(zocket.uri());
      assertThat(echo.say(new Said("2")).get(10, SECONDS)).isEqualTo(new Said("Flo: 2"));
    }
  }

  /** An interface that breaks a contract rule: a route takes one payload, not two. */
  interface NotAContract {
    void twice(Said first, Said second);
  }

  /** Parameters the extension cannot give. */
  static class BadParametersScenario {
    @RegisterExtension
    static final ZocketExtension zocket = ZocketExtension.inProcess(Echoes::server);

    @Test
    void notAClientType(@Client String text) {}

    @Test
    void notAContract(@Client NotAContract broken) {}

    @Test
    void aHeaderWithoutAColon(@Client(headers = "user-name Ada") Echo echo) {}

    @Test
    void aContractWithoutClient(Echo echo) {}
  }
}
