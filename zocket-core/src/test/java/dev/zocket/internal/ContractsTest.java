package dev.zocket.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.CallTimeout;
import dev.zocket.ContractException;
import dev.zocket.ErrorCodes;
import dev.zocket.Namespace;
import dev.zocket.NonBlocking;
import dev.zocket.Route;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.type.TypeFactory;

final class ContractsTest {
  record Item(@NotBlank String name) {}

  record Plain(String text) {}

  // ------------------------------------------------------------------ rules

  static final class NotAnInterface {}

  @Test
  void classInsteadOfInterface() {
    assertRejected(
        NotAnInterface.class,
        "Zocket contracts must be interfaces, but dev.zocket.internal.ContractsTest$NotAnInterface"
            + " is a class. Declare the routes on an interface and implement it."
            + "\n    for class NotAnInterface");
  }

  @Test
  void recordInsteadOfInterface() {
    assertRejected(
        Plain.class,
        "Zocket contracts must be interfaces, but dev.zocket.internal.ContractsTest$Plain is a"
            + " record. Declare the routes on an interface and implement it."
            + "\n    for record Plain");
  }

  enum AnEnum {
    A
  }

  @Test
  void enumInsteadOfInterface() {
    assertRejected(
        AnEnum.class,
        "Zocket contracts must be interfaces, but dev.zocket.internal.ContractsTest$AnEnum is an"
            + " enum. Declare the routes on an interface and implement it."
            + "\n    for enum AnEnum");
  }

  @interface AnAnnotation {}

  @Test
  void annotationInsteadOfInterface() {
    assertRejected(
        AnAnnotation.class,
        "Zocket contracts must be interfaces, but dev.zocket.internal.ContractsTest$AnAnnotation"
            + " is an annotation. Declare the routes on an interface and implement it."
            + "\n    for annotation AnAnnotation");
  }

  interface Generic<T> {
    void send(T value);
  }

  @Test
  void genericInterface() {
    assertRejected(
        Generic.class,
        "Contract interfaces must not be generic, but Generic declares [T]. Use concrete payload"
            + " types.\n    for interface Generic");
  }

  interface Overloads {
    void join(Plain p);

    void join(Item i);
  }

  @Test
  void overloads() {
    assertRejected(
        Overloads.class,
        "Overloaded methods are not allowed: each method is one route. Give one of the 'join'"
            + " methods another name or a @Route.\n    for method Overloads.join");
  }

  interface TwoParameters {
    void move(String from, String to);
  }

  @Test
  void moreThanOneParameter() {
    assertRejected(
        TwoParameters.class,
        "Contract methods take one payload parameter or none, but found 2. Put the values into one"
            + " record.\n    for method TwoParameters.move");
  }

  interface RouteTwice {
    void join(Plain p);

    @Route("join")
    void enter(Plain p);
  }

  @Test
  void routeDefinedTwiceInOneInterface() {
    assertRejected(
        RouteTwice.class,
        "Route 'join' is defined twice, also by RouteTwice.enter. Give one of them another @Route."
            + "\n    for method RouteTwice.join");
  }

  @Namespace("rooms")
  interface RoomsA {
    void join(Plain p);
  }

  @Namespace("rooms")
  interface RoomsB {
    @Route("join")
    void enter(Plain p);
  }

  @Test
  void routeDefinedTwiceAcrossContracts() {
    RouteTable.Builder builder = RouteTable.builder().add(RoomsA.class, ctx -> p -> {});
    assertThatThrownBy(() -> builder.add(RoomsB.class, ctx -> p -> {}))
        .isInstanceOf(ContractException.class)
        .hasMessage(
            "Route 'rooms.join' is defined twice, also by RoomsA.join. Give one of them another"
                + " @Route or @Namespace.\n    for method RoomsB.enter");
  }

  @Test
  void contractRegisteredTwice() {
    RouteTable.Builder builder = RouteTable.builder().add(RoomsA.class, ctx -> p -> {});
    assertThatThrownBy(() -> builder.add(RoomsA.class, ctx -> p -> {}))
        .isInstanceOf(ContractException.class)
        .hasMessage(
            "Contract RoomsA is registered twice. Register each contract once."
                + "\n    for interface RoomsA");
  }

  @SuppressWarnings("rawtypes") // the raw type is the mistake under test
  interface RawFuture {
    CompletableFuture get();
  }

