package dev.zocket.spring.boot.autoconfigure.sample;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The application the tests start. */
@SpringBootApplication
public class SampleApp {}
