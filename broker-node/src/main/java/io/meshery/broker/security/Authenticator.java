package io.meshery.broker.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshery.broker.config.ConfigException;
import io.meshery.broker.config.ConfigValues;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks the credentials a client sends in {@code CONNECT} against the {@code authorization} block of nats.conf.
 * Exactly one mode is configured:
 *
 * <ul>
 *   <li>a token: {@code authorization { token: "s3cr3t" }}; the client sends {@code auth_token};</li>
 *   <li>one user: {@code authorization { user: alice, password: "pw" }};</li>
 *   <li>several users, each with optional {@code permissions}:
 *       {@code authorization { users = [ {user: alice, password: "pw", permissions: {...}} ] }}, plus
 *       {@code default_permissions} for users without their own; the list may also come from a JSON file,
 *       {@code users_file: "users.json"} holding {@code {"users":[{"user":..,"password":..}]}} (the auth Secret's
 *       format; {@code {"token":..}} is accepted too), read relative to the configuration file.</li>
 * </ul>
 *
 * <p>Passwords and tokens may be bcrypt hashes. A block with none of these (say only {@code timeout}) turns
 * authentication off, as in nats-server. Immutable and thread-safe; {@link #authenticate} may take a bcrypt
 * computation's time when {@link #isSlow()}.
 */
public final class Authenticator {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Who a client proved to be: a user name (null for a token) and what it may do (null: everything). */
    public record Identity(String user, Permissions permissions) {
        /** As nats-server names a client in its logs; never shows a secret. */
        public String describe() {
            return user == null ? "Token" : "User \"" + user + "\"";
        }
    }

    private record Account(Secret password, Permissions permissions) {
    }

    private final Secret token;
    private final String user;
    private final Secret password;
    private final Map<String, Account> users;
    private final boolean slow;

    private Authenticator(Secret token, String user, Secret password, Map<String, Account> users) {
        this.token = token;
        this.user = user;
        this.password = password;
        this.users = users;
        boolean anyBcrypt = (token != null && token.isBcrypt()) || (password != null && password.isBcrypt());
        if (users != null) {
            for (Account a : users.values()) {
                anyBcrypt |= a.password().isBcrypt();
            }
        }
        this.slow = anyBcrypt;
    }

    /** Whether clients identify by user name out of a list (nats-server then names them in auth errors). */
    public boolean hasUserList() {
        return users != null;
    }

    /** Whether a check may cost a bcrypt computation; the caller should not run it on an I/O thread then. */
    public boolean isSlow() {
        return slow;
    }

    /**
     * The identity proven by the credentials of a CONNECT, or null when they prove nothing.
     *
     * @param clientUser {@code user}, or null
     * @param clientPass {@code pass}, or null
     * @param clientToken {@code auth_token}, or null
     */
    public Identity authenticate(String clientUser, String clientPass, String clientToken) {
        if (token != null) {
            return token.matches(clientToken) ? new Identity(null, null) : null;
        }
        if (users == null) {
            return user.equals(clientUser) && password.matches(clientPass) ? new Identity(user, null) : null;
        }
        Account account = clientUser == null ? null : users.get(clientUser);
        if (account == null || !account.password().matches(clientPass)) {
            return null;
        }
        return new Identity(clientUser, account.permissions());
    }

    // ---- reading the configuration ------------------------------------------------------------------------

    /**
     * The authenticator an {@code authorization} block asks for, or null when it configures no credentials.
     *
     * @param baseDir where a relative {@code users_file} is looked up (the configuration file's directory)
     * @throws ConfigException naming the key when something is missing, unknown, invalid or contradictory
     */
    public static Authenticator fromConfig(Map<String, Object> block, Path baseDir) {
        String user = null;
        String pass = null;
        String token = null;
        Object usersValue = null;
        Object defaultPermissions = null;
        String usersFile = null;
        for (Map.Entry<String, Object> e : block.entrySet()) {
            String key = "authorization." + e.getKey();
            Object v = e.getValue();
            switch (e.getKey().toLowerCase(Locale.ROOT)) {
                case "user", "username" -> user = ConfigValues.string(key, v);
                case "pass", "password" -> pass = ConfigValues.secret(key, v);
                case "token" -> token = ConfigValues.secret(key, v);
                case "users" -> usersValue = v;
                case "default_permission", "default_permissions", "permissions" -> defaultPermissions = v;
                case "users_file" -> usersFile = ConfigValues.string(key, v);
                case "timeout" -> { } // read by BrokerOptions as the auth timeout
                default -> throw new ConfigException(key + ": not supported; authorization takes token, user and "
                    + "password, users, default_permissions, users_file and timeout");
            }
        }
        Permissions defaults = defaultPermissions == null ? null
            : Permissions.parse("authorization.default_permissions", defaultPermissions);
        Map<String, Account> users = null;
        if (usersValue != null) {
            users = new LinkedHashMap<>();
            readUsers("authorization.users", usersValue, defaults, users);
        }
        if (usersFile != null) {
            Map<String, Object> file = readUsersFile(baseDir.resolve(usersFile));
            String where = "authorization.users_file (" + usersFile + ")";
            for (String k : file.keySet()) {
                if (!k.equals("users") && !k.equals("token")) {
                    throw new ConfigException(where + ": unknown key \"" + k + "\"; expected \"users\" or \"token\"");
                }
            }
            if (file.containsKey("users")) {
                users = users == null ? new LinkedHashMap<>() : users;
                readUsers(where + ": users", file.get("users"), defaults, users);
            }
            if (file.containsKey("token")) {
                if (token != null) {
                    throw new ConfigException(where + ": a token is configured twice");
                }
                token = ConfigValues.secret(where + ": token", file.get("token"));
            }
        }
        if (token != null && (user != null || pass != null || users != null)) {
            throw new ConfigException("authorization: a token cannot be combined with user, password or users");
        }
        if (user != null && users != null) {
            throw new ConfigException("authorization: a single user cannot be combined with a users list");
        }
        if ((user == null) != (pass == null)) {
            throw new ConfigException("authorization: user and password go together");
        }
        if (token != null) {
            return new Authenticator(Secret.of("authorization.token", token), null, null, null);
        }
        if (user != null) {
            if (user.isEmpty()) {
                throw new ConfigException("authorization.user: must not be empty");
            }
            return new Authenticator(null, user, Secret.of("authorization.password", pass), null);
        }
        if (users != null) {
            if (users.isEmpty()) {
                throw new ConfigException("authorization.users: no users given");
            }
            return new Authenticator(null, null, null, Map.copyOf(users));
        }
        return null;
    }

    private static void readUsers(String key, Object value, Permissions defaults, Map<String, Account> into) {
        if (!(value instanceof List<?> list)) {
            throw new ConfigException(key + ": expected a list of users");
        }
        for (int i = 0; i < list.size(); i++) {
            String at = key + "[" + i + "]";
            String name = null;
            String password = null;
            Permissions permissions = null;
            for (Map.Entry<String, Object> e : ConfigValues.block(at, list.get(i)).entrySet()) {
                String k = at + "." + e.getKey();
                switch (e.getKey().toLowerCase(Locale.ROOT)) {
                    case "user", "username" -> name = ConfigValues.string(k, e.getValue());
                    case "pass", "password" -> password = ConfigValues.secret(k, e.getValue());
                    case "permission", "permissions", "authorization" ->
                        permissions = Permissions.parse(k, e.getValue());
                    default -> throw new ConfigException(k + ": not supported; a user takes user, password and "
                        + "permissions");
                }
            }
            if (name == null || name.isEmpty() || password == null) {
                throw new ConfigException(at + ": needs a user and a password");
            }
            if (into.containsKey(name)) {
                throw new ConfigException(at + ": user \"" + name + "\" is configured twice");
            }
            Secret secret = Secret.of(at + ".password", password);
            into.put(name, new Account(secret, permissions != null ? permissions : defaults));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> readUsersFile(Path file) {
        String where = "authorization.users_file";
        Object root;
        try {
            root = JSON.readValue(Files.readAllBytes(file), Object.class);
        } catch (JsonProcessingException e) {
            // not Jackson's message: it quotes the text around the fault, which may be a password
            var at = e.getLocation();
            throw new ConfigException(where + ": " + file + " is not valid JSON"
                + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw new ConfigException(where + ": cannot read " + file + ": " + e.getClass().getSimpleName());
        }
        if (!(root instanceof Map)) {
            throw new ConfigException(where + ": " + file + " must hold a JSON object");
        }
        return (Map<String, Object>) root;
    }
}