  @Test
  void rawCompletableFuture() {
    assertRejected(
        RawFuture.class,
        "Async calls must say what they complete with, but java.util.concurrent.CompletableFuture"
            + " is raw. Use CompletableFuture<T> (CompletableFuture<Void> for no reply)."
            + "\n    for method RawFuture.get");
  }

  interface TypeVariableReply {
    <T> T get();
  }

  @Test
  void typeVariableReply() {
    assertRejected(
        TypeVariableReply.class,
        "Reply type T cannot be mapped: type variable T has no concrete type. Use a concrete type."
            + "\n    for method TypeVariableReply.get");
  }

  interface TypeVariablePayload {
    <T> void send(T value);
  }

  @Test
  void typeVariablePayload() {
    assertRejected(
        TypeVariablePayload.class,
        "Payload type T cannot be mapped: type variable T has no concrete type. Use a concrete"
            + " type.\n    for method TypeVariablePayload.send (parameter 'value')");
  }

  interface WildcardReply {
    List<? extends Item> items();
  }

  @Test
  void wildcardReply() {
    assertRejected(
        WildcardReply.class,
        "Reply type java.util.List<? extends dev.zocket.internal.ContractsTest$Item> cannot be"
            + " mapped: wildcards have no concrete type. Use a concrete type argument."
            + "\n    for method WildcardReply.items");
  }

  interface OptionalReply {
    Optional<Item> find(Plain p);
  }

  @Test
  void optionalReply() {
    assertRejected(
        OptionalReply.class,
        "Reply type java.util.Optional<dev.zocket.internal.ContractsTest$Item> cannot be mapped:"
            + " Optional is not supported. Use a nullable value.\n"
            + "    for method OptionalReply.find");
  }

  abstract static class Shape {}

  interface AbstractReply {
    Shape shape();
  }

  @Test
  void abstractClassReply() {
    assertRejected(
        AbstractReply.class,
        "Reply type dev.zocket.internal.ContractsTest$Shape cannot be mapped: Shape is abstract, so"
            + " JSON cannot say which class to build. Use a record or a concrete class."
            + "\n    for method AbstractReply.shape");
  }

  interface AbstractPayload {
    void draw(Shape shape);
  }

  @Test
  void abstractClassPayload() {
    assertRejected(
        AbstractPayload.class,
        "Payload type dev.zocket.internal.ContractsTest$Shape cannot be mapped: Shape is abstract,"
            + " so JSON cannot say which class to build. Use a record or a concrete class."
            + "\n    for method AbstractPayload.draw (parameter 'shape')");
  }

  interface NestedFuture {
    CompletableFuture<CompletableFuture<String>> get();
  }

  @Test
  void nestedFuture() {
    assertRejected(
        NestedFuture.class,
        "Reply type java.util.concurrent.CompletableFuture<java.lang.String> cannot be mapped:"
            + " futures cannot be nested or sent. Return CompletableFuture<T> with a plain T."
            + "\n    for method NestedFuture.get");
  }

  interface FuturePayload {
    void send(CompletableFuture<String> later);
  }

  @Test
  void futurePayload() {
    assertRejected(
        FuturePayload.class,
        "Payload type java.util.concurrent.CompletableFuture<java.lang.String> cannot be mapped:"
            + " futures cannot be nested or sent. Return CompletableFuture<T> with a plain T."
            + "\n    for method FuturePayload.send (parameter 'later')");
  }

  interface Events {
    void onJoin(Plain p);

    String onAsk(Plain p);
  }

  @Test
  void nonVoidMethodOnEventInterface() {
    assertThatThrownBy(() -> Contracts.events(Events.class))
        .isInstanceOf(ContractException.class)
        .hasMessage(
            "Event methods must return void, or CompletableFuture<T> for an event the client"
                + " acknowledges; found java.lang.String. Return CompletableFuture<String>, or move"
                + " calls to a client-to-server contract.\n    for method Events.onAsk");
    // The same interface is a fine client-to-server contract.
    assertThat(Contracts.of(Events.class).routes()).hasSize(2);
  }

  interface AsyncEvents {
    CompletableFuture<Void> onJoin(Plain p);
  }

  interface PrimitiveAnswer {
    int onAsk(Plain p);
  }

