package io.meshery.broker.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** The nats.conf settings a user may tune (the seed's "NATS Configuration"). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NatsConfigSpec(
        @JsonPropertyDescription("max_payload: largest message accepted, e.g. 1Mi or 8Mi (at most 64Mi).")
        @Default(Defaults.MAX_PAYLOAD) @Pattern(Defaults.BYTES_PATTERN)
        String maxPayload,

        @JsonPropertyDescription("max_connections per pod.")
        @Min(1) @Max(1048576) @Default(Defaults.MAX_CONNECTIONS_STR)
        Integer maxConnections,

        @JsonPropertyDescription("debug logging.") @Default("false") Boolean debug,

        @JsonPropertyDescription("trace logging (logs every protocol message).") @Default("false") Boolean trace,

        @JsonPropertyDescription("Timestamps in log lines.") @Default("true") Boolean logtime,

        @JsonPropertyDescription("lame_duck_duration: how long a stopping pod spreads closing its clients; at least 30s.")
        @Default(Defaults.LAME_DUCK_DURATION) @Pattern(Defaults.DURATION_PATTERN)
        String lameDuckDuration,

        @JsonPropertyDescription("lame_duck_grace_period: wait before a stopping pod starts closing clients.")
        @Default(Defaults.LAME_DUCK_GRACE_PERIOD) @Pattern(Defaults.DURATION_PATTERN)
        String lameDuckGracePeriod) {

    public NatsConfigSpec {
        maxPayload = maxPayload == null ? Defaults.MAX_PAYLOAD : maxPayload;
        maxConnections = maxConnections == null ? Defaults.MAX_CONNECTIONS : maxConnections;
        debug = debug != null && debug;
        trace = trace != null && trace;
        logtime = logtime == null || logtime;
        lameDuckDuration = lameDuckDuration == null ? Defaults.LAME_DUCK_DURATION : lameDuckDuration;
        lameDuckGracePeriod = lameDuckGracePeriod == null ? Defaults.LAME_DUCK_GRACE_PERIOD : lameDuckGracePeriod;
    }
}
