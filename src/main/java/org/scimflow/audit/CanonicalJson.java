package org.scimflow.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.erdtman.jcs.NumberToJSON;

/**
 * RFC 8785 (JCS) serialisation straight from a Jackson tree, without re-parsing text: members sorted
 * by UTF-16 code units, strings escaped as ECMAScript's JSON.stringify does, numbers in ECMAScript form
 * (delegated to the JCS reference implementation's number formatter). Verification re-hashes every
 * record, so this runs once per record per check.
 */
public final class CanonicalJson {

    private CanonicalJson() { }

    public static byte[] bytes(JsonNode node) {
        StringBuilder sb = new StringBuilder(512);
        write(node, sb);
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static void write(JsonNode n, StringBuilder sb) {
        switch (n.getNodeType()) {
            case OBJECT -> {
                List<String> names = new ArrayList<>(n.size());
                n.fieldNames().forEachRemaining(names::add);
                Collections.sort(names);
                sb.append('{');
                for (int i = 0; i < names.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    string(names.get(i), sb);
                    sb.append(':');
                    write(n.get(names.get(i)), sb);
                }
                sb.append('}');
            }
            case ARRAY -> {
                sb.append('[');
                for (int i = 0; i < n.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    write(n.get(i), sb);
                }
                sb.append(']');
            }
            case STRING -> string(n.textValue(), sb);
            case BOOLEAN -> sb.append(n.booleanValue() ? "true" : "false");
            case NULL -> sb.append("null");
            case NUMBER -> number(n, sb);
            default -> throw new IllegalArgumentException("not JSON: " + n.getNodeType());
        }
    }

    private static void number(JsonNode n, StringBuilder sb) {
        if (n.isIntegralNumber() && n.canConvertToLong() && Math.abs(n.longValue()) < (1L << 53)) {
            sb.append(n.longValue());
            return;
        }
        try {
            sb.append(NumberToJSON.serializeNumber(n.doubleValue()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void string(String s, StringBuilder sb) {
        sb.append('"');
        int n = s.length();
        int plain = 0;
        while (plain < n) {
            char c = s.charAt(plain);
            if (c < 0x20 || c == '"' || c == '\\') {
                break;
            }
            plain++;
        }
        if (plain == n) {
            sb.append(s).append('"');
            return;
        }
        sb.append(s, 0, plain);
        for (int i = plain; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
