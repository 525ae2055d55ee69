package io.meshery.broker.server;

import io.meshery.broker.routing.Subscription;
import io.meshery.broker.security.Authenticator;

/**
 * What other threads tell a client connection. Each is a message to the connection's actor, handled in the
 * order sent.
 */
sealed interface ConnectionSignal {

    /** A publisher found the client's buffer past max_pending: cut it. */
    ConnectionSignal SLOW_CONSUMER = new SlowConsumer();
    /** The node's INFO changed (lame duck mode, a node joined or left the cluster): send it to the client. */
    ConnectionSignal INFO_CHANGED = new InfoChanged();
    /** A receiver this connection waits for has written out its backlog (flow control). */
    ConnectionSignal RECEIVER_DRAINED = new ReceiverDrained();

    record SlowConsumer() implements ConnectionSignal {
    }

    record InfoChanged() implements ConnectionSignal {
    }

    record ReceiverDrained() implements ConnectionSignal {
    }

    /** {@code sub} reached its maximum number of messages. */
    record SubscriptionFinished(Subscription sub) implements ConnectionSignal {
    }

    /** Close after writing what is queued. */
    record CloseRequest(CloseReason reason) implements ConnectionSignal {
    }

    /** The outcome of a credentials check that ran off the connection's thread ({@code null}: refused). */
    record CredentialsChecked(ConnectOptions connect, Authenticator.Identity identity) implements ConnectionSignal {
    }
}
