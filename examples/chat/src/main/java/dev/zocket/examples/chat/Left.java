package dev.zocket.examples.chat;

import jakarta.validation.constraints.NotNull;

/**
 * Someone left a room: the payload of {@code rooms.onLeave}.
 *
 * @param roomId the room
 * @param userName who left
 */
// region contract
public record Left(@NotNull String roomId, @NotNull String userName) {}
// endregion contract
