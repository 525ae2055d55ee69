/**
 * The stream store for JetStream-compatible persistent streams: {@link io.meshery.broker.persistence.StreamStore}
 * with a memory and a file implementation. Plain Java with no Pekko, no logging framework (it logs through
 * {@link java.lang.System.Logger}) and no other module of the project; {@code PersistencePurityTest} pins it.
 * The on-disk format, recovery rules and fsync policy are in {@code docs/storage-format.md}.
 */
package io.meshery.broker.persistence;
