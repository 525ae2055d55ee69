package io.meshery.broker.security;

import io.meshery.broker.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * A configured password or token: either the plain text, compared in constant time, or a bcrypt hash
 * ({@code $2a$11$...}, as {@code nats server passwd} makes), which the client's plain text is checked against.
 * {@link #toString()} never shows the secret.
 */
final class Secret {

    /** nats-server's test for a bcrypt hash: {@code $2}, an optional version letter, {@code $}, two digits, {@code $}. */
    private static final Pattern BCRYPT_PREFIX = Pattern.compile("^\\$2[abxy]?\\$\\d\\d\\$.*", Pattern.DOTALL);
    /** The whole hash: cost, then 22 characters of salt and 31 of hash in bcrypt's base64. */
    private static final Pattern BCRYPT = Pattern.compile("^\\$2[abxy]?\\$\\d\\d\\$[./A-Za-z0-9]{53}$");

    private final String value;
    private final boolean bcrypt;

    private Secret(String value, boolean bcrypt) {
        this.value = value;
        this.bcrypt = bcrypt;
    }

    /**
     * A secret as written in the configuration under {@code key}.
     *
     * @throws ConfigException when it is empty, or looks like a bcrypt hash but is not a valid one
     */
    static Secret of(String key, String configured) {
        if (configured.isEmpty()) {
            throw new ConfigException(key + ": must not be empty");
        }
        boolean bcrypt = BCRYPT_PREFIX.matcher(configured).matches();
        if (bcrypt && !BCRYPT.matcher(configured).matches()) {
            throw new ConfigException(key + ": not a valid bcrypt hash");
        }
        return new Secret(configured, bcrypt);
    }

    /** Whether checking costs a bcrypt computation (tens to hundreds of milliseconds): run it off the I/O threads. */
    boolean isBcrypt() {
        return bcrypt;
    }

    /** Whether the client's {@code given} text (null when it sent none) is this secret. */
    boolean matches(String given) {
        if (given == null) {
            return false;
        }
        if (bcrypt) {
            try {
                return OpenBSDBCrypt.checkPassword(value, given.toCharArray());
            } catch (IllegalArgumentException e) {
                return false; // e.g. a password longer than bcrypt's 72 bytes
            }
        }
        return MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return bcrypt ? "Secret[bcrypt]" : "Secret[plain]";
    }
}
