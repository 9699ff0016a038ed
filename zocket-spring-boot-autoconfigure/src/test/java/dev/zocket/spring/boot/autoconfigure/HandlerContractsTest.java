package dev.zocket.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zocket.spring.boot.autoconfigure.sample.Greeter;
import java.io.Serializable;
import org.junit.jupiter.api.Test;

/** Which contracts a {@code @ZocketHandler} class handles when its annotation names none. */
class HandlerContractsTest {

  abstract static class PlainGreeter implements Greeter, Serializable {}

  @ZocketHandler
  abstract static class SpringGreeter extends PlainGreeter {}

  @ZocketHandler
  static class NoContract implements Serializable {}

  @Test
  void theInterfacesOfTheClassAndItsSuperclassesLessTheJdksAndSpringsOnes() {
    assertThat(ServerFactory.contracts(PlainGreeter.class)).containsExactly(Greeter.class);
    assertThat(ServerFactory.contracts(SpringGreeter.class)).containsExactly(Greeter.class);
  }

  @Test
  void aClassWithNoContractIsRefusedWithWhatToDo() {
    assertThatThrownBy(() -> ServerFactory.contracts(NoContract.class))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("implements no contract interface");
  }
}
