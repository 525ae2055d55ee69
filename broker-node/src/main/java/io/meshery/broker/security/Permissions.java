package io.meshery.broker.security;

import io.meshery.broker.config.ConfigException;
import io.meshery.broker.config.ConfigValues;
import io.meshery.broker.protocol.Subjects;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one user may publish and subscribe to: nats-server's {@code permissions} block.
 *
 * <pre>
 * permissions {
 *   publish   = "orders.>"                              # a subject or a list: the allow list
 *   subscribe = { allow: ["orders.*", "jobs.* workers"], deny: "orders.secret" }
 *   allow_responses = true                              # or { max: 5, expires: "1m" }
 * }
 * </pre>
 *
 * <p>Rules follow nats-server 2.9: without an allow list everything is allowed, a deny entry wins over an allow
 * entry, and a subscription subject is matched as a literal against the rules, so {@code foo.*} allows
 * {@code SUB foo.>} too (as in nats-server). A subscribe entry may name a queue group after a space
 * ({@code "jobs.* workers"}, wildcards allowed in the group): queue entries govern queue subscriptions only. A
 * subscriber with a deny list does not receive messages on denied subjects through a wildcard subscription.
 * {@code allow_responses} lets a responder publish to the reply subjects of the requests it received, by default
 * once each within two minutes, and turns publishing to anything else off unless an allow list says otherwise.
 *
 * <p>Rules are checked by a linear scan with no allocation; permission lists are short. Immutable and
 * thread-safe; the per-connection part (the reply subjects a responder may use) is {@link ClientPermissions}.
 */
public final class Permissions {

    /** nats-server's {@code DEFAULT_ALLOW_RESPONSE_MAX_MSGS} and {@code DEFAULT_ALLOW_RESPONSE_EXPIRATION}. */
    static final int DEFAULT_RESPONSE_MAX_MSGS = 1;
    static final Duration DEFAULT_RESPONSE_EXPIRES = Duration.ofMinutes(2);

    /** One allow or deny entry; {@code queue} is null for a plain one. */
    record Rule(String subject, String queue) {
    }

    /** One direction's lists; a null list is absent (an empty allow list allows nothing). */
    record Rules(List<Rule> allow, List<Rule> deny) {
    }

    /**
     * How often and for how long a reply subject may be published to after a request carrying it arrived; a
     * negative {@code maxMsgs} or {@code expires} means no limit.
     */
    public record Responses(int maxMsgs, Duration expires) {
    }

    private final Rules publish;
    private final Rules subscribe;
    private final Responses responses;

    Permissions(Rules publish, Rules subscribe, Responses responses) {
        this.publish = publish;
        this.subscribe = subscribe;
        this.responses = responses;
    }

    /** The {@code allow_responses} setting, or null when off. */
    public Responses responses() {
        return responses;
    }

    /** Whether the static rules let {@code subject} be published to (reply subjects aside). */
    public boolean canPublish(String subject) {
        return permits(publish, subject);
    }

    /** Whether {@code SUB subject sid} is allowed. */
    public boolean canSubscribe(String subject) {
        return permits(subscribe, subject);
    }

    /**
     * Whether {@code SUB subject queue sid} is allowed. As nats-server: a plain allow entry allows any group
     * unless queue entries also match the subject, in which case the group must match one of them; the same
     * logic applies to the deny list.
     */
    public boolean canQueueSubscribe(String subject, String queue) {
        if (subscribe == null) {
            return true;
        }
        boolean allowed = true;
        if (subscribe.allow() != null) {
            allowed = anyPlainMatch(subscribe.allow(), subject);
            if (anyQueueRuleFor(subscribe.allow(), subject)) {
                allowed = queueMatches(subscribe.allow(), subject, queue);
            }
        }
        if (allowed && subscribe.deny() != null) {
            allowed = !anyPlainMatch(subscribe.deny(), subject);
            if (anyQueueRuleFor(subscribe.deny(), subject)) {
                allowed = !queueMatches(subscribe.deny(), subject, queue);
            }
        }
        return allowed;
    }

    /** Whether a message on {@code subject} must not reach this user, whatever wildcard it subscribed with. */
    public boolean deniesDelivery(String subject) {
        return hasDeliveryFilter() && anyPlainMatch(subscribe.deny(), subject);
    }

    /** Whether delivery needs {@link #deniesDelivery} at all; false for most users. */
    boolean hasDeliveryFilter() {
        return subscribe != null && subscribe.deny() != null;
    }

    /** Whether one direction's plain entries let {@code subject} through: allowed, and not denied. */
    private static boolean permits(Rules rules, String subject) {
        if (rules == null) {
            return true;
        }
        boolean allowed = rules.allow() == null || anyPlainMatch(rules.allow(), subject);
        return allowed && (rules.deny() == null || !anyPlainMatch(rules.deny(), subject));
    }

    private static boolean anyPlainMatch(List<Rule> rules, String subject) {
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            if (r.queue() == null && Subjects.matches(r.subject(), subject)) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyQueueRuleFor(List<Rule> rules, String subject) {
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            if (r.queue() != null && Subjects.matches(r.subject(), subject)) {
                return true;
            }
        }
        return false;
    }

