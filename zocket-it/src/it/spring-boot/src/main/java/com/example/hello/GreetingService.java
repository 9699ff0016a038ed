package com.example.hello;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;

/** An ordinary bean, injected into the handler. */
@Service
public class GreetingService {
  private final String salutation;

  public GreetingService(@Value("${greeter.salutation}") String salutation) {
    this.salutation = salutation;
  }

  public String greet(String name) {
    return salutation + ", " + name + "!";
  }
}
