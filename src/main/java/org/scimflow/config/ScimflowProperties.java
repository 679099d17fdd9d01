package org.scimflow.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/** Typed view of the {@code scimflow.*} configuration keys. */
@ConfigurationProperties(prefix = "scimflow")
public class ScimflowProperties {

    private Path dataDir = Path.of("./data");
    private String bootstrapToken = "";
    private final Security security = new Security();
    private final Scim scim = new Scim();
    private final Audit audit = new Audit();
    private final Kafka kafka = new Kafka();
    private final EmbeddedPostgres embeddedPostgres = new EmbeddedPostgres();

    public Path getDataDir() { return dataDir; }
    public void setDataDir(Path dataDir) { this.dataDir = dataDir; }
    public String getBootstrapToken() { return bootstrapToken; }
    public void setBootstrapToken(String bootstrapToken) { this.bootstrapToken = bootstrapToken; }
    public Security getSecurity() { return security; }
    public Scim getScim() { return scim; }
    public Audit getAudit() { return audit; }
    public Kafka getKafka() { return kafka; }
    public EmbeddedPostgres getEmbeddedPostgres() { return embeddedPostgres; }

    /** External checkpoint folder: configured, else {@code <data-dir>/checkpoints}. */
    public Path checkpointDir() {
        Path d = audit.getCheckpoints().getDir();
        return d != null ? d : dataDir.resolve("checkpoints");
    }

    /** Where retention writes the archive of each partition before dropping it: configured, else {@code <data-dir>/archive}. */
    public Path archiveDir() {
        Path d = audit.getRetention().getArchiveDir();
        return d != null ? d : dataDir.resolve("archive");
    }

    /** Public keys folder: configured, else {@code <data-dir>/keys}. */
    public Path keysDir() {
        Path d = audit.getSigning().getKeysDir();
        return d != null ? d : dataDir.resolve("keys");
    }

    /** Configured API clients. */
    public static class Security {
        private List<Client> clients = new ArrayList<>();
        public List<Client> getClients() { return clients; }
        public void setClients(List<Client> clients) { this.clients = clients; }
    }

    /** One API client: the SHA-256 of its bearer token (hex) and its roles. */
    public static class Client {
        private String id;
        private String tokenSha256;
        private List<String> roles = new ArrayList<>();
        public String getId() { return id; }
        public void setId(String id) { this.id = id; }
        public String getTokenSha256() { return tokenSha256; }
        public void setTokenSha256(String tokenSha256) { this.tokenSha256 = tokenSha256; }
        public List<String> getRoles() { return roles; }
        public void setRoles(List<String> roles) { this.roles = roles; }
    }

    /** SCIM protocol limits. */
    public static class Scim {
        private String baseUrl = "";
        private int maxBodyBytes = 1_048_576;
        private int maxResults = 1000;
        private int defaultCount = 100;
        private int maxBulkOperations = 1000;
        private long filterScanRowLimit = 10_000;
        private List<Extension> extensions = new ArrayList<>();
        public int getMaxBulkOperations() { return maxBulkOperations; }
        public void setMaxBulkOperations(int maxBulkOperations) { this.maxBulkOperations = maxBulkOperations; }
        public long getFilterScanRowLimit() { return filterScanRowLimit; }
        public void setFilterScanRowLimit(long filterScanRowLimit) { this.filterScanRowLimit = filterScanRowLimit; }
        public List<Extension> getExtensions() { return extensions; }
        public void setExtensions(List<Extension> extensions) { this.extensions = extensions; }
        public String getBaseUrl() { return baseUrl; }
        public void setBaseUrl(String baseUrl) { this.baseUrl = baseUrl; }
        public int getMaxBodyBytes() { return maxBodyBytes; }
        public void setMaxBodyBytes(int maxBodyBytes) { this.maxBodyBytes = maxBodyBytes; }
        public int getMaxResults() { return maxResults; }
        public void setMaxResults(int maxResults) { this.maxResults = maxResults; }
        public int getDefaultCount() { return defaultCount; }
        public void setDefaultCount(int defaultCount) { this.defaultCount = defaultCount; }
    }

