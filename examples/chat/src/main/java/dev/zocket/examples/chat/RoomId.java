package dev.zocket.examples.chat;

import jakarta.validation.constraints.NotNull;

/**
 * Names a room: the payload of {@code rooms.join}, {@code rooms.leave} and {@code rooms.members}.
 * As in the seed's {@code z.string()}, any string is a room id, the empty one included; only the
 * message size limit bounds it.
 *
 * @param roomId the room's id
 */
// region contract
public record RoomId(@NotNull String roomId) {}
// endregion contract
