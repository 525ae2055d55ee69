package io.meshery.broker.operator.model;

import io.fabric8.kubernetes.api.model.Quantity;
import io.meshery.broker.operator.api.AllowedClient;
import io.meshery.broker.operator.api.Broker;
import io.meshery.broker.operator.api.BrokerSpec;
import io.meshery.broker.operator.api.Defaults;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks a Broker beyond what the CRD schema can: rules across fields, the Broker's name, and, in case the
 * schema was not installed or is older than the operator, the schema's own bounds again. Returns every problem
 * found, so one status message lists them all.
 */
public final class SpecValidator {
    /** Services need DNS-1035 labels: a letter first. */
    private static final Pattern DNS_1035 = Pattern.compile("^[a-z]([-a-z0-9]*[a-z0-9])?$");
    private static final Pattern BYTES = Pattern.compile(Defaults.BYTES_PATTERN);
    private static final Pattern DURATION = Pattern.compile(Defaults.DURATION_PATTERN);
    private static final Pattern TAG = Pattern.compile(Defaults.TAG_PATTERN);
    private static final Pattern IMAGE = Pattern.compile(Defaults.IMAGE_PATTERN);
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile(Defaults.DNS_SUBDOMAIN_PATTERN);
    private static final Pattern HOST_PORT = Pattern.compile(Defaults.HOST_PORT_PATTERN);
    private static final Pattern SECRET_KEY = Pattern.compile(Defaults.SECRET_KEY_PATTERN);
    private static final Pattern CIDR = Pattern.compile(
            "^(([0-9]{1,3}\\.){3}[0-9]{1,3}/[0-9]{1,2}|[0-9a-fA-F:]+/[0-9]{1,3})$");
    /** nats-server refuses a max_payload above 64 MB. */
    static final long MAX_PAYLOAD_LIMIT = 64L * 1024 * 1024;
    /** The node, like nats-server, refuses a shorter lame_duck_duration. */
    static final long MIN_LAME_DUCK_SECONDS = 30;

    private SpecValidator() {}

    public static List<String> validate(Broker broker) {
        List<String> problems = new ArrayList<>();
        String name = broker.getMetadata().getName();
        if (name == null || !DNS_1035.matcher(name).matches() || name.length() > ResourceNames.MAX_BROKER_NAME_LENGTH) {
            problems.add("metadata.name must be a DNS-1035 label of at most " + ResourceNames.MAX_BROKER_NAME_LENGTH
                    + " characters (it names the StatefulSet and the Services)");
        }
        BrokerSpec spec = broker.getSpec() == null ? BrokerSpec.empty() : broker.getSpec();
        if (spec.size() < 1 || spec.size() > Defaults.MAX_SIZE) {
            problems.add("spec.size must be between 1 and " + Defaults.MAX_SIZE + ", got " + spec.size());
        }
        if (spec.version() != null && !TAG.matcher(spec.version()).matches()) {
            problems.add("spec.version is not an image tag: " + spec.version());
        }
        if (spec.image() != null && !IMAGE.matcher(spec.image()).matches()) {
            problems.add("spec.image is not an image reference: " + spec.image());
        }
        positiveBytes(problems, "spec.jetstream.storageSize", spec.jetstream().storageSize(), Long.MAX_VALUE);
        positiveBytes(problems, "spec.config.maxPayload", spec.config().maxPayload(), MAX_PAYLOAD_LIMIT);
        if (spec.config().maxConnections() < 1) {
            problems.add("spec.config.maxConnections must be at least 1");
        }
        if (duration(problems, "spec.config.lameDuckDuration", spec.config().lameDuckDuration())
                && Durations.seconds(spec.config().lameDuckDuration()) < MIN_LAME_DUCK_SECONDS) {
            problems.add("spec.config.lameDuckDuration must be at least " + MIN_LAME_DUCK_SECONDS + "s (as nats-server)");
        }
        duration(problems, "spec.config.lameDuckGracePeriod", spec.config().lameDuckGracePeriod());
        if (spec.tls().enabled() && (spec.tls().secretName() == null || spec.tls().secretName().isEmpty())) {
            problems.add("spec.tls.secretName is required when tls is enabled");
        }
        if (spec.tls().secretName() != null && !DNS_SUBDOMAIN.matcher(spec.tls().secretName()).matches()) {
            problems.add("spec.tls.secretName is not a Secret name: " + spec.tls().secretName());
        }
        if (spec.auth() != null) {
            if (spec.auth().secretRef() == null || spec.auth().secretRef().name() == null
                    || !DNS_SUBDOMAIN.matcher(spec.auth().secretRef().name()).matches()) {
                problems.add("spec.auth.secretRef.name must name a Secret");
            } else if (spec.auth().secretRef().key() == null
                    || !SECRET_KEY.matcher(spec.auth().secretRef().key()).matches()) {
                problems.add("spec.auth.secretRef.key is not a Secret key: " + spec.auth().secretRef().key());
            }
        }
        for (String range : spec.service().loadBalancerSourceRanges()) {
            if (!CIDR.matcher(range).matches()) {
                problems.add("spec.service.loadBalancerSourceRanges: not a CIDR: " + range);
            }
        }
        String override = spec.service().externalEndpointOverride();
        if (override != null && !HOST_PORT.matcher(override).matches()) {
            problems.add("spec.service.externalEndpointOverride must be host or host:port: " + override);
        }
        List<AllowedClient> clients = spec.networkPolicy().allowedClients();
        for (int i = 0; i < clients.size(); i++) {
            AllowedClient c = clients.get(i);
            boolean byLabels = c.podLabels() != null || c.namespaceLabels() != null;
            boolean byCidr = c.cidr() != null;
            if (byLabels == byCidr) {
                problems.add("spec.networkPolicy.allowedClients[" + i + "] needs either pod/namespace labels or a cidr");
            } else if (byCidr && !CIDR.matcher(c.cidr()).matches()) {
                problems.add("spec.networkPolicy.allowedClients[" + i + "].cidr is not a CIDR: " + c.cidr());
            }
        }
        if (spec.podDisruptionBudget().maxUnavailable() < 0) {
            problems.add("spec.podDisruptionBudget.maxUnavailable must not be negative");
        }
        return problems;
    }

    private static void positiveBytes(List<String> problems, String field, String value, long max) {
        if (!BYTES.matcher(value).matches()) {
            problems.add(field + " is not a size such as 10Gi: " + value);
            return;
        }
        BigDecimal bytes = Quantity.getAmountInBytes(Quantity.parse(value));
        if (bytes.signum() <= 0) {
            problems.add(field + " must be positive: " + value);
        } else if (bytes.compareTo(BigDecimal.valueOf(max)) > 0) {
            problems.add(field + " must be at most " + max + " bytes: " + value);
        }
    }

    private static boolean duration(List<String> problems, String field, String value) {
        if (!DURATION.matcher(value).matches()) {
            problems.add(field + " is not a duration such as 30s: " + value);
            return false;
        }
        return true;
    }
}
