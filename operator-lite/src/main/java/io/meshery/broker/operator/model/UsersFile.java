package io.meshery.broker.operator.model;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks the users.json of the auth Secret before the pods are pointed at it. The node reads the file itself
 * ({@code authorization { users_file: ... }}, see broker-node's {@code security.Authenticator}); this check
 * applies the node's rules up front, so a broken Secret is reported in the Broker's status (SecretInvalid) and
 * the running pods are left alone, instead of new pods crash-looping on it.
 *
 * <p>Accepted, as the node accepts it: {@code {"users":[{"user":"u","password":"p","permissions":{...}}, ...]}}
 * (aliases {@code username}, {@code pass}, {@code permission}; passwords may be bcrypt hashes) or
 * {@code {"token":"t"}}. The permissions object is passed through; the node checks its subjects.
 */
final class UsersFile {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Set<String> USER = Set.of("user", "username");
    private static final Set<String> PASSWORD = Set.of("password", "pass");
    private static final Set<String> PERMISSIONS = Set.of("permissions", "permission", "authorization");
    /** As the node: a value that starts like a bcrypt hash must be a whole one. */
    private static final Pattern BCRYPT_PREFIX = Pattern.compile("^\\$2[abxy]?\\$\\d\\d\\$.*", Pattern.DOTALL);
    private static final Pattern BCRYPT = Pattern.compile("^\\$2[abxy]?\\$\\d\\d\\$[./A-Za-z0-9]{53}$");

    private UsersFile() {}

    /**
     * @param json the Secret's value
     * @param source where it came from, for messages (never the content: it holds passwords)
     * @throws InvalidBrokerException with reason SecretInvalid, naming the first problem
     */
    static void check(String json, String source) throws InvalidBrokerException {
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
        for (String key : root.propertyNames()) {
            if (!key.equals("users") && !key.equals("token")) {
                throw invalid(source + ": unsupported key \"" + key + "\"; expected \"users\" or \"token\"");
            }
        }
        if (root.has("users") == root.has("token")) {
            throw invalid(source + " must have exactly one of \"users\" and \"token\"");
        }
        if (root.has("token")) {
            secret(source + ": \"token\"", root.get("token"));
            return;
        }
        JsonNode users = root.get("users");
        if (!users.isArray() || users.isEmpty()) {
            throw invalid(source + ": \"users\" must be a non-empty array");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < users.size(); i++) {
            String at = source + ": users[" + i + "]";
            JsonNode u = users.get(i);
            if (!u.isObject()) {
                throw invalid(at + " must be an object");
            }
            String user = null;
            JsonNode password = null;
            for (Map.Entry<String, JsonNode> e : u.properties()) {
                String key = e.getKey();
                if (USER.contains(key)) {
                    user = e.getValue().isString() ? e.getValue().asString() : null;
                } else if (PASSWORD.contains(key)) {
                    password = e.getValue();
                } else if (PERMISSIONS.contains(key)) {
                    if (!e.getValue().isObject()) {
                        throw invalid(at + ": \"" + key + "\" must be an object");
                    }
                } else {
                    throw invalid(at + ": unsupported key \"" + key + "\"; a user takes user, password and permissions");
                }
            }
            if (user == null || user.isEmpty()) {
                throw invalid(at + " needs a non-empty \"user\"");
            }
            secret(at + ": \"password\"", password);
            if (!seen.add(user)) {
                throw invalid(at + ": user \"" + user + "\" appears twice");
            }
        }
    }

    private static void secret(String what, JsonNode value) throws InvalidBrokerException {
        if (value == null || !value.isString() || value.asString().isEmpty()) {
            throw invalid(what + " must be a non-empty string");
        }
        String s = value.asString();
        if (BCRYPT_PREFIX.matcher(s).matches() && !BCRYPT.matcher(s).matches()) {
            throw invalid(what + " starts like a bcrypt hash but is not a valid one");
        }
    }

    private static InvalidBrokerException invalid(String problem) {
        return new InvalidBrokerException(InvalidBrokerException.SECRET_INVALID, List.of(problem));
    }
}
