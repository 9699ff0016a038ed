/**
 * Zocket's JUnit 5 extension: {@link dev.zocket.junit.ZocketExtension} starts a server for a test
 * class or for each test and injects connected clients ({@link dev.zocket.junit.Client}).
 */
package dev.zocket.junit;
