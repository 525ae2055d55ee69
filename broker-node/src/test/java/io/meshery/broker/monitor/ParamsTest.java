package io.meshery.broker.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.pekko.http.javadsl.model.Query;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Query decoding with Go's rules and nats-server's texts; the texts were taken from nats-server 2.9.10. */
class ParamsTest {

    private static Params params(String rawQuery) {
        return new Params(Query.create(rawQuery));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "t", "T", "true", "TRUE", "True"})
    void goTrueSpellings(String v) {
        assertTrue(params("subs=" + v).bool("subs"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "f", "F", "false", "FALSE", "False", ""})
    void goFalseSpellingsAndEmpty(String v) {
        assertFalse(params("subs=" + v).bool("subs"));
    }

    @Test
    void badBooleanSaysWhatGoSays() {
        var e = assertThrows(Params.BadRequest.class, () -> params("auth=yes").bool("auth"));
        assertEquals("Error decoding boolean for 'auth': strconv.ParseBool: parsing \"yes\": invalid syntax",
            e.getMessage());
    }

    @Test
    void integersAsAtoiReadsThem() {
        assertEquals(1024, params("").integer("limit", 1024));
        assertEquals(7, params("limit=7").integer("limit", 1024));
        assertEquals(-7, params("limit=-7").integer("limit", 1024));
        assertEquals(7, params("limit=%2B7").integer("limit", 1024));
        assertEquals(Integer.MAX_VALUE, params("limit=9223372036854775807").integer("limit", 1024));
        assertEquals("Error decoding int for 'limit': strconv.Atoi: parsing \"1.5\": invalid syntax",
            assertThrows(Params.BadRequest.class, () -> params("limit=1.5").integer("limit", 0)).getMessage());
        assertEquals("Error decoding int for 'offset': strconv.Atoi: parsing \"9223372036854775808\": "
            + "value out of range", assertThrows(Params.BadRequest.class,
                () -> params("offset=9223372036854775808").integer("offset", 0)).getMessage());
    }

    @Test
    void connectionIdsAreUnsigned() {
        assertEquals(0, params("").uint64("cid"));
        assertEquals(12, params("cid=12").uint64("cid"));
        assertEquals("Error decoding uint64 for 'cid': strconv.ParseUint: parsing \"-1\": invalid syntax",
            assertThrows(Params.BadRequest.class, () -> params("cid=-1").uint64("cid")).getMessage());
        assertEquals("Error decoding uint64 for 'cid': strconv.ParseUint: parsing \"18446744073709551616\": "
            + "value out of range", assertThrows(Params.BadRequest.class,
                () -> params("cid=18446744073709551616").uint64("cid")).getMessage());
    }

    @Test
    void statesInAnyCase() {
        assertEquals(Params.State.OPEN, params("").state());
        assertEquals(Params.State.OPEN, params("state=Open").state());
        assertEquals(Params.State.CLOSED, params("state=CLOSED").state());
        assertEquals(Params.State.ANY, params("state=any").state());
        assertEquals(Params.State.ANY, params("state=ALL").state());
        assertEquals("Error decoding state for x",
            assertThrows(Params.BadRequest.class, () -> params("state=x").state()).getMessage());
    }

    @Test
    void subsIsABooleanOrDetail() {
        assertEquals(Params.Subs.NONE, params("").subs());
        assertEquals(Params.Subs.LIST, params("subs=1").subs());
        assertEquals(Params.Subs.DETAIL, params("subs=DETAIL").subs());
        assertThrows(Params.BadRequest.class, () -> params("subs=details").subs());
    }

    @Test
    void quotingEscapesAsStrconvQuoteDoes() {
        assertEquals("\"a\\\"b\\\\c\\n\\x01\"", Params.quote("a\"b\\c\n\u0001"));
    }
}
