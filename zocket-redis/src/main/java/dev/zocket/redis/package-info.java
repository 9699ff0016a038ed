/**
 * A Redis backplane for Zocket servers: {@link dev.zocket.redis.RedisBackplane} carries room,
 * broadcast and to-client events between server nodes through Redis pub/sub, over Lettuce.
 */
package dev.zocket.redis;
