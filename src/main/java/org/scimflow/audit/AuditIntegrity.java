package org.scimflow.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.sql.Timestamp;
import java.util.HexFormat;
import java.util.List;
import org.scimflow.config.ScimflowProperties;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Runs verifications against the database and the external checkpoint folder, keeps each result,
 * and reports the last one (API, console badge, health).
 */
@Component
public class AuditIntegrity implements HealthIndicator {

    private final AuditVerifier verifier;
    private final JdbcTemplate jdbc;
    private final ObjectMapper mapper;
    private final ScimflowProperties props;
    private final CheckpointStore checkpoints;

    public AuditIntegrity(AuditVerifier verifier, JdbcTemplate jdbc, ObjectMapper mapper, ScimflowProperties props,
                          CheckpointStore checkpoints) {
        this.verifier = verifier;
        this.jdbc = jdbc;
        this.mapper = mapper;
        this.props = props;
        this.checkpoints = checkpoints;
    }

    /** Full verification, including the checkpoint copies outside the database; the result is stored. */
    public ObjectNode verifyNow(String source) throws IOException {
        List<Checkpoint> external = CheckpointStore.readFiles(props.checkpointDir(), mapper);
        AuditVerifier.Result r = verifier.verify(new AuditVerifier.Options(1, Long.MAX_VALUE, external,
                "external (" + props.checkpointDir() + ")"));
        ObjectNode json = toJson(r);
        jdbc.update("insert into audit_verification (checked_at, status, checked, first_seq, last_seq, findings, source) "
                        + "values (?, ?, ?, ?, ?, ?::jsonb, ?)", Timestamp.from(r.checkedAt()), r.status(), r.checked(),
                r.firstSeq(), r.lastSeq(), mapper.writeValueAsString(json.get("findings")), source);
        return json;
    }

    /** The last stored result, or status "never". */
    public ObjectNode last() {
        ObjectNode out = mapper.createObjectNode();
        List<ObjectNode> rows = jdbc.query("select * from audit_verification order by id desc limit 1", (rs, i) -> {
            ObjectNode n = mapper.createObjectNode();
            n.put("status", rs.getString("status"));
            n.put("checkedAt", rs.getObject("checked_at", java.time.OffsetDateTime.class).toInstant().toString());
            n.put("checked", rs.getLong("checked"));
            n.put("firstSeq", rs.getLong("first_seq"));
            n.put("lastSeq", rs.getLong("last_seq"));
            n.put("source", rs.getString("source"));
            try {
                n.set("findings", mapper.readTree(rs.getString("findings")));
            } catch (IOException e) {
                n.putArray("findings");
            }
            return n;
        });
        if (rows.isEmpty()) {
            out.put("status", "never");
            out.putArray("findings");
        } else {
            out = rows.get(0);
        }
        putLastCheckpoint(out);
        return out;
    }

    public ObjectNode toJson(AuditVerifier.Result r) {
        ObjectNode n = mapper.createObjectNode();
        n.put("status", r.status());
        n.put("checkedAt", r.checkedAt().toString());
        n.put("checked", r.checked());
        n.put("firstSeq", r.firstSeq());
        n.put("lastSeq", r.lastSeq());
        n.put("checkpointsChecked", r.checkpointsChecked());
        ArrayNode f = n.putArray("findings");
        r.findings().forEach(x -> f.addObject().put("seq", x.seq()).put("kind", x.kind()).put("detail", x.detail()));
        putLastCheckpoint(n);
        return n;
    }

    private void putLastCheckpoint(ObjectNode n) {
        checkpoints.latest().ifPresentOrElse(c -> {
            ObjectNode cp = n.putObject("lastCheckpoint");
            cp.put("treeSize", c.treeSize());
            cp.put("rootHash", HexFormat.of().formatHex(c.rootHash()));
            cp.put("keyId", c.keyId());
            cp.put("createdAt", c.createdAt().toString());
        }, () -> n.putNull("lastCheckpoint"));
    }

    @Override
    public Health health() {
        List<String> status = jdbc.queryForList("select status from audit_verification order by id desc limit 1",
                String.class);
        if (!status.isEmpty() && status.get(0).equals("tampered")) {
            return Health.status("TAMPERED").withDetail("lastVerification", "tampered").build();
        }
        return Health.up().withDetail("lastVerification", status.isEmpty() ? "never" : status.get(0)).build();
    }
}
