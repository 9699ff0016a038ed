/**
 * Micrometer meters for Zocket servers ({@code dev.zocket.micrometer.ZocketMetrics}) and a
 * Micrometer {@code Observation} around each handled message ({@code
 * dev.zocket.micrometer.ZocketObservation}).
 */
// "requires-automatic": Micrometer's jars have no module descriptor; micrometer.core and
// micrometer.observation are their Automatic-Module-Names.
@SuppressWarnings("requires-automatic")
module dev.zocket.micrometer {
  requires transitive dev.zocket.core;
  requires transitive micrometer.core;
  requires transitive micrometer.observation;
  requires micrometer.commons;

  exports dev.zocket.micrometer;
}
