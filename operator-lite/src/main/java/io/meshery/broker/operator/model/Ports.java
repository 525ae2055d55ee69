package io.meshery.broker.operator.model;

/**
 * Port numbers and names. The client port is named {@code client}: meshery-operator v0.8 looks only for that
 * name, later versions for {@code client} or {@code nats}; Meshery Server looks for {@code monitor}.
 */
public final class Ports {
    public static final int CLIENT = 4222;
    public static final String CLIENT_NAME = "client";
    public static final int MONITOR = 8222;
    public static final String MONITOR_NAME = "monitor";
    /** Pekko Artery remoting between the pods of one cluster. */
    public static final int CLUSTER = 6222;
    public static final String CLUSTER_NAME = "cluster";
    /** Pekko management: /cluster/members, /ready, /alive. */
    public static final int MANAGEMENT = 8558;
    public static final String MANAGEMENT_NAME = "management";

    private Ports() {}
}
