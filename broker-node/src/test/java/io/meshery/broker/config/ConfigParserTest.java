package io.meshery.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The nats.conf syntax, case by case; expectations were checked against nats-server 2.9.10 with {@code -t}. */
class ConfigParserTest {
    private static final Map<String, String> ENV = Map.of(
            "POD_NAME", "meshery-nats-0",
            "CLIENT_PORT", "4333",
            "BIG", "10MB",
            "FLAG", "yes",
            "QUOTED", "\"two words\"",
            "BLOCK", "{ token: abc }",
            "CHAIN", "$POD_NAME",
            "LOOP", "$LOOP",
            "BROKEN", "a b",
            "EMPTY", "");

    private final ConfigParser parser = new ConfigParser(ENV::get);

    private Map<String, Object> parse(String text) {
        return parser.parseString(text).values();
    }

    private ConfigException error(String text) {
        return assertThrows(ConfigException.class, () -> parse(text));
    }

    // ---- separators, blocks, lists, comments ------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {
            "port: 4222", "port = 4222", "port 4222", "port:4222", "port=4222", "port : 4222", "port\t=\t4222",
            "port: 4222;", "port: 4222,", "\"port\": 4222", "'port': 4222", "port: 4222 # comment",
            "port: 4222 // comment", "# leading\nport: 4222", "// leading\n\n  port: 4222\n", "port: 4222\r\n",
            "{\"port\": 4222}", "{ port = 4222 }", "\uFEFFport: 4222", "port\n4222"})
    void everySeparatorFormReadsTheSameEntry(String text) {
        assertEquals(Map.of("port", 4222L), parse(text));
    }

    static Stream<Arguments> blocks() {
        Map<String, Object> auth = Map.of("token", "abc", "timeout", 2L);
        return Stream.of(
                Arguments.of("authorization { token: abc, timeout: 2 }", auth),
                Arguments.of("authorization: { token: abc; timeout: 2 }", auth),
                Arguments.of("authorization = {token = abc\ntimeout = 2}", auth),
                Arguments.of("authorization{token: abc, timeout: 2}", auth),
                Arguments.of("authorization {\n  token: abc\n  timeout: 2\n}\n", auth),
                Arguments.of("authorization\n{\n  token: abc # the token\n  timeout: 2\n}", auth));
    }

    @ParameterizedTest
    @MethodSource("blocks")
    void blocksInEveryForm(String text, Map<String, Object> expected) {
        assertEquals(Map.of("authorization", expected), parse(text));
    }

    @Test
    void nestedBlocksKeepOrder() {
        Map<String, Object> config = parse("""
            accounts {
              A {
                users: [ {user: a, password: b}, {user: c, password: d} ]
                jetstream: enabled
              }
              SYS { users = [{user: sys, password: s}] }
            }
            system_account: SYS
            """);
        assertEquals(List.of("accounts", "system_account"), List.copyOf(config.keySet()));
        Map<?, ?> accounts = (Map<?, ?>) config.get("accounts");
        assertEquals(List.of("A", "SYS"), List.copyOf(accounts.keySet()));
        Map<?, ?> a = (Map<?, ?>) accounts.get("A");
        assertEquals(List.of(Map.of("user", "a", "password", "b"), Map.of("user", "c", "password", "d")),
                a.get("users"));
        assertEquals("enabled", a.get("jetstream"));
    }

    static Stream<Arguments> lists() {
        List<Object> routes = List.of("nats://a:6222", "nats://b:6222");
        return Stream.of(
                Arguments.of("routes: [nats://a:6222, nats://b:6222]", routes),
                Arguments.of("routes: [\n  nats://a:6222\n  nats://b:6222\n]", routes),
                Arguments.of("routes = [\n  nats://a:6222, # first\n  \"nats://b:6222\", // second\n]", routes),
                Arguments.of("routes [nats://a:6222,nats://b:6222,]", routes),
                Arguments.of("routes: []", List.of()),
                Arguments.of("routes: [1, 2.5, true, '3', [x, y], {k: v}]",
                        List.of(1L, 2.5, true, "3", List.of("x", "y"), Map.of("k", "v"))));
    }

    @ParameterizedTest
    @MethodSource("lists")
    void listsInEveryForm(String text, List<Object> expected) {
        assertEquals(Map.of("routes", expected), parse(text));
    }

    @Test
    void commentMarkersInsideTokensAreText() {
        Map<String, Object> config = parse("""
            a: 4222#x
            b: nats://host:4222
            c: "x # y" # real comment
            d: 'x // y' // real comment
            """);
        assertEquals(Map.of("a", "4222#x", "b", "nats://host:4222", "c", "x # y", "d", "x // y"), config);
    }

    @Test
    void aLaterDefinitionReplacesAnEarlierOne() {
        Map<String, Object> config = parse("port: 1\ndebug: true\nport: 2\n");
        assertEquals(Map.of("port", 2L, "debug", true), config);
        assertEquals(List.of("debug", "port"), List.copyOf(config.keySet()));
    }

    @Test
    void keysKeepTheirCase() {
        assertEquals(Map.of("Max_Payload", 1000L, "PORT", 1L), parse("Max_Payload: 1000\nPORT: 1"));
    }

    @Test
    void resultIsDeeplyUnmodifiable() {
        Map<String, Object> config = parse("a { b: [1] }");
        assertThrows(UnsupportedOperationException.class, () -> config.put("x", 1L));
        Map<?, ?> a = (Map<?, ?>) config.get("a");
        assertThrows(UnsupportedOperationException.class, () -> a.clear());
        assertThrows(UnsupportedOperationException.class, () -> ((List<?>) a.get("b")).clear());
    }

    // ---- scalars ------------------------------------------------------------------------------------------------

    static Stream<Arguments> scalars() {
        return Stream.of(
                Arguments.of("4222", 4222L),
                Arguments.of("-1", -1L),
                Arguments.of("007", 7L),
                Arguments.of("1.5", 1.5),
                Arguments.of("-0.25", -0.25),
                Arguments.of("true", true), Arguments.of("TRUE", true), Arguments.of("yes", true), Arguments.of("Yes", true),
                Arguments.of("on", true), Arguments.of("ON", true),
                Arguments.of("false", false), Arguments.of("no", false), Arguments.of("nO", false),
                Arguments.of("off", false), Arguments.of("OFF", false),
                Arguments.of("\"true\"", "true"),
                Arguments.of("truex", "truex"),
                Arguments.of("hello", "hello"),
                Arguments.of("4.2.2", "4.2.2"),
                Arguments.of("12ab", "12ab"),
                Arguments.of("1979-05-27T07:32:00Z", "1979-05-27T07:32:00Z"),
                Arguments.of("+5", "+5"),
                Arguments.of("0x10", "0x10"),
                Arguments.of("a:b=c", "a:b=c"),
                Arguments.of("\"a\\tb\\n\\\"c\\\"\\\\\\x41\"", "a\tb\n\"c\"\\A"),
                Arguments.of("'a\\tb $X'", "a\\tb $X"),
                Arguments.of("\"two\nlines\"", "two\nlines"),
                Arguments.of("a\\tb", "a\tb"),
                Arguments.of("\"\"", ""),
                Arguments.of("\"$POD_NAME\"", "$POD_NAME"));
    }

    @ParameterizedTest
    @MethodSource("scalars")
    void scalarValues(String written, Object expected) {
        assertEquals(expected, parse("v: " + written).get("v"));
    }

    static Stream<Arguments> sizes() {
        return Stream.of(
                Arguments.of("10MB", 10L << 20), Arguments.of("10mb", 10L << 20), Arguments.of("10Mi", 10L << 20),
                Arguments.of("10MiB", 10L << 20), Arguments.of("1GB", 1L << 30), Arguments.of("64KB", 64L << 10),
                Arguments.of("1kb", 1024L), Arguments.of("1Ki", 1024L), Arguments.of("1TB", 1L << 40),
                Arguments.of("1PB", 1L << 50), Arguments.of("1EB", 1L << 60),
                Arguments.of("10M", 10_000_000L), Arguments.of("10m", 10_000_000L), Arguments.of("1K", 1000L),
                Arguments.of("1k", 1000L), Arguments.of("1G", 1_000_000_000L), Arguments.of("1T", 1_000_000_000_000L),
                Arguments.of("-5KB", -5120L),
                // not a size suffix: a string, as in nats-server
                Arguments.of("1b", "1b"), Arguments.of("2x", "2x"), Arguments.of("1kbx", "1kbx"),
                Arguments.of("1.5MB", "1.5MB"));
    }

    @ParameterizedTest
    @MethodSource("sizes")
    void sizeSuffixes(String written, Object expected) {
        assertEquals(expected, parse("max_pending: " + written).get("max_pending"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"2m\"", "\"10s\"", "\"1h30m\"", "\"500ms\"", "10s", "1h30m", "500ms"})
    void durationsStayStrings(String written) {
        assertEquals(written.replace("\"", ""), parse("ping_interval: " + written).get("ping_interval"));
    }

    @Test
    void aBareTwoMIsTheSizeTwoMillionAsInNatsServer() {
        assertEquals(2_000_000L, parse("ping_interval: 2m").get("ping_interval"));
    }

    // ---- variables ----------------------------------------------------------------------------------------------

    @Test
    void variablesFromTheFileAndFromEnclosingBlocks() {
        ParsedConfig config = parser.parseString("""
            TOKEN: s3cr3t
            LIMIT: 10MB
            authorization {
              USER: admin
              users: [ {user: $USER, password: $TOKEN} ]
            }
            max_payload: $LIMIT
            """);
        Map<?, ?> auth = (Map<?, ?>) config.values().get("authorization");
        assertEquals(List.of(Map.of("user", "admin", "password", "s3cr3t")), auth.get("users"));
        assertEquals(10L << 20, config.values().get("max_payload"));
        assertEquals(java.util.Set.of("USER", "TOKEN", "LIMIT"), config.usedVariables());
    }

    @Test
    void aVariableCanHoldABlock() {
        assertEquals(Map.of("timeout", 5L), parse("M: {timeout: 5}\nauthorization: $M").get("authorization"));
    }

    @Test
    void aVariableSeesTheLatestEarlierDefinition() {
        assertEquals(6L, parse("V: 5\nV: 6\nx: $V").get("x"));
    }

    @Test
    void fileVariablesShadowTheEnvironment() {
        assertEquals("local", parse("POD_NAME: local\nserver_name: $POD_NAME").get("server_name"));
    }

    static Stream<Arguments> environment() {
        return Stream.of(
                Arguments.of("$POD_NAME", "meshery-nats-0"),
                Arguments.of("$CLIENT_PORT", 4333L),
                Arguments.of("$BIG", 10L << 20),
                Arguments.of("$FLAG", true),
                Arguments.of("$QUOTED", "two words"),
                Arguments.of("$BLOCK", Map.of("token", "abc")),
                Arguments.of("$CHAIN", "meshery-nats-0"),
                Arguments.of("$EMPTY", ""),
                Arguments.of("[$POD_NAME, $CLIENT_PORT]", List.of("meshery-nats-0", 4333L)));
    }

    @ParameterizedTest
    @MethodSource("environment")
    void environmentValuesAreReadAsConfigValues(String written, Object expected) {
        assertEquals(expected, parse("v: " + written).get("v"));
    }

    @Test
    void variablesDefinedInABlockAreNotVisibleOutsideIt() {
        ConfigException e = error("authorization {\n  T: abc\n  token: $T\n}\nserver_name: $T\n");
        assertEquals("<string>:5:14: variable reference for 'T' can not be found", e.getMessage());
    }

    @Test
    void variableNamesAreCaseSensitive() {
        assertEquals(2, error("NAME: foo\nserver_name: $name").line());
    }

    @Test
    void variableErrors() {
        assertEquals("<string>:1:14: variable reference for 'MISSING' can not be found",
                error("server_name: $MISSING").getMessage());
        assertEquals("<string>:1:4: expected a variable name after '$'", error("v: $").getMessage());
        assertTrue(error("v: $LOOP").getMessage().contains("a cycle?"));
        assertEquals("<string>:1:4: variable reference for 'BROKEN' could not be parsed: "
                + "unexpected 'b' after the value", error("v: $BROKEN").getMessage());
    }

    // ---- includes -----------------------------------------------------------------------------------------------

    @Test
    void includesAreRelativeToTheIncludingFile(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("main.conf"), """
            server_name: main
            include "sub/a.conf"
            authorization {
              include 'auth.conf'
            }
            max_control_line: $LINE
            """);
        Files.writeString(dir.resolve("sub/a.conf"), "port: 4333\ninclude ../limits.conf\n");
        Files.writeString(dir.resolve("limits.conf"), "LINE: 2048\nmax_payload: 2MB\n");
        Files.writeString(dir.resolve("auth.conf"), "token: xyz\ntimeout: 4\n");

        ParsedConfig config = parser.parseFile(dir.resolve("main.conf"));

        assertEquals(Map.of("server_name", "main", "port", 4333L, "LINE", 2048L, "max_payload", 2L << 20,
                "authorization", Map.of("token", "xyz", "timeout", 4L), "max_control_line", 2048L), config.values());
        assertEquals(java.util.Set.of("LINE"), config.usedVariables());
    }

    @Test
    void anIncludedFileDoesNotSeeTheIncludersVariables(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("main.conf"), "V: foo\ninclude \"use.conf\"\n");
        Files.writeString(dir.resolve("use.conf"), "\nserver_name: $V\n");
        ConfigException e = assertThrows(ConfigException.class, () -> parser.parseFile(dir.resolve("main.conf")));
        assertEquals(dir.resolve("use.conf") + ":2:14: variable reference for 'V' can not be found"
                + " (included from " + dir.resolve("main.conf") + ":2:1)", e.getMessage());
        assertEquals(2, e.line());
    }

    @Test
    void includeKeywordIsCaseInsensitiveButNotWithASeparator(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.conf"), "port: 1");
        assertEquals(Map.of("port", 1L), parser.parseString("INCLUDE a.conf", dir).values());
        assertEquals(Map.of("include", "a.conf"), parser.parseString("include: a.conf", dir).values());
    }

    @Test
    void includeErrors(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.conf"), "include b.conf\n");
        Files.writeString(dir.resolve("b.conf"), "port: 1\ninclude \"a.conf\"\n");
        Files.writeString(dir.resolve("bad.conf"), "authorization {\n  token: \"abc\n");

        ConfigException cycle = assertThrows(ConfigException.class, () -> parser.parseFile(dir.resolve("a.conf")));
        assertTrue(cycle.getMessage().contains("include cycle: a.conf -> b.conf -> a.conf"), cycle.getMessage());

        ConfigException missing = assertThrows(ConfigException.class,
                () -> parser.parseString("port: 1\ninclude nope.conf", dir));
        assertTrue(missing.getMessage().startsWith("<string>:2:1: cannot read include file \"nope.conf\""),
                missing.getMessage());
        assertTrue(missing.getMessage().endsWith("no such file"), missing.getMessage());

        ConfigException inner = assertThrows(ConfigException.class,
                () -> parser.parseString("include bad.conf", dir));
        assertEquals(dir.resolve("bad.conf") + ":2:10: unterminated string: no closing \" before the end of input"
                + " (included from <string>:1:1)", inner.getMessage());
    }

    @Test
    void aMissingFile(@TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> parser.parseFile(dir.resolve("none.conf")));
        assertEquals("cannot read configuration file " + dir.resolve("none.conf") + ": no such file",
                e.getMessage());
    }

    // ---- syntax errors ------------------------------------------------------------------------------------------

    static Stream<Arguments> syntaxErrors() {
        return Stream.of(
                Arguments.of("port: 4222 debug: true", "1:12: expected a new line, ',' or ';' after the value of \"port\","
                        + " found 'd'"),
                Arguments.of("port:\n4222", "1:6: expected a value for \"port\", found new line"),
                Arguments.of("port: # none\n", "1:7: expected a value for \"port\", found a comment"),
                Arguments.of("\n\nport", "3:5: expected a value for \"port\", found end of input"),
                Arguments.of("a {\n  b: 1\n", "1:3: '{' is not closed before the end of input"),
                Arguments.of("a {\n  b: 1\n}\n}\n", "4:1: unexpected '}' with no matching '{'"),
                Arguments.of("a: [1,\n 2\n", "1:4: '[' is not closed before the end of input"),
                Arguments.of("a: [1,,2]", "1:7: unexpected ',' in a list: expected a value or ']'"),
                Arguments.of("a: [1 2]", "1:7: expected ',' or ']' after a list value, found '2'"),
                Arguments.of("a: [1; 2]", "1:6: expected ',' or ']' after a list value, found ';'"),
                Arguments.of("x: 1\nname: \"abc\n", "2:7: unterminated string: no closing \" before the end of input"),
                Arguments.of("name: 'abc", "1:7: unterminated string: no closing ' before the end of input"),
                Arguments.of("name: \"a\\qb\"",
                        "1:10: invalid escape character 'q'; allowed: \\xXX, \\t, \\n, \\r, \\\", \\\\"),
                Arguments.of("name: \"a\\x4\"", "1:10: invalid \\x escape: expected two hexadecimal digits"),
                Arguments.of("name: -abc", "1:7: expected a digit after '-' in \"-abc\""),
                Arguments.of("n: 99999999999999999999", "1:4: integer \"99999999999999999999\" is out of range"),
                Arguments.of("n: 9EB", "1:4: integer \"9EB\" is out of range"),
                Arguments.of("a {\n  b: 1 c: 2\n}", "2:8: expected a new line, ',' or ';' after the value of \"b\", found 'c'"),
                Arguments.of("[1]", "1:1: expected a key, found '['"),
                Arguments.of("{\"port\": 1} extra", "1:13: unexpected 'e' after the '}' that closes the document"),
                Arguments.of("a: ]", "1:4: expected a value for \"a\", found ']'"),
                Arguments.of("a: " + "[".repeat(100), "1:" + (4 + 64) + ": blocks and lists are nested more than 64 deep"));
    }

    @ParameterizedTest
    @MethodSource("syntaxErrors")
    void syntaxErrorsNameLineAndColumn(String text, String expected) {
        ConfigException e = error(text);
        assertEquals("<string>:" + expected, e.getMessage());
        String[] position = expected.split(":", 3);
        assertEquals(Integer.parseInt(position[0]), e.line());
        assertEquals(Integer.parseInt(position[1]), e.column());
        assertEquals("<string>", e.source());
    }

    @Test
    void syntaxErrorsInAFileNameTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("nats.conf");
        Files.writeString(file, "port: 4222\n\nauthorization {\n  token: abc\n");
        ConfigException e = assertThrows(ConfigException.class, () -> parser.parseFile(file));
        assertEquals(file + ":3:15: '{' is not closed before the end of input", e.getMessage());
    }

    @Test
    void emptyDocuments() {
        assertTrue(parse("").isEmpty());
        assertTrue(parse("# only a comment\n\n// and another\n").isEmpty());
        assertTrue(parse("{}").isEmpty());
        assertFalse(parse("a: {}").isEmpty());
    }
}
