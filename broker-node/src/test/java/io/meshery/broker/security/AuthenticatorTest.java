package io.meshery.broker.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.config.ConfigException;
import io.meshery.broker.config.ConfigParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the authorization block and checking credentials, without sockets. */
class AuthenticatorTest {

    @TempDir
    Path dir;

    /** A bcrypt hash at the lowest cost, so the test stays fast. */
    static String bcrypt(String password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return OpenBSDBCrypt.generate("2a", password.toCharArray(), salt, 4);
    }

    private Authenticator read(String block) {
        Map<String, Object> doc = new ConfigParser(name -> null).parseString("authorization " + block).values();
        @SuppressWarnings("unchecked")
        Map<String, Object> auth = (Map<String, Object>) doc.get("authorization");
        return Authenticator.fromConfig(auth, dir);
    }

    @Test
    void tokenPlainAndBcrypt() {
        Authenticator plain = read("{ token: \"s3cr3t\" }");
        assertNotNull(plain.authenticate(null, null, "s3cr3t"));
        assertNull(plain.authenticate(null, null, "s3cr3"));
        assertNull(plain.authenticate("s3cr3t", "s3cr3t", null), "user and password do not stand for a token");
        assertFalse(plain.isSlow());

        Authenticator hashed = read("{ token: \"" + bcrypt("tok") + "\" }");
        assertTrue(hashed.isSlow());
        assertNotNull(hashed.authenticate(null, null, "tok"));
        assertNull(hashed.authenticate(null, null, "other"));
    }

    @Test
    void singleUser() {
        Authenticator a = read("{ user: alice, password: secret, timeout: 1 }");
        Authenticator.Identity id = a.authenticate("alice", "secret", null);
        assertEquals("alice", id.user());
        assertNull(id.permissions());
        assertNull(a.authenticate("alice", "wrong", null));
        assertNull(a.authenticate("bob", "secret", null));
        assertNull(a.authenticate(null, null, null));
        assertFalse(a.hasUserList());
    }

    @Test
    void usersWithBcryptAndDefaultPermissions() {
        String hash = bcrypt("pass");
        Authenticator a = read("{ default_permissions: { publish: \"pub.>\" }, users = ["
            + "{ user: alice, password: secret, permissions: { publish: \"alice.>\" } },"
            + "{ user: bob, password: \"" + hash + "\" } ] }");
        assertTrue(a.hasUserList());
        assertTrue(a.authenticate("alice", "secret", null).permissions().canPublish("alice.x"));
        Authenticator.Identity bob = a.authenticate("bob", "pass", null);
        assertNotNull(bob);
        assertTrue(bob.permissions().canPublish("pub.x"), "default permissions apply to users without their own");
        assertFalse(bob.permissions().canPublish("alice.x"));
        assertNull(a.authenticate("bob", hash, null), "the hash itself is not the password");
        assertNull(a.authenticate("carl", "secret", null));
    }

    @Test
    void usersFileInTheAuthSecretFormat() throws Exception {
        Files.writeString(dir.resolve("users.json"),
            "{\"users\":[{\"user\":\"meshery\",\"password\":\"" + bcrypt("pw") + "\"},"
                + "{\"user\":\"sync\",\"password\":\"pw2\",\"permissions\":{\"subscribe\":[\"meshery.>\"]}}]}");
        Authenticator a = read("{ users_file: \"users.json\" }");
        assertNotNull(a.authenticate("meshery", "pw", null));
        assertFalse(a.authenticate("sync", "pw2", null).permissions().canSubscribe("other"));

        Files.writeString(dir.resolve("token.json"), "{\"token\":\"t0k\"}");
        assertNotNull(read("{ users_file: \"token.json\" }").authenticate(null, null, "t0k"));
    }

    @Test
    void noCredentialsMeansNoAuthentication() {
        assertNull(read("{ timeout: 3 }"));
    }

    @Test
    void contradictionsAndMistakesAreRefusedWithoutShowingSecrets() throws Exception {
        assertMessage("{ token: t, user: u, password: p }", "a token cannot be combined");
        assertMessage("{ user: u, password: p, users = [ {user: a, password: b} ] }", "cannot be combined");
        assertMessage("{ user: u }", "user and password go together");
        assertMessage("{ users = [ {user: a, password: b}, {user: a, password: c} ] }", "configured twice");
        assertMessage("{ users = [ {user: a, password: b, nkey: UABC} ] }", "authorization.users[0].nkey");
        assertMessage("{ nkeys: [] }", "authorization.nkeys: not supported");
        assertMessage("{ token: \"$2a$11$tooShort\" }", "not a valid bcrypt hash");
        assertMessage("{ users_file: \"missing.json\" }", "cannot read");

        Files.writeString(dir.resolve("broken.json"), "{\"users\":[{\"user\":\"a\",\"password\":\"hunter2\"");
        ConfigException e = assertThrows(ConfigException.class, () -> read("{ users_file: \"broken.json\" }"));
        assertTrue(e.getMessage().contains("not valid JSON"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    private void assertMessage(String block, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> read(block));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
