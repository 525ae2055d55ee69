/**
 * Who may connect and what they may do: the {@code authorization} block of nats.conf
 * ({@link io.meshery.broker.security.Authenticator}, {@link io.meshery.broker.security.Permissions}) and the
 * {@code tls} block ({@link io.meshery.broker.security.TlsConfig}), both read once at start-up into immutable,
 * thread-safe objects that {@link io.meshery.broker.security.Security} bundles for the node.
 *
 * <p>Plain Java with no Pekko imports. Secrets read here (passwords, tokens, private keys) are never logged and
 * never appear in exception messages.
 */
package io.meshery.broker.security;
