/**
 * The broker node's configuration layer: the nats.conf reader ({@link io.meshery.broker.config.ConfigParser}),
 * the immutable option set ({@link io.meshery.broker.config.BrokerOptions}) and the nats-server style command
 * line ({@link io.meshery.broker.config.CommandLine}).
 *
 * <p>Plain Java with no Pekko imports: everything here runs once at start-up (or on reload) and is tested
 * without sockets. Behaviour is modelled on nats-server 2.9; where this package deliberately differs, the
 * class Javadoc says so.
 */
package io.meshery.broker.config;
