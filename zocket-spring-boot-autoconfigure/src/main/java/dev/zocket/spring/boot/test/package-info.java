/**
 * Test support for applications on the Zocket starter: {@link
 * dev.zocket.spring.boot.test.AutoConfigureZocketClient} gives a {@code @SpringBootTest} a {@link
 * dev.zocket.spring.boot.test.ZocketTestClient}; {@link
 * dev.zocket.spring.boot.test.LocalZocketPort} injects the server's port. Needs {@code
 * zocket-client} on the test class path.
 */
package dev.zocket.spring.boot.test;
