package dev.stacyvm.gateway.service;

import dev.stacyvm.gateway.config.GatewayConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals registry secrets at rest with AES-256-GCM (NIST SP 800-38D): a fresh 12-byte nonce each
 * time, a 128-bit tag, and the connection's id, tenant, registry and username as associated data,
 * so a sealed secret copied onto another row, or a row whose registry was changed to send it
 * elsewhere, does not open. The key is SHA-256 of {@code stacyvm.gateway.registry-secrets-key}
 * (a random secret the launcher generates); sealed bytes are {@code nonce || ciphertext || tag}.
 */
@ApplicationScoped
public class RegistrySecrets {

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecureRandom random = new SecureRandom();
    private final SecretKeySpec key;

    @Inject
    public RegistrySecrets(GatewayConfig config) {
        this(config.registrySecretsKey());
    }

    RegistrySecrets(String secret) {
        if (secret == null || secret.length() < 16) {
            throw new IllegalStateException("stacyvm.gateway.registry-secrets-key must be at least 16 characters");
        }
        try {
            byte[] derived = MessageDigest.getInstance("SHA-256")
                    .digest(("stacyvm registry secrets v1\0" + secret).getBytes(StandardCharsets.UTF_8));
            key = new SecretKeySpec(derived, "AES");
        } catch (GeneralSecurityException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** What a sealed secret is bound to: the connection's id, tenant, registry and username. */
    public static String binding(String id, String tenant, String registry, String username) {
        return id + "\0" + tenant + "\0" + registry + "\0" + username;
    }

    /** {@code secret} sealed for {@code binding} ({@link #binding}). */
    public byte[] seal(String binding, String secret) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        try {
            Cipher cipher = cipher(Cipher.ENCRYPT_MODE, nonce, binding);
            byte[] sealed = cipher.doFinal(secret.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException failed) {
            throw new IllegalStateException("sealing a registry secret failed", failed);
        }
    }

    /**
     * The secret sealed for {@code binding}.
     *
     * @throws IllegalStateException when it was sealed under another key or for another binding, or was altered
     */
    public String open(String binding, byte[] sealed) {
        try {
            Cipher cipher = cipher(Cipher.DECRYPT_MODE, java.util.Arrays.copyOf(sealed, NONCE_BYTES), binding);
            byte[] plain = cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | RuntimeException failed) {
            throw new IllegalStateException("a registry connection's secret does not open under this gateway's "
                    + "registry-secrets-key for its row (the key changed, or the row was altered)", failed);
        }
    }

    private Cipher cipher(int mode, byte[] nonce, String binding) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
        cipher.updateAAD(binding.getBytes(StandardCharsets.UTF_8));
        return cipher;
    }
}