    /** A schema extension declared in configuration: its URN, the resource type it extends, its attributes. */
    public static class Extension {
        private String schema;
        private String name;
        private String description = "";
        private String resourceType = "User";
        private boolean required;
        private List<Attribute> attributes = new ArrayList<>();
        public String getSchema() { return schema; }
        public void setSchema(String schema) { this.schema = schema; }
        public String getName() { return name; }
        public void setName(String name) { this.name = name; }
        public String getDescription() { return description; }
        public void setDescription(String description) { this.description = description; }
        public String getResourceType() { return resourceType; }
        public void setResourceType(String resourceType) { this.resourceType = resourceType; }
        public boolean isRequired() { return required; }
        public void setRequired(boolean required) { this.required = required; }
        public List<Attribute> getAttributes() { return attributes; }
        public void setAttributes(List<Attribute> attributes) { this.attributes = attributes; }
    }

    /** One attribute of a configured extension (RFC 7643 §7 characteristics). */
    public static class Attribute {
        private String name;
        private String type = "string";
        private boolean multiValued;
        private boolean required;
        private boolean caseExact;
        private String mutability = "readWrite";
        private String returned = "default";
        private String uniqueness = "none";
        private String description = "";
        private List<String> canonicalValues = new ArrayList<>();
        private List<Attribute> subAttributes = new ArrayList<>();
        public String getName() { return name; }
        public void setName(String name) { this.name = name; }
        public String getType() { return type; }
        public void setType(String type) { this.type = type; }
        public boolean isMultiValued() { return multiValued; }
        public void setMultiValued(boolean multiValued) { this.multiValued = multiValued; }
        public boolean isRequired() { return required; }
        public void setRequired(boolean required) { this.required = required; }
        public boolean isCaseExact() { return caseExact; }
        public void setCaseExact(boolean caseExact) { this.caseExact = caseExact; }
        public String getMutability() { return mutability; }
        public void setMutability(String mutability) { this.mutability = mutability; }
        public String getReturned() { return returned; }
        public void setReturned(String returned) { this.returned = returned; }
        public String getUniqueness() { return uniqueness; }
        public void setUniqueness(String uniqueness) { this.uniqueness = uniqueness; }
        public String getDescription() { return description; }
        public void setDescription(String description) { this.description = description; }
        public List<String> getCanonicalValues() { return canonicalValues; }
        public void setCanonicalValues(List<String> canonicalValues) { this.canonicalValues = canonicalValues; }
        public List<Attribute> getSubAttributes() { return subAttributes; }
        public void setSubAttributes(List<Attribute> subAttributes) { this.subAttributes = subAttributes; }
    }

    /**
     * The embedded PostgreSQL (used when no {@code spring.datasource.url} is set): server settings by their
     * postgresql.conf names, passed to the server at start.
     */
    public static class EmbeddedPostgres {
        private java.util.Map<String, String> settings = new java.util.LinkedHashMap<>();
        public java.util.Map<String, String> getSettings() { return settings; }
        public void setSettings(java.util.Map<String, String> settings) { this.settings = settings; }
    }

    /** Audit store and relay settings. */
    public static class Audit {
        private boolean enabled = true;
        private List<String> redactedAttributes = new ArrayList<>();
        private String topic = "scimflow.audit.v1";
        private String checkpointTopic = "scimflow.audit.checkpoints.v1";
        private final Relay relay = new Relay();
        private final Checkpoints checkpoints = new Checkpoints();
        private final Signing signing = new Signing();
        private final Retention retention = new Retention();
        private final Verification verification = new Verification();
        public Retention getRetention() { return retention; }
        public Verification getVerification() { return verification; }
        public boolean isEnabled() { return enabled; }
        public void setEnabled(boolean enabled) { this.enabled = enabled; }
        public List<String> getRedactedAttributes() { return redactedAttributes; }
        public void setRedactedAttributes(List<String> redactedAttributes) { this.redactedAttributes = redactedAttributes; }
        public String getTopic() { return topic; }
        public void setTopic(String topic) { this.topic = topic; }
        public Relay getRelay() { return relay; }
        public String getCheckpointTopic() { return checkpointTopic; }
        public void setCheckpointTopic(String checkpointTopic) { this.checkpointTopic = checkpointTopic; }
        public Checkpoints getCheckpoints() { return checkpoints; }
        public Signing getSigning() { return signing; }
    }

