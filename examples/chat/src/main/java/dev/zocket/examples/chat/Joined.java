package dev.zocket.examples.chat;

/**
 * Someone joined a room: the payload of {@code rooms.onJoin}.
 *
 * @param roomId the room
 * @param userName who joined
 */
public record Joined(String roomId, String userName) {}
