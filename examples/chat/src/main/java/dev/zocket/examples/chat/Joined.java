package dev.zocket.examples.chat;

import jakarta.validation.constraints.NotNull;

/**
 * Someone joined a room: the payload of {@code rooms.onJoin}.
 *
 * @param roomId the room
 * @param userName who joined
 */
// region contract
public record Joined(@NotNull String roomId, @NotNull String userName) {}
// endregion contract
