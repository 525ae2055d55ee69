package io.meshery.broker.operator.model;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** users.json as the node reads it (broker-node's security.Authenticator, authorization.users_file). */
class UsersFileTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"users\":[{\"user\":\"meshery\",\"password\":\"p\"}]}",
            "{\"users\":[{\"user\":\"a\",\"password\":\"$2a$11$"
                    + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"},"
                    + "{\"username\":\"b\",\"pass\":\"q\",\"permissions\":{\"publish\":[\"meshery.>\"]}}]}",
            "{\"token\":\"t0k\"}"})
    void acceptsWhatTheNodeAccepts(String json) {
        assertDoesNotThrow(() -> UsersFile.check(json, "s"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "[]", "{}", "{\"users\":[]}", "{\"users\":[{\"user\":\"a\"}]}",
            "{\"users\":[{\"password\":\"p\"}]}", "{\"users\":[{\"user\":\"a\",\"password\":\"\"}]}",
            "{\"users\":[{\"user\":\"a\",\"password\":\"p\",\"permissions\":\"all\"}]}",
            "{\"users\":[{\"user\":\"a\",\"password\":\"p\",\"account\":\"x\"}]}", "{\"token\":\"t\",\"users\":[]}",
            "{\"token\":\"\"}", "{\"token\":7}",
            "{\"users\":[{\"user\":\"a\",\"password\":\"p\"},{\"user\":\"a\",\"password\":\"q\"}]}",
            "{\"accounts\":{}}", "{\"users\":[\"a\"]}", "{\"token\":\"$2a$11$tooShort\"}"})
    void refusesWhatTheNodeWouldRefuseAtStartup(String json) {
        InvalidBrokerException e = assertThrows(InvalidBrokerException.class, () -> UsersFile.check(json, "s"));
        assertEquals(InvalidBrokerException.SECRET_INVALID, e.reason());
    }

    @Test
    void messagesNeverQuoteTheSecret() {
        InvalidBrokerException e = assertThrows(InvalidBrokerException.class,
                () -> UsersFile.check("{\"users\": [{\"user\": \"a\", \"password\": hunter2}]}", "s"));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
        e = assertThrows(InvalidBrokerException.class, () -> UsersFile.check("{\"token\":\"$2a$11$hunter2\"}", "s"));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }
}
