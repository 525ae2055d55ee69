package io.meshery.broker.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SubjectsTest {

    @ParameterizedTest
    @CsvSource({
        "foo,true,true", "foo.bar,true,true", "foo.*,true,false", "foo.>,true,false", ">,true,false",
        "*.*,true,false", "foo*.bar,true,true", "foo.>.bar,false,false", "foo.,false,false", ".foo,false,false",
        "foo..bar,false,false", "'foo bar',false,false", "'foo\tbar',false,false", "$JS.API.INFO,true,true",
        "_INBOX.abc.*,true,false"})
    void validates(String subject, boolean subscribable, boolean literal) {
        assertEquals(subscribable, Subjects.isValidSubscribe(subject), "subscribe " + subject);
        assertEquals(literal, Subjects.isValidLiteral(subject), "literal " + subject);
    }

    @ParameterizedTest
    @CsvSource({
        "foo,foo,true", "foo,bar,false", "foo.*,foo.bar,true", "foo.*,foo,false", "foo.*,foo.bar.baz,false",
        "foo.>,foo.bar.baz,true", "foo.>,foo,false", ">,a.b.c,true", "*.b,a.b,true", "*.b,a.c,false",
        "a.*.c,a.b.c,true", "a.*.c,a.b.d,false", "foo.bar,foo.barx,false", "foo.barx,foo.bar,false"})
    void matches(String pattern, String subject, boolean expected) {
        assertEquals(expected, Subjects.matches(pattern, subject));
    }
}
