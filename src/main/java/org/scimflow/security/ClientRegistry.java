package org.scimflow.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.scimflow.config.ScimflowProperties;
import org.scimflow.config.SecretFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The configured API clients. Tokens are never held in clear: only their SHA-256, compared in
 * constant time against the hash of the presented token.
 */
@Component
public class ClientRegistry {

    private static final Logger log = LoggerFactory.getLogger(ClientRegistry.class);
    static final String BOOTSTRAP_FILE = "bootstrap-token";
    private final List<ApiClient> clients = new ArrayList<>();

    public ClientRegistry(ScimflowProperties props) {
        for (ScimflowProperties.Client c : props.getSecurity().getClients()) {
            if (c.getId() == null || c.getTokenSha256() == null) {
                throw new IllegalStateException("scimflow.security.clients entries need id and tokenSha256");
            }
            Set<String> roles = new LinkedHashSet<>();
            for (String r : c.getRoles()) {
                String role = r.toLowerCase(Locale.ROOT);
                if (!ApiClient.ALL_ROLES.contains(role)) {
                    throw new IllegalStateException("client " + c.getId() + ": unknown role " + r);
                }
                roles.add(role);
            }
            clients.add(new ApiClient(c.getId(), HexFormat.of().parseHex(c.getTokenSha256().trim()), Set.copyOf(roles)));
        }
        String bootstrap = props.getBootstrapToken();
        if (bootstrap != null && !bootstrap.isBlank()) {
            clients.add(new ApiClient("bootstrap", sha256(bootstrap), ApiClient.ALL_ROLES));
        } else if (clients.isEmpty()) {
            clients.add(new ApiClient("bootstrap", sha256(generatedToken(props.getDataDir())), ApiClient.ALL_ROLES));
        }
    }

    /** The client whose token hashes to the presented one, checking every client so timing reveals nothing. */
    public Optional<ApiClient> authenticate(String presentedToken) {
        byte[] presented = sha256(presentedToken);
        ApiClient match = null;
        for (ApiClient c : clients) {
            if (MessageDigest.isEqual(c.tokenSha256(), presented)) {
                match = c;
            }
        }
        return Optional.ofNullable(match);
    }

    public static byte[] sha256(String token) {
        return Sha256.of(token.getBytes(StandardCharsets.UTF_8));
    }

    /** First run without any client: make a token, keep it in data/bootstrap-token (0600), show it once. */
    private static String generatedToken(Path dataDir) {
        Path file = dataDir.resolve(BOOTSTRAP_FILE);
        try {
            if (Files.isRegularFile(file)) {
                return Files.readString(file).trim();
            }
            byte[] raw = new byte[32];
            new SecureRandom().nextBytes(raw);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
            SecretFiles.create(file, token + "\n");
            log.warn("No API client configured: generated a bootstrap token with every role, saved to {} "
                    + "(shown this once): {}", file.toAbsolutePath(), token);
            return token;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the bootstrap token in " + file, e);
        }
    }
}