    /** When signed checkpoints are taken and where their external copies go. */
    public static class Checkpoints {
        private int everyRecords = 10000;
        private long everySeconds = 60;
        private Path dir;
        public int getEveryRecords() { return everyRecords; }
        public void setEveryRecords(int everyRecords) { this.everyRecords = everyRecords; }
        public long getEverySeconds() { return everySeconds; }
        public void setEverySeconds(long everySeconds) { this.everySeconds = everySeconds; }
        public Path getDir() { return dir; }
        public void setDir(Path dir) { this.dir = dir; }
    }

    /**
     * Monthly partitions of the audit log and how long they are kept: a month is archived and dropped once
     * it ended more than {@code days} ago ({@code 0} keeps everything); partitions are created
     * {@code monthsAhead} months in advance; the job runs every {@code interval} (a Camel duration: 1h, 30m).
     */
    public static class Retention {
        private int days = 400;
        private int monthsAhead = 2;
        private Path archiveDir;
        private String interval = "1h";
        public int getDays() { return days; }
        public void setDays(int days) { this.days = days; }
        public int getMonthsAhead() { return monthsAhead; }
        public void setMonthsAhead(int monthsAhead) { this.monthsAhead = monthsAhead; }
        public Path getArchiveDir() { return archiveDir; }
        public void setArchiveDir(Path archiveDir) { this.archiveDir = archiveDir; }
        public String getInterval() { return interval; }
        public void setInterval(String interval) { this.interval = interval; }
    }

    /**
     * Scheduled verification of the whole audit log against the checkpoints in the database and in the
     * external folder, every {@code interval} (a Camel duration: 1h, 30m, 1d; 0 switches it off). The
     * result is what health and the console's badge show between on-demand runs.
     */
    public static class Verification {
        private String interval = "1h";
        public String getInterval() { return interval; }
        public void setInterval(String interval) { this.interval = interval; }
    }

    /** Checkpoint signing keys: a folder of public keys and the active private key. */
    public static class Signing {
        private Path keysDir;
        private Path privateKeyPath;
        public Path getKeysDir() { return keysDir; }
        public void setKeysDir(Path keysDir) { this.keysDir = keysDir; }
        public Path getPrivateKeyPath() { return privateKeyPath; }
        public void setPrivateKeyPath(Path privateKeyPath) { this.privateKeyPath = privateKeyPath; }
    }

    /** Outbox relay to Kafka. */
    public static class Relay {
        private long periodMs = 200;
        private int batchSize = 500;
        /** Largest record value sent whole; keep it below the topic's max.message.bytes (Kafka's default 1 MiB). */
        private int maxRecordBytes = 900 * 1024;
        public int getMaxRecordBytes() { return maxRecordBytes; }
        public void setMaxRecordBytes(int maxRecordBytes) { this.maxRecordBytes = maxRecordBytes; }
        public long getPeriodMs() { return periodMs; }
        public void setPeriodMs(long periodMs) { this.periodMs = periodMs; }
        public int getBatchSize() { return batchSize; }
        public void setBatchSize(int batchSize) { this.batchSize = batchSize; }
    }

    /** Kafka connection; an empty bootstrap list turns publishing off. */
    public static class Kafka {
        private String bootstrapServers = "";
        public String getBootstrapServers() { return bootstrapServers; }
        public void setBootstrapServers(String bootstrapServers) { this.bootstrapServers = bootstrapServers; }
        public boolean isEnabled() { return bootstrapServers != null && !bootstrapServers.isBlank(); }
    }
}
