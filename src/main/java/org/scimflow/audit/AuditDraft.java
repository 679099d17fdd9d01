package org.scimflow.audit;

/**
 * What a route learns about an exchange for its audit record while it runs: the action, the subject,
 * how it ended, and whether the record was already written in the write's own transaction.
 */
public final class AuditDraft {

    /** Exchange property holding the draft. */
    public static final String PROPERTY = "scimflowAuditDraft";

    private String action = "http.request";
    private String subjectType;
    private String subjectId;
    private String subjectName;
    private String subjectExternalId;
    private String scimType;
    private String error;
    private Integer durationMs;
    private boolean recorded;

    public String action() { return action; }
    public AuditDraft action(String v) { action = v; return this; }
    public String subjectType() { return subjectType; }
    public String subjectId() { return subjectId; }
    public String subjectName() { return subjectName; }
    public String subjectExternalId() { return subjectExternalId; }
    public String scimType() { return scimType; }
    public String error() { return error; }
    public Integer durationMs() { return durationMs; }
    public boolean recorded() { return recorded; }

    public AuditDraft subject(String type, String id, String name, String externalId) {
        subjectType = type;
        subjectId = id;
        subjectName = name;
        subjectExternalId = externalId;
        return this;
    }

    public AuditDraft failure(String scimType, String error) {
        this.scimType = scimType;
        this.error = error;
        return this;
    }

    public AuditDraft durationMs(int v) { durationMs = v; return this; }

    /** The write's own transaction already committed its record: the tap must not add a second. */
    public AuditDraft markRecorded() { recorded = true; return this; }
}
