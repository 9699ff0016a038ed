/**
 * The Netty WebSocket server of Zocket: {@link dev.zocket.netty.ZocketServer} and its builder, plus
 * the {@link dev.zocket.netty.HttpHandler} and {@link dev.zocket.netty.Authenticator} hooks.
 * Everything else in this module is internal.
 */
package dev.zocket.netty;
