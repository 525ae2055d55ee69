package io.meshery.broker.monitor;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;

/**
 * JSON as nats-server's monitoring writes it with Go's encoder: two-space indentation, {@code "key": value},
 * {@code []} and {@code {}} when empty, {@code <}, {@code >} and {@code &} escaped, and floats without a
 * trailing {@code .0}. Same bytes as the reference server for the same values, so that a diff of the two
 * shows only what differs.
 */
final class Json {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static final ObjectWriter PRETTY;
    private static final ObjectWriter COMPACT;

    static {
        ObjectMapper mapper = new ObjectMapper(new JsonFactoryBuilder()
            .characterEscapes(new GoEscapes())
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build());
        Separators separators = Separators.createDefaultInstance()
            .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
            .withObjectEmptySeparator("")
            .withArrayEmptySeparator("");
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter(separators);
        DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
        printer.indentObjectsWith(indenter);
        printer.indentArraysWith(indenter);
        PRETTY = mapper.writer(printer);
        COMPACT = mapper.writer();
    }

    private Json() {
    }

    static ObjectNode object() {
        return NODES.objectNode();
    }

    static byte[] pretty(ObjectNode node) {
        return write(PRETTY, node);
    }

    static byte[] compact(ObjectNode node) {
        return write(COMPACT, node);
    }

    private static byte[] write(ObjectWriter writer, ObjectNode node) {
        try {
            return writer.writeValueAsBytes(node);
        } catch (Exception e) {
            throw new IllegalStateException("cannot write JSON", e);
        }
    }

    /** A float as Go writes it: {@code 2} rather than {@code 2.0}, never in exponent form for our ranges. */
    static void putFloat(ObjectNode node, String field, double value) {
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            node.put(field, 0);
            return;
        }
        BigDecimal exact = BigDecimal.valueOf(value).stripTrailingZeros();
        if (exact.scale() <= 0) {
            node.put(field, exact.longValue());
        } else {
            node.put(field, exact);
        }
    }

    /** Go's encoder escapes these by default, for JSON embedded in HTML. */
    private static final class GoEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;

        private static final int[] ESCAPES = standardAsciiEscapesForJSON();

        static {
            ESCAPES['<'] = ESCAPE_STANDARD;
            ESCAPES['>'] = ESCAPE_STANDARD;
            ESCAPES['&'] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ESCAPES;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            if (ch == '\u2028') {
                return new SerializedString("\\u2028");
            }
            if (ch == '\u2029') {
                return new SerializedString("\\u2029");
            }
            return null;
        }
    }
}
