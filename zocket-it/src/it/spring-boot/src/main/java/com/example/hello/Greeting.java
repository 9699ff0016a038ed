package com.example.hello;

/** On the wire as {"text":...,"greetedName":...}, or greeted_name with Jackson's SNAKE_CASE. */
public record Greeting(String text, String greetedName) {}
