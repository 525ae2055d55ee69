package io.meshery.broker.operator.api;

/** Default values shared by the {@code @Default} schema annotations and the records' compact constructors. */
public final class Defaults {
    public static final int SIZE = 1;
    public static final String SIZE_STR = "1";
    public static final int MAX_SIZE = 10;
    public static final String STORAGE_SIZE = "10Gi";
    public static final String USERS_KEY = "users.json";
    public static final String SERVICE_TYPE = "LoadBalancer";
    public static final String MAX_PAYLOAD = "1Mi";
    public static final int MAX_CONNECTIONS = 65536;
    public static final String MAX_CONNECTIONS_STR = "65536";
    public static final String LAME_DUCK_DURATION = "30s";
    public static final String LAME_DUCK_GRACE_PERIOD = "10s";
    public static final int PDB_MAX_UNAVAILABLE = 1;
    public static final String PDB_MAX_UNAVAILABLE_STR = "1";

    /** A Kubernetes quantity in bytes, such as {@code 10Gi}, {@code 512Mi} or {@code 1048576}. */
    public static final String BYTES_PATTERN = "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$";
    /** A duration as nats.conf writes it: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}. */
    public static final String DURATION_PATTERN = "^[0-9]+(ms|s|m|h)$";
    /** An image tag. */
    public static final String TAG_PATTERN = "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$";
    /** An image reference: no white space. */
    public static final String IMAGE_PATTERN = "^[^\\s]+$";
    /** A DNS-1123 subdomain, the form of most Kubernetes object names. */
    public static final String DNS_SUBDOMAIN_PATTERN =
            "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    /** A key of a Secret's data. */
    public static final String SECRET_KEY_PATTERN = "^[-._a-zA-Z0-9]{1,253}$";
    /** {@code host} or {@code host:port}, with no scheme. */
    public static final String HOST_PORT_PATTERN = "^[^\\s:/]+(:[0-9]{1,5})?$";

    private Defaults() {}
}
