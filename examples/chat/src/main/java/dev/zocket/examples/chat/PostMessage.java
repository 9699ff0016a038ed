package dev.zocket.examples.chat;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * A message a member posts to a room: the payload of {@code rooms.message}.
 *
 * @param roomId the room's id: not blank, at most 64 characters
 * @param content the text: not blank, at most 2000 characters
 */
public record PostMessage(
    @NotBlank @Size(max = 64) String roomId, @NotBlank @Size(max = 2000) String content) {}
