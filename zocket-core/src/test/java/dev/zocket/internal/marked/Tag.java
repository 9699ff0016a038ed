package dev.zocket.internal.marked;

/** A nested record of a null-marked package. */
public record Tag(String name) {}