  @Test
  void asyncMethodOnEventInterfaceIsAnAcknowledgedEvent() {
    RouteDescriptor r = Contracts.events(AsyncEvents.class).routes().get(0);
    assertThat(r.kind()).isEqualTo(RouteDescriptor.Kind.ASYNC_CALL);
    assertThat(r.replyType()).isEqualTo(Void.class);
    assertThatThrownBy(() -> Contracts.events(PrimitiveAnswer.class))
        .isInstanceOf(ContractException.class)
        .hasMessage(
            "Event methods must return void, or CompletableFuture<T> for an event the client"
                + " acknowledges; found int. Return CompletableFuture<Integer>, or move calls to a"
                + " client-to-server contract.\n    for method PrimitiveAnswer.onAsk");
  }

  interface CheckedException {
    void save(Plain p) throws IOException;
  }

  @Test
  void checkedException() {
    assertRejected(
        CheckedException.class,
        "Contract methods must not declare checked exceptions, but found IOException. Report"
            + " failures with ZocketException.\n    for method CheckedException.save");
  }

  interface UncheckedException {
    void save(Plain p) throws IllegalStateException;
  }

  @Test
  void uncheckedExceptionIsAllowed() {
    assertThat(Contracts.of(UncheckedException.class).routes()).hasSize(1);
  }

  interface ConstrainedParameter {
    void say(@NotBlank String text);
  }

  @Test
  void constraintOnParameter() {
    assertRejected(
        ConstrainedParameter.class,
        "Constraints on a payload parameter are not supported, but found @NotBlank. Declare them on"
            + " the payload record's components.\n    for method ConstrainedParameter.say"
            + " (parameter 'text')");
  }

  interface ValidOnParameter {
    void add(@Valid Item item);
  }

  @Test
  void validOnParameterIsAllowed() {
    RouteDescriptor r = Contracts.of(ValidOnParameter.class).routes().get(0);
    assertThat(r.validated()).isTrue();
  }

  @Namespace("rooms..x")
  interface EmptyNamespaceSegment {
    void join(Plain p);
  }

  @Test
  void namespaceWithEmptySegment() {
    assertRejected(
        EmptyNamespaceSegment.class,
        "@Namespace must be dot-separated non-empty names without white space, but was 'rooms..x'."
            + "\n    for interface EmptyNamespaceSegment");
  }

  @Namespace("my rooms")
  interface SpaceInNamespace {
    void join(Plain p);
  }

  @Test
  void namespaceWithWhiteSpace() {
    assertRejected(
        SpaceInNamespace.class,
        "@Namespace must be dot-separated non-empty names without white space, but was 'my rooms'."
            + "\n    for interface SpaceInNamespace");
  }

  @Namespace("")
  interface EmptyNamespace {
    void join(Plain p);
  }

  @Test
  void emptyNamespace() {
    assertRejected(
        EmptyNamespace.class,
        "@Namespace must be dot-separated non-empty names without white space, but was ''."
            + "\n    for interface EmptyNamespace");
  }

  @Namespace("__rpc")
  interface ReservedNamespace {
    void join(Plain p);
  }

  @Test
  void reservedNamespace() {
    assertRejected(
        ReservedNamespace.class,
        "Namespaces starting with '__' are reserved by the protocol, but found '__rpc'. Choose"
            + " another @Namespace.\n    for interface ReservedNamespace");
  }

  interface DottedRoute {
    @Route("a.b")
    void join(Plain p);
  }

  @Test
  void routeWithDot() {
    assertRejected(
        DottedRoute.class,
        "@Route must be a non-empty name without dots or white space, but was 'a.b'."
            + "\n    for method DottedRoute.join");
  }

  interface EmptyRoute {
    @Route("")
    void join(Plain p);
  }

  @Test
  void emptyRoute() {
    assertRejected(
        EmptyRoute.class,
        "@Route must be a non-empty name without dots or white space, but was ''."
            + "\n    for method EmptyRoute.join");
  }

  interface ReservedRoute {
    @Route("__rpc_res")
    void reply(Plain p);
  }

  @Test
  void reservedRoute() {
    assertRejected(
        ReservedRoute.class,
        "Route names starting with '__' are reserved by the protocol, but found '__rpc_res'. Rename"
            + " the method or give it a @Route.\n    for method ReservedRoute.reply");
  }

  interface ReservedMethodName {
    void __secret(Plain p);
  }

