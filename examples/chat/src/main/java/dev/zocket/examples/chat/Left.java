package dev.zocket.examples.chat;

/**
 * Someone left a room: the payload of {@code rooms.onLeave}.
 *
 * @param roomId the room
 * @param userName who left
 */
public record Left(String roomId, String userName) {}
