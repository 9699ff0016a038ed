package dev.zocket.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.zocket.ContractException;
import dev.zocket.testsupport.Unmappable.Opaque;
import dev.zocket.testsupport.Unmappable.Unbuildable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Payload and reply types Jackson cannot read or would write as {@code {}} are refused when the
 * contract is read with the codec's mapper, naming the method, not at the first message.
 */
class MappingCheckTest {
  private final JsonCodec codec = JsonCodec.defaults();

  /** A class Jackson maps both ways through its annotated constructor. */
  public static final class Fine {
    private final String name;

    @JsonCreator
    public Fine(@JsonProperty("name") String name) {
      this.name = name;
    }

    public String getName() {
      return name;
    }
  }

  public record Holder(List<Opaque> items) {}

  interface SendsUnbuildable {
    void send(Unbuildable p);
  }

  interface RepliesOpaque {
    CompletableFuture<Opaque> get();
  }

  interface NestedOpaque {
    void send(Map<String, Holder> p);
  }

  interface AllFine {
    Fine call(Fine p);

    void records(Holder2 p);

    List<String> names();
  }

  public record Holder2(List<Fine> items, Map<String, Integer> counts) {}

  @Test
  void aPayloadJacksonCannotBuildIsRefused() {
    assertThatThrownBy(() -> codec.checkMappable(Contracts.of(SendsUnbuildable.class)))
        .isInstanceOf(ContractException.class)
        .hasMessage(
            "Payload type dev.zocket.testsupport.Unmappable$Unbuildable cannot be mapped:"
                + " Unbuildable has no constructor Jackson can use, so it cannot be read from JSON."
                + " Use a record, a no-argument constructor, or a @JsonCreator."
                + "\n    for method SendsUnbuildable.send (parameter 'p')");
  }

  @Test
  void aReplyJacksonWouldWriteAsAnEmptyObjectIsRefused() {
    assertThatThrownBy(() -> codec.checkMappable(Contracts.of(RepliesOpaque.class)))
        .isInstanceOf(ContractException.class)
        .hasMessage(
            "Reply type dev.zocket.testsupport.Unmappable$Opaque cannot be mapped:"
                + " Opaque has no properties Jackson can see, so it would be written as {}."
                + " Use a record, or give it public getters or fields."
                + "\n    for method RepliesOpaque.get");
  }

  @Test
  void theCheckLooksInsideContainersAndRecords() {
    assertThatThrownBy(() -> codec.checkMappable(Contracts.of(NestedOpaque.class)))
        .isInstanceOf(ContractException.class)
        .hasMessageStartingWith(
            "Payload type"
                + " java.util.Map<java.lang.String,dev.zocket.internal.MappingCheckTest$Holder>"
                + " cannot be mapped: Opaque has no properties")
        .hasMessageEndingWith("for method NestedOpaque.send (parameter 'p')");
  }

  @Test
  void typesJacksonMapsBothWaysPass() {
    assertThatCode(() -> codec.checkMappable(Contracts.of(AllFine.class)))
        .doesNotThrowAnyException();
  }
}
