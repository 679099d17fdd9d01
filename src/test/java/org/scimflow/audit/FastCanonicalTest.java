package org.scimflow.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The verifier writes a record's canonical content straight from the bytes of its binary COPY row
 * ({@link BinaryRow}, {@link CanonicalJson#text}); those bytes must be exactly what the writer hashes
 * ({@link AuditRecordCodec#canonicalContent}) and what the JCS reference implementation produces, for
 * records with nulls, escapes, control characters, non-ASCII and non-BMP text and nested changes in
 * every spelling of their JSON text.
 */
class FastCanonicalTest {

    final ObjectMapper mapper = new ObjectMapper();
    final AuditRecordCodec codec = new AuditRecordCodec(mapper);
    final FastCanonical canonical = new FastCanonical(mapper);

    private static final String[] STRINGS = {"", "x", "plain text", "tab\there", "quote \" inside", "back\\slash",
            "\u0001\u001f\u0000", "del \u007f", "Zoë", "€ 100", "😀 smile", "\uD83D\uDE00\n", "\\N", "/path/to/x",
            "\u2028\u2029", "exactly8", "sixteen chars!!!", "0123456789abcdef\"", "0123456\\89abcdefg", "ascii then é"};

    @Test
    void binaryRowsGiveTheWritersCanonicalBytes() throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        BinaryRow row = new BinaryRow();
        CanonicalJson.Out out = new CanonicalJson.Out(16);
        for (int i = 0; i < 3000; i++) {
            AuditEvent e = event(random);
            String expected = new String(codec.canonicalContent(e), StandardCharsets.UTF_8);
            if (i < 300) {
                assertThat(expected).isEqualTo(new String(codec.canonicalContentReference(e), StandardCharsets.UTF_8));
            }
            for (String changes : columnSpellings(e.changes(), random)) {
                boolean first = i % 2 == 0;
                assertThat(row.read(binaryRow(e, changes, i + 1, first))).isTrue();
                assertThat(row.seq()).isEqualTo(i + 1);
                out.reset();
                canonical.write(row, out);
                assertThat(new String(out.buf, 0, out.len, StandardCharsets.UTF_8)).as("record %d, changes %s", i, changes)
                        .isEqualTo(expected);
                assertThat(new String(canonical.content(row), StandardCharsets.UTF_8)).isEqualTo(expected);
            }
        }
        assertThat(row.read(new byte[] {(byte) 0xff, (byte) 0xff})).as("the trailer").isFalse();
    }

    /**
     * The writer hashes content written from the event's fields ({@link EventFields}) with its changes
     * canonicalised once; those bytes must be the ones the record's JSON tree gives, for every shape of
     * changes the record may carry or leave out.
     */
    @Test
    void eventsWrittenFromTheirFieldsGiveTheTreesBytes() {
        SplittableRandom random = new SplittableRandom(11);
        CanonicalJson.Out out = new CanonicalJson.Out(16);
        List<JsonNode> odd = List.of(JsonNodeFactory.instance.nullNode(), mapper.createObjectNode(),
                mapper.createArrayNode(), JsonNodeFactory.instance.textNode("just text"));
        for (int i = 0; i < 3000; i++) {
            AuditEvent e = event(random);
            if (i < odd.size()) {
                e = e.toBuilder().changes(odd.get(i)).build();
            }
            byte[] changes = AuditRecordCodec.hasChanges(e) ? CanonicalJson.bytes(e.changes()) : null;
            out.reset();
            codec.writeCanonicalContent(new EventFields(e, changes), out);
            assertThat(new String(out.buf, 0, out.len, StandardCharsets.UTF_8)).as("record %d", i)
                    .isEqualTo(new String(codec.canonicalContent(e), StandardCharsets.UTF_8));
        }
    }

    @Test
    void stringsFromBytesAreEscapedAsTheSameTextInAString() {
        SplittableRandom random = new SplittableRandom(7);
        byte[] alphabet = {'a', 'Z', ' ', '"', '\\', '\n', 0, 0x1f, 0x7f, (byte) 0xc3, (byte) 0xa9, (byte) 0xe2,
                (byte) 0x82, (byte) 0xac, (byte) 0xf0, (byte) 0x9f, (byte) 0x98, (byte) 0x80, (byte) 0xff, '/'};
        CanonicalJson.Out fromBytes = new CanonicalJson.Out(4);
        CanonicalJson.Out fromString = new CanonicalJson.Out(4);
        for (int i = 0; i < 50_000; i++) {
            byte[] b = new byte[random.nextInt(40)];
            boolean ascii = random.nextBoolean();
            for (int j = 0; j < b.length; j++) {
                b[j] = random.nextInt(ascii ? 4 : 3) == 0 ? alphabet[random.nextInt(alphabet.length)]
                        : (byte) ('a' + random.nextInt(26));
            }
            int off = b.length == 0 ? 0 : random.nextInt(b.length);
            int len = b.length - off == 0 ? 0 : random.nextInt(b.length - off + 1);
            fromBytes.reset();
            fromString.reset();
            fromBytes.put('x');
            fromString.put('x');
            CanonicalJson.string(b, off, len, fromBytes);
            CanonicalJson.string(new String(b, off, len, StandardCharsets.UTF_8), fromString);
            assertThat(fromBytes.toByteArray()).isEqualTo(fromString.toByteArray());
        }
    }

    @Test
    void jsonTextIsCanonicalOrLeftToTheTree() throws Exception {
        SplittableRandom random = new SplittableRandom(3);
        CanonicalJson.Out out = new CanonicalJson.Out(8);
        int fast = 0;
        for (int i = 0; i < 5000; i++) {
            for (String text : spellings(json(random, 0), random)) {
                byte[] b = text.getBytes(StandardCharsets.UTF_8);
                out.reset();
                out.put('x');
                if (CanonicalJson.text(b, 0, b.length, out)) {
                    fast++;
                    assertThat(new String(out.buf, 1, out.len - 1, StandardCharsets.UTF_8)).as(text)
                            .isEqualTo(new String(CanonicalJson.bytes(mapper.readTree(b)), StandardCharsets.UTF_8));
                } else {
                    assertThat(out.len).as("nothing written when declined").isEqualTo(1);
                }
            }
        }
        assertThat(fast).as("texts written without a tree").isGreaterThan(2000);
        // What stored records hold, as PostgreSQL prints jsonb, takes the fast way.
        for (String text : new String[] {
                "[{\"new\": \"u1@example.com\", \"path\": \"userName\"}, {\"new\": true, \"path\": \"active\"}]",
                "[{\"op\": \"replace\", \"path\": \"title\", \"value\": \"T\\\"1\\\\ \\n\\u001f\"}]",
                "{\"b\": [1, -2, null, false], \"a\": {\"z\": 123456789012345, \"y\": \"\"}}"}) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            out.reset();
            assertThat(CanonicalJson.text(b, 0, b.length, out)).as(text).isTrue();
            assertThat(out.toByteArray()).isEqualTo(CanonicalJson.bytes(mapper.readTree(b)));
        }
        // Nesting: written up to a depth, beyond it left to the tree.
        String nested = "[".repeat(60) + "{\"b\": 1, \"a\": [2]}" + "]".repeat(60);
        byte[] deep = nested.getBytes(StandardCharsets.UTF_8);
        out.reset();
        assertThat(CanonicalJson.text(deep, 0, deep.length, out)).isTrue();
        assertThat(out.toByteArray()).isEqualTo(CanonicalJson.bytes(mapper.readTree(deep)));
        deep = ("[".repeat(100) + "]".repeat(100)).getBytes(StandardCharsets.UTF_8);
        out.reset();
        assertThat(CanonicalJson.text(deep, 0, deep.length, out)).isFalse();
        // Malformed or unusual text is left to the tree, which decides.
        for (String text : new String[] {"", "[", "[1,]", "{\"a\":1,\"a\":2}", "{\"a\" 1}", "01", "-0", "1.0", "1e3",
                "\"\\u00e9\"", "\"é\"", "{\"\\n\":1}", "tru", "[1] x", "\"a", "1234567890123456", "{\"a\":1,}", "[1}", "{\"a\":1]", "[{]}", "{\"a\"}"}) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            out.reset();
            assertThat(CanonicalJson.text(b, 0, b.length, out)).as(text).isFalse();
            assertThat(out.len).isZero();
        }
    }

    private AuditEvent event(SplittableRandom r) {
        long micros = r.nextLong(-1_000L * 365 * 86_400_000_000L, 300L * 365 * 86_400_000_000L);
        if (r.nextBoolean()) {
            micros -= Math.floorMod(micros, r.nextBoolean() ? 1000 : 1_000_000);
        }
        Instant t = Instant.EPOCH.plus(micros, java.time.temporal.ChronoUnit.MICROS);
        return AuditEvent.builder().eventId(new UUID(r.nextLong(), r.nextLong())).schemaVersion(r.nextInt(3))
                .eventTime(t).recordedTime(r.nextBoolean() ? t : t.plusNanos(r.nextLong(1_000_000_000_000L) / 1000 * 1000))
                .correlationId(str(r, false)).parentEventId(r.nextInt(4) == 0 ? new UUID(r.nextLong(), r.nextLong()) : null)
                .cycleId(str(r, true)).channel(str(r, false)).action(str(r, false)).outcome(str(r, false))
                .actorType(str(r, true)).actorId(str(r, true)).actorIp(str(r, true)).actorUserAgent(str(r, true))
                .subjectType(str(r, true)).subjectId(str(r, true)).subjectName(str(r, true))
                .subjectExternalId(str(r, true)).targetSystem(str(r, true)).targetId(str(r, true))
                .httpMethod(str(r, true)).httpPath(str(r, true)).httpStatus(num(r)).scimType(str(r, true))
                .error(str(r, true)).attempt(num(r)).durationMs(num(r))
                .changes(r.nextInt(3) == 0 ? null : r.nextInt(5) == 0 ? mapper.createArrayNode() : json(r, 0))
                .build();
    }

    private static String str(SplittableRandom r, boolean nullable) {
        if (nullable && r.nextInt(3) == 0) {
            return null;
        }
        if (r.nextBoolean()) {
            return STRINGS[r.nextInt(STRINGS.length)];
        }
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(30);
        for (int i = 0; i < n; i++) {
            sb.append(r.nextInt(10) == 0 ? STRINGS[r.nextInt(STRINGS.length)] : (char) ('!' + r.nextInt(94)));
        }
        return sb.toString();
    }

    private static Integer num(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> null;
            case 1 -> r.nextInt(600);
            case 2 -> -r.nextInt(1000);
            default -> r.nextInt();
        };
    }

    private static final String[] KEYS = {"a", "b", "B", "Z", "aa", "ab", "a b", "new", "old", "op", "path", "value",
            "é", "ü", "€", "😀", "\n", "q\"", "", "10", "9"};

    private JsonNode json(SplittableRandom r, int depth) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        int kind = depth == 0 ? r.nextInt(2) : r.nextInt(depth > 3 ? 4 : 6);
        switch (kind) {
            case 0, 4 -> {
                ArrayNode a = f.arrayNode();
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) {
                    a.add(json(r, depth + 1));
                }
                return a;
            }
            case 1, 5 -> {
                ObjectNode o = f.objectNode();
                int n = r.nextInt(5);
                for (int i = 0; i < n; i++) {
                    o.set(r.nextInt(3) == 0 ? KEYS[r.nextInt(KEYS.length)] : KEYS[r.nextInt(12)], json(r, depth + 1));
                }
                return o;
            }
            case 2 -> {
                return f.textNode(str(r, false));
            }
            default -> {
                return switch (r.nextInt(12)) {
                    case 0 -> f.nullNode();
                    case 1 -> f.booleanNode(r.nextBoolean());
                    case 2 -> f.numberNode(r.nextInt(1000) - 500);
                    case 3 -> f.numberNode(r.nextLong());
                    case 4 -> f.numberNode(r.nextLong(1_000_000_000_000_000L));
                    case 5 -> f.numberNode(new java.math.BigInteger("100000000000000000000000"));
                    case 6 -> f.numberNode(1.5e-7);
                    case 7 -> f.numberNode(-0.0);
                    case 8 -> f.numberNode(1e21);
                    case 9 -> f.numberNode(100.0);
                    case 10 -> f.numberNode(r.nextDouble() * 1000);
                    default -> f.numberNode(0);
                };
            }
        }
    }

    /**
     * The changes column of a record with these changes: null when there are none or they are empty (as
     * {@link AuditRecordCodec#toColumns} stores them), or an empty array; else the spellings of the text.
     */
    private List<String> columnSpellings(JsonNode n, SplittableRandom r) throws Exception {
        if (n == null || n.isEmpty()) {
            List<String> out = new ArrayList<>();
            out.add(null);
            if (n != null && n.isArray()) {
                out.add("[]");
            }
            return out;
        }
        return spellings(n, r);
    }

    /** The JSON text of {@code n} as Jackson writes it, indented, and as PostgreSQL prints jsonb. */
    private List<String> spellings(JsonNode n, SplittableRandom r) throws Exception {
        List<String> out = new ArrayList<>();
        out.add(mapper.writeValueAsString(n));
        if (r.nextInt(4) == 0) {
            out.add(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(n));
        }
        StringBuilder sb = new StringBuilder();
        jsonb(mapper.readTree(mapper.writeValueAsString(n)), sb);
        out.add(sb.toString());
        return out;
    }

    /** jsonb's text output: ", " and ": " between items, members ordered by name length, then bytes. */
    private static void jsonb(JsonNode n, StringBuilder sb) {
        if (n.isObject()) {
            List<String> names = new ArrayList<>();
            n.fieldNames().forEachRemaining(names::add);
            names.sort((a, b) -> {
                byte[] x = a.getBytes(StandardCharsets.UTF_8);
                byte[] y = b.getBytes(StandardCharsets.UTF_8);
                return x.length != y.length ? Integer.compare(x.length, y.length) : java.util.Arrays.compareUnsigned(x, y);
            });
            sb.append('{');
            for (int i = 0; i < names.size(); i++) {
                sb.append(i > 0 ? ", " : "");
                pgString(names.get(i), sb);
                sb.append(": ");
                jsonb(n.get(names.get(i)), sb);
            }
            sb.append('}');
        } else if (n.isArray()) {
            sb.append('[');
            for (int i = 0; i < n.size(); i++) {
                sb.append(i > 0 ? ", " : "");
                jsonb(n.get(i), sb);
            }
            sb.append(']');
        } else if (n.isTextual()) {
            pgString(n.textValue(), sb);
        } else if (n.isNumber()) {
            sb.append(n.decimalValue().toPlainString()); // numeric prints without an exponent
        } else {
            sb.append(n);
        }
    }

    private static void pgString(String s, StringBuilder sb) {
        sb.append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> sb.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        sb.append('"');
    }

    /** A row of {@code COPY (select RawRecord.COLUMNS …) TO STDOUT WITH (FORMAT binary)}, as PostgreSQL sends it. */
    static byte[] binaryRow(AuditEvent e, String changes, long seq, boolean withHeader) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (withHeader) {
            b.writeBytes(new byte[] {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0});
            int32(b, 0);
            int32(b, 4);
            int32(b, 7); // header extension
        }
        b.write(0);
        b.write(RawRecord.COUNT);
        value(b, long8(seq));
        value(b, uuid(e.eventId()));
        value(b, new byte[] {(byte) (e.schemaVersion() >> 8), (byte) e.schemaVersion()});
        value(b, time(e.eventTime()));
        value(b, time(e.recordedTime()));
        for (String s : new String[] {e.correlationId()}) {
            value(b, text(s));
        }
        value(b, e.parentEventId() == null ? null : uuid(e.parentEventId()));
        for (String s : new String[] {e.cycleId(), e.channel(), e.action(), e.outcome(), e.actorType(), e.actorId(),
                e.actorIp(), e.actorUserAgent(), e.subjectType(), e.subjectId(), e.subjectName(), e.subjectExternalId(),
                e.targetSystem(), e.targetId(), e.httpMethod(), e.httpPath()}) {
            value(b, text(s));
        }
        value(b, int4(e.httpStatus()));
        value(b, text(e.scimType()));
        value(b, text(e.error()));
        value(b, int4(e.attempt()));
        value(b, int4(e.durationMs()));
        if (changes == null) {
            value(b, null);
        } else {
            byte[] t = changes.getBytes(StandardCharsets.UTF_8);
            byte[] v = new byte[t.length + 1];
            v[0] = 1;
            System.arraycopy(t, 0, v, 1, t.length);
            value(b, v);
        }
        value(b, new byte[32]);
        value(b, new byte[32]);
        return b.toByteArray();
    }

    private static void value(ByteArrayOutputStream b, byte[] v) {
        int32(b, v == null ? -1 : v.length);
        if (v != null) {
            b.writeBytes(v);
        }
    }

    private static void int32(ByteArrayOutputStream b, int v) {
        b.write(v >>> 24);
        b.write(v >>> 16);
        b.write(v >>> 8);
        b.write(v);
    }

    private static byte[] long8(long v) {
        byte[] out = new byte[8];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (v >>> (56 - 8 * i));
        }
        return out;
    }

    private static byte[] uuid(UUID u) {
        byte[] out = new byte[16];
        System.arraycopy(long8(u.getMostSignificantBits()), 0, out, 0, 8);
        System.arraycopy(long8(u.getLeastSignificantBits()), 0, out, 8, 8);
        return out;
    }

    private static byte[] time(Instant t) {
        long micros = Math.multiplyExact(t.getEpochSecond(), 1_000_000L) + t.getNano() / 1000;
        return long8(micros - 946_684_800_000_000L);
    }

    private static byte[] text(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] int4(Integer v) {
        if (v == null) {
            return null;
        }
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) (int) v};
    }
}
