/** Benchmarks that drive any NATS server over the wire. */
package io.meshery.broker.bench;
