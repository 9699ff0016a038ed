package dev.zocket.netty;

/**
 * The limits on one connection's rooms ({@link ZocketServer.Builder#maxRoomsPerConnection}, {@link
 * ZocketServer.Builder#maxRoomIdLength}), for its {@link ConnectionRooms}. Immutable.
 *
 * @param maxRoomsPerConnection the most rooms one connection may be in
 * @param maxRoomIdLength the longest room id, in characters
 */
record RoomLimits(int maxRoomsPerConnection, int maxRoomIdLength) {}
