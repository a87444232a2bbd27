package io.batchexecutor.config;

/** What one client may hold of an instance at once. */
public interface ClientLimits {

  /** Unset in a client's entry and in client-defaults: followed outputs at once. */
  int DEFAULT_MAX_FOLLOWS = 20;

  /** Unset in a client's entry and in client-defaults: held answers ({@code ?wait=}) at once. */
  int DEFAULT_MAX_HELD_WAITS = 100;

  /** How many outputs ({@code /logs?follow=true}) {@code client} may follow at once. */
  int maxFollows(String client);

  /** How many answers ({@code ?wait=}) {@code client} may have held at once. */
  int maxHeldWaits(String client);
}