    private static boolean queueMatches(List<Rule> rules, String subject, String queue) {
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            if (r.queue() != null && Subjects.matches(r.subject(), subject) && Subjects.matches(r.queue(), queue)) {
                return true;
            }
        }
        return false;
    }

    // ---- reading the configuration ------------------------------------------------------------------------

    /**
     * Reads a {@code permissions} block found under {@code key}.
     *
     * @throws ConfigException naming the key of anything unknown or invalid
     */
    static Permissions parse(String key, Object value) {
        Map<String, Object> block = ConfigValues.block(key, value);
        Rules publish = null;
        Rules subscribe = null;
        Responses responses = null;
        for (Map.Entry<String, Object> e : block.entrySet()) {
            String k = key + "." + e.getKey();
            switch (e.getKey().toLowerCase(Locale.ROOT)) {
                case "publish", "pub" -> publish = rules(k, e.getValue(), false);
                case "subscribe", "sub" -> subscribe = rules(k, e.getValue(), true);
                case "allow_responses", "publish_allow_responses" -> responses = responses(k, e.getValue());
                default -> throw new ConfigException(k + ": unknown field; permissions take publish, subscribe "
                    + "and allow_responses");
            }
        }
        if (responses != null) {
            // nats-server: allowing responses turns the blanket publish permission off
            if (publish == null) {
                publish = new Rules(List.of(), null);
            } else if (publish.allow() == null) {
                publish = new Rules(List.of(), publish.deny());
            }
        }
        return new Permissions(publish, subscribe, responses);
    }

    /** {@code "subj"}, {@code ["a", "b"]} (an allow list) or {@code { allow: ..., deny: ... }}. */
    private static Rules rules(String key, Object value, boolean queuesAllowed) {
        if (!(value instanceof Map)) {
            return new Rules(subjects(key, value, queuesAllowed), null);
        }
        Map<String, Object> block = ConfigValues.block(key, value);
        if (block.isEmpty()) {
            return null;
        }
        List<Rule> allow = null;
        List<Rule> deny = null;
        for (Map.Entry<String, Object> e : block.entrySet()) {
            String k = key + "." + e.getKey();
            switch (e.getKey().toLowerCase(Locale.ROOT)) {
                case "allow" -> allow = subjects(k, e.getValue(), queuesAllowed);
                case "deny" -> deny = subjects(k, e.getValue(), queuesAllowed);
                default -> throw new ConfigException(k + ": unknown field; only allow and deny are permitted");
            }
        }
        return new Rules(allow, deny);
    }

    private static List<Rule> subjects(String key, Object value, boolean queuesAllowed) {
        List<Rule> rules = new ArrayList<>();
        for (String entry : ConfigValues.strings(key, value)) {
            String s = entry.trim();
            int space = s.indexOf(' ');
            String subject = space < 0 ? s : s.substring(0, space);
            String queue = space < 0 ? null : s.substring(space + 1).trim();
            if (!Subjects.isValidSubscribe(subject)) {
                throw new ConfigException(key + ": \"" + entry + "\" is not a valid subject");
            }
            if (queue != null && (!queuesAllowed || queue.isEmpty() || queue.indexOf(' ') >= 0
                || !Subjects.isValidSubscribe(queue))) {
                throw new ConfigException(key + ": \"" + entry + "\" is not a valid subject"
                    + (queuesAllowed ? " or \"subject queue\" pair" : ""));
            }
            rules.add(new Rule(subject, queue));
        }
        return List.copyOf(rules);
    }

    /** {@code true}/{@code false} or {@code { max: 5, expires: "1m" }}; 0 keeps a default, negative is unlimited. */
    private static Responses responses(String key, Object value) {
        if (value instanceof Boolean on) {
            return on ? new Responses(DEFAULT_RESPONSE_MAX_MSGS, DEFAULT_RESPONSE_EXPIRES) : null;
        }
        Map<String, Object> block = ConfigValues.block(key, value);
        int max = DEFAULT_RESPONSE_MAX_MSGS;
        Duration expires = DEFAULT_RESPONSE_EXPIRES;
        for (Map.Entry<String, Object> e : block.entrySet()) {
            String k = key + "." + e.getKey();
            switch (e.getKey().toLowerCase(Locale.ROOT)) {
                case "max", "max_msgs", "max_messages", "max_responses" -> {
                    long n = ConfigValues.integer(k, e.getValue());
                    if (n != 0) {
                        max = n < 0 ? -1 : (int) Math.min(n, Integer.MAX_VALUE);
                    }
                }
                case "expires", "expiration", "ttl" -> {
                    Duration d = ConfigValues.duration(k, ConfigValues.string(k, e.getValue()));
                    if (!d.isZero()) {
                        expires = d.isNegative() ? Duration.ofNanos(-1) : d;
                    }
                }
                default -> throw new ConfigException(k + ": unknown field; allow_responses takes max and expires");
            }
        }
        return new Responses(max, expires);
    }
}
