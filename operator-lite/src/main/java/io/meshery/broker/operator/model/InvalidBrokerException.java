package io.meshery.broker.operator.model;

import java.util.List;

/**
 * The Broker cannot be turned into objects: its spec, or a Secret it refers to, is not usable. The operator
 * reports it in the Broker's status (condition Ready=False with {@link #reason()}) and does not touch the
 * objects already deployed.
 */
public final class InvalidBrokerException extends Exception {
    /** The spec breaks a rule the schema could not express (or the schema was not installed). */
    public static final String INVALID_SPEC = "InvalidSpec";
    /** A referenced Secret does not exist. */
    public static final String SECRET_NOT_FOUND = "SecretNotFound";
    /** A referenced Secret exists but its content is unusable. */
    public static final String SECRET_INVALID = "SecretInvalid";

    private static final long serialVersionUID = 1L;
    private final String reason;
    private final List<String> problems;

    public InvalidBrokerException(String reason, List<String> problems) {
        super(String.join("; ", problems));
        this.reason = reason;
        this.problems = List.copyOf(problems);
    }

    public String reason() {
        return reason;
    }

    public List<String> problems() {
        return problems;
    }
}
