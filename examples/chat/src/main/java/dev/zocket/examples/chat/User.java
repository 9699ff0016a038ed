package dev.zocket.examples.chat;

/**
 * The user context of one chat connection, built by the server's {@code onConnect} from the
 * handshake headers.
 *
 * @param name the user's display name
 */
public record User(String name) {}