  @Test
  void reservedMethodName() {
    assertRejected(
        ReservedMethodName.class,
        "Route names starting with '__' are reserved by the protocol, but found '__secret'. Rename"
            + " the method or give it a @Route.\n    for method ReservedMethodName.__secret");
  }

  interface TimeoutOnVoid {
    @CallTimeout(millis = 100)
    void join(Plain p);
  }

  @Test
  void callTimeoutOnVoid() {
    assertRejected(
        TimeoutOnVoid.class,
        "@CallTimeout applies to calls only, but this method returns void. Remove it or return a"
            + " reply.\n    for method TimeoutOnVoid.join");
  }

  interface ZeroTimeout {
    @CallTimeout(millis = 0)
    String ask(Plain p);
  }

  @Test
  void callTimeoutZero() {
    assertRejected(
        ZeroTimeout.class,
        "@CallTimeout must be positive, but was 0.\n    for method ZeroTimeout.ask");
  }

  interface NegativeTimeout {
    @CallTimeout(millis = -5)
    CompletableFuture<String> ask(Plain p);
  }

  @Test
  void callTimeoutNegative() {
    assertRejected(
        NegativeTimeout.class,
        "@CallTimeout must be positive, but was -5.\n    for method NegativeTimeout.ask");
  }

  @Test
  void rejectionIsRepeatedWithAFreshException() {
    ContractException first = catchContract(Overloads.class);
    ContractException second = catchContract(Overloads.class);
    assertThat(second).isNotSameAs(first).hasMessage(first.getMessage());
    assertThat(second.code()).isEqualTo(ErrorCodes.INVALID_CONTRACT);
  }

  // ------------------------------------------------------------------ positive cases

  @Namespace("rooms")
  interface Rooms {
    void join(Plain p);

    @Route("say")
    void message(Plain p);
  }

  @Test
  void routeIsNamespacePlusMethod() {
    assertThat(routes(Rooms.class)).containsExactly("rooms.join", "rooms.say");
  }

  @Namespace("admin.users")
  interface AdminUsers {
    void ban(Plain p);
  }

  @Test
  void nestedNamespace() {
    assertThat(routes(AdminUsers.class)).containsExactly("admin.users.ban");
  }

  interface NoNamespace {
    void ping();

    @Route("hello")
    void greet(Plain p);
  }

  @Test
  void noNamespace() {
    assertThat(routes(NoNamespace.class)).containsExactly("hello", "ping");
  }

  interface Kinds {
    void send(Plain p);

    String call(Plain p);

    CompletableFuture<Item> future(Plain p);

    CompletionStage<Item> stage(Plain p);

    CompletableFuture<Void> done(Plain p);

    @CallTimeout(millis = 250)
    int count();
  }

  @Test
  void kinds() throws Exception {
    Contract c = Contracts.of(Kinds.class);
    RouteDescriptor send = c.route(Kinds.class.getMethod("send", Plain.class));
    assertThat(send.kind()).isEqualTo(RouteDescriptor.Kind.SEND);
    assertThat(send.isCall()).isFalse();
    assertThat(send.replyType()).isNull();
    assertThat(send.replyJavaType()).isNull();
    assertThat(send.hasReplyPayload()).isFalse();
    assertThat(send.payloadType()).isEqualTo(Plain.class);
    assertThat(send.payloadJavaType().getRawClass()).isEqualTo(Plain.class);
    assertThat(send.timeoutMillis()).isEqualTo(-1);
    assertThat(send.methodName()).isEqualTo("Kinds.send");

    RouteDescriptor call = c.route(Kinds.class.getMethod("call", Plain.class));
    assertThat(call.kind()).isEqualTo(RouteDescriptor.Kind.CALL);
    assertThat(call.isCall()).isTrue();
    assertThat(call.replyType()).isEqualTo(String.class);
    assertThat(call.hasReplyPayload()).isTrue();

    RouteDescriptor future = c.route(Kinds.class.getMethod("future", Plain.class));
    assertThat(future.kind()).isEqualTo(RouteDescriptor.Kind.ASYNC_CALL);
    assertThat(future.replyType()).isEqualTo(Item.class);
    assertThat(future.replyJavaType().getRawClass()).isEqualTo(Item.class);

    RouteDescriptor stage = c.route(Kinds.class.getMethod("stage", Plain.class));
    assertThat(stage.kind()).isEqualTo(RouteDescriptor.Kind.ASYNC_CALL);
    assertThat(stage.replyType()).isEqualTo(Item.class);

    RouteDescriptor done = c.route(Kinds.class.getMethod("done", Plain.class));
    assertThat(done.kind()).isEqualTo(RouteDescriptor.Kind.ASYNC_CALL);
    assertThat(done.replyType()).isEqualTo(Void.class);
    assertThat(done.hasReplyPayload()).isFalse();

    RouteDescriptor count = c.route(Kinds.class.getMethod("count"));
    assertThat(count.kind()).isEqualTo(RouteDescriptor.Kind.CALL);
    assertThat(count.hasPayload()).isFalse();
    assertThat(count.payloadType()).isNull();
    assertThat(count.replyType()).isEqualTo(int.class);
    assertThat(count.timeoutMillis()).isEqualTo(250);
  }

