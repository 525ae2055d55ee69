package io.meshery.broker.bench.report;

import io.meshery.broker.bench.RunResult;
import io.meshery.broker.bench.scenario.Measurement;
import io.meshery.broker.bench.scenario.Metric;
import io.meshery.broker.bench.scenario.Scenario;
import java.util.Locale;

/** Number formatting shared by the progress lines and the tables. */
public final class Format {

    private Format() {
    }

    /** {@code 20M}, {@code 300k}, {@code 1000}. */
    public static String count(long n) {
        if (n >= 1_000_000 && n % 100_000 == 0) {
            return trim(n / 1e6) + "M";
        }
        if (n >= 10_000 && n % 1_000 == 0) {
            return trim(n / 1e3) + "k";
        }
        return Long.toString(n);
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    /** A metric value in its unit's usual precision, without the unit. */
    public static String value(Metric metric, Double v) {
        if (v == null || v.isNaN()) {
            return "n/a";
        }
        String unit = metric.unit();
        if (unit.endsWith("/s") && !unit.startsWith("MB")) {
            return si(v);
        }
        if (unit.startsWith("µs")) {
            return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.1f", v);
        }
        if (unit.startsWith("MB")) {
            return String.format(Locale.ROOT, "%.0f", v);
        }
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** {@code 8.21M}, {@code 512.3k}, {@code 950}. */
    public static String si(double v) {
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (v >= 1e3) {
            return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }

    /** Nanoseconds with a sensible precision. */
    public static String nanos(double ns) {
        if (ns >= 1e6) {
            return String.format(Locale.ROOT, "%.1f ms", ns / 1e6);
        }
        if (ns >= 1e4) {
            return String.format(Locale.ROOT, "%.1f µs", ns / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f ns", ns);
    }

    /** KiB as MiB with one decimal. */
    public static String mib(double kib) {
        return String.format(Locale.ROOT, "%.1f MiB", kib / 1024);
    }

    /** A fraction as a whole percentage; {@code -} for null. */
    public static String percent(Double fraction) {
        return fraction == null ? "-" : String.format(Locale.ROOT, "%.0f%%", fraction * 100);
    }

    /** Two decimals. */
    public static String fixed2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** The progress line printed after each run. */
    public static String runLine(RunResult r, Scenario scenario) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "  round %d %-20s", r.round(),
                r.server().display()));
        Measurement m = r.measurement();
        if (m != null) {
            boolean first = true;
            for (Metric metric : scenario.metrics()) {
                s.append(first ? " " : ", ").append(value(metric, m.values().get(metric.id()))).append(' ')
                        .append(metric.unit());
                first = false;
            }
            s.append(String.format(Locale.ROOT, " | lost %d | peak RSS %s | server %s/%s %s cores"
                            + " | client %s/%s %s cores | others %s cores | %.1f s",
                    m.lost(), mib(r.usage().peakRssKib()), nanos(r.serverCpuPerUnit()), m.unitName(),
                    fixed2(r.usage().serverCores()), nanos(r.clientCpuPerUnit()), m.unitName(),
                    fixed2(r.usage().clientCores()), fixed2(r.usage().otherCores()), r.usage().wallNanos() / 1e9));
            m.notes().forEach(n -> s.append("\n      note: ").append(n));
        }
        if (r.round() == 1 && !r.process().isEmpty()) {
            s.append("\n      measured: ").append(r.process());
        }
        r.problems().forEach(p -> s.append("\n      PROBLEM: ").append(p));
        return s.toString();
    }
}
