package com.example.hello;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication
public class HelloZocketApplication {
  public static void main(String[] args) {
    SpringApplication.run(HelloZocketApplication.class, args);
  }
}
