/**
 * Micrometer meters for Zocket servers ({@code dev.zocket.micrometer.ZocketMetrics}), a Micrometer
 * {@code Observation} around each handled message ({@code
 * dev.zocket.micrometer.ZocketObservation}), and meters for Zocket clients ({@code
 * dev.zocket.micrometer.ZocketClientMetrics}).
 */
// "requires-automatic": Micrometer's jars have no module descriptor; micrometer.core and
// micrometer.observation are their Automatic-Module-Names.
@SuppressWarnings("requires-automatic")
module dev.zocket.micrometer {
  requires transitive dev.zocket.core;
  requires transitive micrometer.core;
  requires transitive micrometer.observation;
  requires micrometer.commons;
  // ZocketClientMetrics only: present when an application uses the client.
  requires static transitive dev.zocket.client;

  exports dev.zocket.micrometer;
}
