package io.meshery.broker.operator.model;

/** nats.conf durations ({@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}) in whole seconds, rounded up. */
final class Durations {
    private Durations() {}

    static long seconds(String duration) {
        if (duration.endsWith("ms")) {
            long ms = Long.parseLong(duration.substring(0, duration.length() - 2));
            return (ms + 999) / 1000;
        }
        long n = Long.parseLong(duration.substring(0, duration.length() - 1));
        return switch (duration.charAt(duration.length() - 1)) {
            case 's' -> n;
            case 'm' -> n * 60;
            case 'h' -> n * 3600;
            default -> throw new IllegalArgumentException("not a duration: " + duration);
        };
    }
}
