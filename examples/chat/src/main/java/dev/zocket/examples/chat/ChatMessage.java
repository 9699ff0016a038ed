package dev.zocket.examples.chat;

import com.fasterxml.jackson.annotation.JsonFormat;
import jakarta.validation.constraints.NotNull;
import java.time.Instant;

/**
 * A message posted to a room: the payload of {@code rooms.onMessage}.
 *
 * @param roomId the room
 * @param userName who posted it
 * @param content the text
 * @param timestamp when the server received it, sent as ISO-8601 with milliseconds in UTC ({@code
 *     2026-11-25T18:43:13.464Z}), exactly as JavaScript's {@code Date.toISOString()} writes it
 */
// region contract
public record ChatMessage(
    @NotNull String roomId,
    @NotNull String userName,
    @NotNull String content,
    @NotNull
        @JsonFormat(
            shape = JsonFormat.Shape.STRING,
            pattern = "uuuu-MM-dd'T'HH:mm:ss.SSS'Z'",
            timezone = "UTC")
        Instant timestamp) {}
// endregion contract
