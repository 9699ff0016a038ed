package dev.zocket.netty;

import dev.zocket.Context;
import dev.zocket.internal.Dispatcher;
import dev.zocket.internal.EventEmitters;
import dev.zocket.internal.Observers;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * What the application gave a server for its connections: the dispatcher of its routes and
 * handlers, the emitters of its event contracts, the executor its handlers run on, its {@code
 * onConnect} and {@code onDisconnect}, and its observers. Immutable; the parts are thread-safe.
 *
 * @param dispatcher decodes, validates and dispatches messages, and answers calls
 * @param emitters the emitters of event contracts, for handlers
 * @param executor runs handlers, {@code onConnect} and {@code onDisconnect}
 * @param onConnect makes the user context of a new connection from its headers and client id
 * @param onDisconnect runs once a connection has ended
 * @param observers told of connections opened and closed, among others; check {@link
 *     Observers#enabled} before measuring for them
 * @param cluster the server's presence and control across nodes, for {@link Cluster#of}
 */
record Application(
    Dispatcher dispatcher,
    EventEmitters emitters,
    Executor executor,
    BiFunction<Object, String, CompletionStage<?>> onConnect,
    Consumer<Context<?>> onDisconnect,
    Observers observers,
    Cluster cluster) {}
