package com.example.hello;

import jakarta.validation.constraints.NotBlank;

public record Greet(@NotBlank String name) {}
