package dev.zocket.spring.boot.autoconfigure.sample;

import org.springframework.stereotype.Service;

/** An ordinary singleton the handler gets injected. */
@Service
public class GreetingService {
  public String greet(String name) {
    return "Hello, " + name + "!";
  }
}
