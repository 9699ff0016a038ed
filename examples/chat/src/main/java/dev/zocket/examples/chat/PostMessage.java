package dev.zocket.examples.chat;

import jakarta.validation.constraints.NotNull;

/**
 * A message a member posts to a room: the payload of {@code rooms.message}. As in the seed's {@code
 * z.string()}s, any strings are accepted, empty or white space only included; only the message size
 * limit bounds them.
 *
 * @param roomId the room's id
 * @param content the text
 */
// region contract
public record PostMessage(@NotNull String roomId, @NotNull String content) {}
// endregion contract
