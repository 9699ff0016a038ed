package dev.zocket.internal;

import jakarta.validation.valueextraction.ExtractedValue;
import jakarta.validation.valueextraction.ValueExtractor;
import java.util.concurrent.CompletionStage;

/**
 * Lets Bean Validation reach the constraints written on the type argument of a contract method's
 * {@code CompletionStage} or {@code CompletableFuture} reply ({@code
 * CompletableFuture<List<@NotNull Todo>>}): the value of a completed stage, as a container element
 * without a name of its own, so that violation paths are the reply's JSON paths. A stage not yet
 * complete holds nothing to check.
 */
final class CompletionStageValues implements ValueExtractor<CompletionStage<@ExtractedValue ?>> {
  @Override
  public void extractValues(CompletionStage<?> stage, ValueReceiver receiver) {
    receiver.value(null, stage.toCompletableFuture().getNow(null));
  }
}
