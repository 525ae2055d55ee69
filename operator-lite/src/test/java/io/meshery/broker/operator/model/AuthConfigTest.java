package io.meshery.broker.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class AuthConfigTest {
  @Test
  void usersWithBcryptPasswordsStayQuoted() throws Exception {
    String conf = AuthConfig.render("{\"users\":[{\"user\":\"a\",\"password\":\"$2a$11$abc\"},"
        + "{\"user\":\"b\",\"password\":\"p\\\\q\"}]}", "s");
    assertEquals("# Rendered by meshery-broker operator-lite from s.\nauthorization {\n  users = [\n"
        + "    {user: \"a\", password: \"$2a$11$abc\"}\n    {user: \"b\", password: \"p\\\\q\"}\n  ]\n}\n", conf);
  }

  @Test
  void token() throws Exception {
    assertTrue(AuthConfig.render("{\"token\":\"t0k\"}", "s").contains("authorization {\n  token: \"t0k\"\n}"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"not json", "[]", "{}", "{\"users\":[]}", "{\"users\":[{\"user\":\"a\"}]}",
      "{\"users\":[{\"user\":\"a\",\"password\":\"p\",\"permissions\":{}}]}", "{\"token\":\"t\",\"users\":[]}",
      "{\"token\":\"\"}", "{\"users\":[{\"user\":\"a\",\"password\":\"p\"},{\"user\":\"a\",\"password\":\"q\"}]}",
      "{\"accounts\":{}}"})
  void refusesWhatItCannotRenderFaithfully(String json) {
    InvalidBrokerException e = assertThrows(InvalidBrokerException.class, () -> AuthConfig.render(json, "s"));
    assertEquals(InvalidBrokerException.SECRET_INVALID, e.reason());
  }

  @Test
  void parseErrorsDoNotQuoteTheSecret() {
    InvalidBrokerException e = assertThrows(InvalidBrokerException.class,
        () -> AuthConfig.render("{\"users\": [{\"user\": \"a\", \"password\": hunter2}]}", "s"));
    assertTrue(!e.getMessage().contains("hunter2"), e.getMessage());
    assertTrue(e.getMessage().contains("line 1"), e.getMessage());
  }

  @Test
  void quoteEscapes() {
    assertEquals("\"a\\\"b\\\\c\\nd\"", NatsConf.quote("a\"b\\c\nd"));
  }
}
