package io.meshery.broker.security;

import io.meshery.broker.config.ConfigException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads PEM files as nats-server's {@code tls} block names them: certificate chains, and unencrypted private keys
 * in PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA PRIVATE KEY}) or SEC 1
 * ({@code BEGIN EC PRIVATE KEY}) form. Errors name the key and the file, never key material.
 */
final class PemFiles {

    private PemFiles() {
    }

    static List<X509Certificate> certificates(String key, Path file) {
        List<X509Certificate> certs = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (var c : factory.generateCertificates(in)) {
                certs.add((X509Certificate) c);
            }
        } catch (IOException e) {
            throw unreadable(key, file, e);
        } catch (CertificateException e) {
            throw new ConfigException(key + ": " + file + " does not hold PEM certificates");
        }
        if (certs.isEmpty()) {
            throw new ConfigException(key + ": " + file + " does not hold any certificate");
        }
        return certs;
    }

    static PrivateKey privateKey(String key, Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
             PEMParser pem = new PEMParser(reader)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o = pem.readObject(); o != null; o = pem.readObject()) {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    // only the private half: an EC key's public half is optional in SEC 1
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (o.getClass().getSimpleName().contains("Encrypted")) {
                    throw new ConfigException(key + ": " + file + " holds an encrypted key; nats-server, and this "
                        + "broker, need it unencrypted");
                }
            }
        } catch (IOException e) {
            throw unreadable(key, file, e);
        }
        throw new ConfigException(key + ": " + file + " does not hold a PEM private key");
    }

    private static ConfigException unreadable(String key, Path file, IOException e) {
        if (e instanceof PEMException) {
            return new ConfigException(key + ": " + file + " holds a PEM object that is not a usable key");
        }
        return new ConfigException(key + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
    }
}
