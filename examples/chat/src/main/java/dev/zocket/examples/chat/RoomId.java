package dev.zocket.examples.chat;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * Names a room: the payload of {@code rooms.join}, {@code rooms.leave} and {@code rooms.members}.
 *
 * @param roomId the room's id: not blank, at most 64 characters
 */
public record RoomId(@NotBlank @Size(max = 64) String roomId) {}
