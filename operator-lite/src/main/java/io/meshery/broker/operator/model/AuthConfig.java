package io.meshery.broker.operator.model;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns the users.json of the auth Secret into an nats.conf {@code authorization} block. The block is written
 * to an operator-owned Secret, never to the ConfigMap, so passwords and tokens stay in Secrets.
 *
 * <p>Accepted JSON: {@code {"users":[{"user":"u","password":"p"}, ...]}} (passwords may be bcrypt hashes) or
 * {@code {"token":"t"}}. Any other key is refused rather than ignored, so that a permission the node would not
 * enforce is never silently dropped.
 */
final class AuthConfig {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Set<String> USER_KEYS = Set.of("user", "password");

  private AuthConfig() {}

  static String render(String json, String source) throws InvalidBrokerException {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JacksonException e) {
      // not the parser's message: it quotes the offending text, which may be a password
      var at = e.getLocation();
      throw invalid(source + " is not JSON" + (at == null ? "" : " (line " + at.getLineNr() + ", column "
          + at.getColumnNr() + ")"));
    }
    if (root == null || !root.isObject()) {
      throw invalid(source + " must be a JSON object with \"users\" or \"token\"");
    }
    boolean hasUsers = root.has("users");
    boolean hasToken = root.has("token");
    for (Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator(); it.hasNext(); ) {
      String key = it.next().getKey();
      if (!key.equals("users") && !key.equals("token")) {
        throw invalid(source + ": unsupported key \"" + key + "\"");
      }
    }
    if (hasUsers == hasToken) {
      throw invalid(source + " must have exactly one of \"users\" and \"token\"");
    }
    NatsConf conf = new NatsConf().comment("Rendered by meshery-broker operator-lite from " + source + ".");
    conf.open("authorization");
    if (hasToken) {
      String token = text(root.get("token"));
      if (token == null || token.isEmpty()) {
        throw invalid(source + ": \"token\" must be a non-empty string");
      }
      conf.string("token", token);
    } else {
      JsonNode users = root.get("users");
      if (!users.isArray() || users.isEmpty()) {
        throw invalid(source + ": \"users\" must be a non-empty array");
      }
      List<String> lines = new ArrayList<>();
      Set<String> seen = new java.util.HashSet<>();
      for (int i = 0; i < users.size(); i++) {
        JsonNode u = users.get(i);
        if (!u.isObject()) {
          throw invalid(source + ": users[" + i + "] must be an object");
        }
        for (String key : u.propertyNames()) {
          if (!USER_KEYS.contains(key)) {
            throw invalid(source + ": users[" + i + "]: unsupported key \"" + key + "\"");
          }
        }
        String user = text(u.get("user"));
        String password = text(u.get("password"));
        if (user == null || user.isEmpty() || password == null || password.isEmpty()) {
          throw invalid(source + ": users[" + i + "] needs a non-empty \"user\" and \"password\"");
        }
        if (!seen.add(user)) {
          throw invalid(source + ": user \"" + user + "\" appears twice");
        }
        lines.add("{user: " + NatsConf.quote(user) + ", password: " + NatsConf.quote(password) + "}");
      }
      conf.line("users = [");
      for (String l : lines) {
        conf.line("  " + l);
      }
      conf.line("]");
    }
    return conf.close().toString();
  }

  private static String text(JsonNode n) {
    return n != null && n.isString() ? n.asString() : null;
  }

  private static InvalidBrokerException invalid(String problem) {
    return new InvalidBrokerException(InvalidBrokerException.SECRET_INVALID, List.of(problem));
  }
}
