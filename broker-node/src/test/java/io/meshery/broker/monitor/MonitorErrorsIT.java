package io.meshery.broker.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad query values get HTTP 400 and, word for word, the text nats-server 2.9.10 answers (each row was
 * checked against it with curl).
 */
class MonitorErrorsIT {

    @RegisterExtension
    static final MonitorHttp http = MonitorHttp.node(s -> s);

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "/connz?limit=x | Error decoding int for 'limit': strconv.Atoi: parsing \"x\": invalid syntax",
        "/connz?offset=x | Error decoding int for 'offset': strconv.Atoi: parsing \"x\": invalid syntax",
        "/connz?limit=+3 | Error decoding int for 'limit': strconv.Atoi: parsing \" 3\": invalid syntax",
        "/connz?limit=99999999999999999999 | Error decoding int for 'limit': strconv.Atoi: parsing "
            + "\"99999999999999999999\": value out of range",
        "/connz?cid=x | Error decoding uint64 for 'cid': strconv.ParseUint: parsing \"x\": invalid syntax",
        "/connz?cid=-1 | Error decoding uint64 for 'cid': strconv.ParseUint: parsing \"-1\": invalid syntax",
        "/connz?state=x | Error decoding state for x",
        "/connz?sort=bogus | invalid sorting option: bogus",
        "/connz?sort=CID | invalid sorting option: CID",
        "/connz?sort=stop | sort by stop only valid on closed connections",
        "/connz?sort=reason&state=any | sort by reason only valid on closed connections",
        "/connz?subs=x | Error decoding boolean for 'subs': strconv.ParseBool: parsing \"x\": invalid syntax",
        "/connz?auth=x | Error decoding boolean for 'auth': strconv.ParseBool: parsing \"x\": invalid syntax",
        "/connz?sort=bogus&state=x | Error decoding state for x",
        "/connz?state=x&limit=x | Error decoding int for 'limit': strconv.Atoi: parsing \"x\": invalid syntax",
        "/subsz?subs=x | Error decoding boolean for 'subs': strconv.ParseBool: parsing \"x\": invalid syntax",
        "/subsz?subs=detail | Error decoding boolean for 'subs': strconv.ParseBool: parsing \"detail\": "
            + "invalid syntax",
        "/subsz?limit=x | Error decoding int for 'limit': strconv.Atoi: parsing \"x\": invalid syntax",
        "/subsz?offset=x | Error decoding int for 'offset': strconv.Atoi: parsing \"x\": invalid syntax",
        "/subsz?test=foo.* | invalid test subject, must be valid publish subject: foo.*",
        "/subscriptionsz?test=foo.> | invalid test subject, must be valid publish subject: foo.>",
        "/routez?subs=x | Error decoding boolean for 'subs': strconv.ParseBool: parsing \"x\": invalid syntax",
        "/leafz?subs=x | Error decoding boolean for 'subs': strconv.ParseBool: parsing \"x\": invalid syntax",
        "/gatewayz?accs=x | Error decoding boolean for 'accs': strconv.ParseBool: parsing \"x\": invalid syntax",
        "/healthz?js-enabled-only=x | Error decoding boolean for 'js-enabled-only': strconv.ParseBool: parsing "
            + "\"x\": invalid syntax",
        "/healthz?js-server-only=x | Error decoding boolean for 'js-server-only': strconv.ParseBool: parsing "
            + "\"x\": invalid syntax",
        "/jsz?accounts=x | Error decoding boolean for 'accounts': strconv.ParseBool: parsing \"x\": invalid syntax",
        "/jsz?streams=x | Error decoding boolean for 'streams': strconv.ParseBool: parsing \"x\": invalid syntax",
        "/jsz?config=x | Error decoding boolean for 'config': strconv.ParseBool: parsing \"x\": invalid syntax",
        "/jsz?leader-only=x | Error decoding boolean for 'leader-only': strconv.ParseBool: parsing \"x\": "
            + "invalid syntax",
        "/jsz?limit=x | Error decoding int for 'limit': strconv.Atoi: parsing \"x\": invalid syntax",
    })
    void badValueIsRefusedWithNatsServersText(String pathAndQuery, String text) {
        MonitorHttp.Response r = http.get(pathAndQuery.replace(">", "%3E").replace("*", "%2A"));
        assertEquals(400, r.status(), r.body());
        assertTrue(r.contentType().startsWith("text/plain"), r.contentType());
        assertEquals(text, r.body());
    }
}