  interface Generics {
    Map<String, Item> index(List<Item> items);
  }

  @Test
  void genericPayloadTypesAreKept() {
    RouteDescriptor r = Contracts.of(Generics.class).routes().get(0);
    TypeFactory types = TypeFactory.createDefaultInstance();
    JavaType list = types.constructCollectionType(List.class, Item.class);
    JavaType map = types.constructMapType(Map.class, String.class, Item.class);
    assertThat(r.payloadJavaType()).isEqualTo(list);
    assertThat(r.payloadType().getTypeName())
        .isEqualTo("java.util.List<dev.zocket.internal.ContractsTest$Item>");
    assertThat(r.replyJavaType()).isEqualTo(map);
    assertThat(r.replyType().getTypeName())
        .isEqualTo("java.util.Map<java.lang.String, dev.zocket.internal.ContractsTest$Item>");
    assertThat(r.validated()).isTrue();
  }

  interface WithDefaults {
    void join(Plain p);

    default void joinAll(List<Plain> all) {
      all.forEach(this::join);
    }

    static WithDefaults none() {
      return p -> {};
    }

    @Override
    String toString();
  }

  @Test
  void defaultStaticAndObjectMethodsAreSkipped() {
    assertThat(routes(WithDefaults.class)).containsExactly("join");
  }

  interface Parent {
    void ping();
  }

  @Namespace("child")
  interface Child extends Parent {
    void pong();
  }

  @Test
  void inheritedMethodsTakeTheSubInterfacesNamespace() {
    assertThat(routes(Child.class)).containsExactlyInAnyOrder("child.ping", "child.pong");
  }

  @NonBlocking
  interface AllNonBlocking {
    void a();
  }

  interface SomeNonBlocking {
    @NonBlocking
    void a();

    void b();
  }

  @Test
  void nonBlocking() {
    assertThat(Contracts.of(AllNonBlocking.class).routes().get(0).nonBlocking()).isTrue();
    List<RouteDescriptor> some = Contracts.of(SomeNonBlocking.class).routes();
    assertThat(some.get(0).nonBlocking()).isTrue();
    assertThat(some.get(1).nonBlocking()).isFalse();
  }

  interface Unvalidated {
    void say(Plain p);

    void tags(List<String> tags);
  }

  @Test
  void payloadWithoutConstraintsIsNotValidated() {
    assertThat(Contracts.of(Unvalidated.class).routes())
        .extracting(RouteDescriptor::validated)
        .containsExactly(false, false);
  }

  @Test
  void contractIsReadOnce() {
    assertThat(Contracts.of(Rooms.class)).isSameAs(Contracts.of(Rooms.class));
    assertThat(Contracts.events(Rooms.class)).isSameAs(Contracts.of(Rooms.class));
    assertThat(Contracts.of(Rooms.class).type()).isEqualTo(Rooms.class);
  }

  @Test
  void contractMapsAreImmutable() {
    Contract c = Contracts.of(Rooms.class);
    assertThatThrownBy(() -> c.routes().clear()).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> c.byMethod().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }

  // ------------------------------------------------------------------ helpers

  private static List<String> routes(Class<?> type) {
    return Contracts.of(type).routes().stream().map(RouteDescriptor::route).toList();
  }

  private static void assertRejected(Class<?> type, String message) {
    assertThat(catchContract(type)).hasMessage(message);
  }

  private static ContractException catchContract(Class<?> type) {
    try {
      Contracts.of(type);
    } catch (ContractException e) {
      return e;
    }
    throw new AssertionError("expected a ContractException for " + type.getName());
  }
}
