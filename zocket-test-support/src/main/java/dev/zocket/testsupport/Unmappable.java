package dev.zocket.testsupport;

/**
 * Types a contract must not use, for the tests that check they are refused when the contract is
 * read: Jackson cannot build one, and would write the other as {@code {}}.
 */
public final class Unmappable {
  private Unmappable() {}

  /**
   * No constructor Jackson can use (no default one, no {@code @JsonCreator}, and two with
   * parameters, between which Jackson 3, which knows parameter names, does not choose).
   */
  public static final class Unbuildable {
    private final String name;

    /**
     * @param name the name
     * @param unused makes the constructor one Jackson cannot use by itself
     */
    public Unbuildable(String name, int unused) {
      this.name = name;
    }

    /**
     * @param unused makes the constructor one Jackson cannot use by itself
     * @param name the name
     */
    public Unbuildable(int unused, String name) {
      this.name = name;
    }

    /** The name. */
    public String getName() {
      return name;
    }
  }

  /** Only a private field and no getter: Jackson sees no property, and would write {@code {}}. */
  public static final class Opaque {
    @SuppressWarnings("unused") // the point: Jackson sees no property
    private String secret;
  }
}
