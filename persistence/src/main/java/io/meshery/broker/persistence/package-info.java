/**
 * The stream store for JetStream-compatible persistent streams. Plain Java with no Pekko imports: the
 * store is filled in by the persistent-streams work; until then this module only fixes its place in the build.
 */
package io.meshery.broker.persistence;
