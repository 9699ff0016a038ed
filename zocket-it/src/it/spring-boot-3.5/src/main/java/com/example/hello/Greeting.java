package com.example.hello;

public record Greeting(String text) {}
