package org.scimflow.audit;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.erdtman.jcs.NumberToJSON;

/**
 * RFC 8785 (JCS) serialisation straight from a Jackson tree, without re-parsing text: members sorted
 * by UTF-16 code units, strings escaped as ECMAScript's JSON.stringify does, numbers in ECMAScript form
 * (delegated to the JCS reference implementation's number formatter). Verification re-hashes every
 * record, so this runs once per record per check.
 *
 * <p>Output goes to an {@link Out}, UTF-8 bytes the way {@code String.getBytes(UTF_8)} encodes the same
 * text. {@link #text} canonicalises JSON text without building a tree, for the shapes stored records have.
 */
public final class CanonicalJson {

    private CanonicalJson() { }

    public static byte[] bytes(JsonNode node) {
        Out o = new Out(512);
        write(node, o);
        return o.toByteArray();
    }

    static void write(JsonNode n, Out o) {
        switch (n.getNodeType()) {
            case OBJECT -> {
                List<String> names = new ArrayList<>(n.size());
                n.fieldNames().forEachRemaining(names::add);
                Collections.sort(names);
                o.put('{');
                for (int i = 0; i < names.size(); i++) {
                    if (i > 0) {
                        o.put(',');
                    }
                    string(names.get(i), o);
                    o.put(':');
                    write(n.get(names.get(i)), o);
                }
                o.put('}');
            }
            case ARRAY -> {
                o.put('[');
                for (int i = 0; i < n.size(); i++) {
                    if (i > 0) {
                        o.put(',');
                    }
                    write(n.get(i), o);
                }
                o.put(']');
            }
            case STRING -> string(n.textValue(), o);
            case BOOLEAN -> o.ascii(n.booleanValue() ? "true" : "false");
            case NULL -> o.ascii("null");
            case NUMBER -> number(n, o);
            default -> throw new IllegalArgumentException("not JSON: " + n.getNodeType());
        }
    }

    private static void number(JsonNode n, Out o) {
        if (n.isIntegralNumber() && n.canConvertToLong() && Math.abs(n.longValue()) < MAX_EXACT) {
            o.number(n.longValue());
            return;
        }
        try {
            o.ascii(NumberToJSON.serializeNumber(n.doubleValue()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Integers below 2^53 are exact as doubles and print as their digits. */
    private static final long MAX_EXACT = 1L << 53;

    /** A JSON string: the one escaping rule of this class, for text given as a String. */
    static void string(String s, Out o) {
        o.put('"');
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                // A run of non-ASCII characters, never escaped, encoded as String.getBytes does (surrogate
                // pairs stay within one run, so a pair is never split).
                int j = i + 1;
                while (j < n && s.charAt(j) >= 0x80) {
                    j++;
                }
                o.bytes(s.substring(i, j).getBytes(StandardCharsets.UTF_8));
                i = j - 1;
            } else {
                ascii(c, o);
            }
        }
        o.put('"');
    }

    /**
     * A JSON string from UTF-8 bytes: the same output as {@code string(new String(b, off, len, UTF_8), o)},
     * copying ASCII text as it stands and decoding only text with other characters.
     */
    static void string(byte[] b, int off, int len, Out o) {
        int start = o.len;
        o.ensure(len + 2);
        o.buf[o.len++] = '"';
        int end = off + len;
        int plain = off;
        // Eight bytes at a time while none needs a look of its own.
        while (plain + 8 <= end && plainWord((long) LONGS.get(b, plain))) {
            plain += 8;
        }
        while (plain < end) {
            byte c = b[plain];
            // Negative: a byte of a multi-byte character.
            if (c < 0x20 || c == '"' || c == '\\') {
                break;
            }
            plain++;
        }
        System.arraycopy(b, off, o.buf, o.len, plain - off);
        o.len += plain - off;
        for (int i = plain; i < end; i++) {
            byte c = b[i];
            if (c < 0) {
                o.len = start;
                string(new String(b, off, len, StandardCharsets.UTF_8), o);
                return;
            }
            ascii((char) c, o);
        }
        o.put('"');
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH = 0x8080808080808080L;

    /**
     * True if none of the eight bytes in {@code w} is below 0x20, at or above 0x80, a quote or a backslash
     * (the bit tricks answer exactly whether any byte is zero or below a bound, not which one).
     */
    private static boolean plainWord(long w) {
        long below = (w - 0x20 * ONES) & ~w;
        long quote = w ^ ('"' * ONES);
        long backslash = w ^ ('\\' * ONES);
        return ((below | (quote - ONES) & ~quote | (backslash - ONES) & ~backslash | w) & HIGH) == 0;
    }

    /** One ASCII character of a string, escaped as JSON.stringify escapes it. */
    private static void ascii(char c, Out o) {
        switch (c) {
            case '"' -> o.ascii("\\\"");
            case '\\' -> o.ascii("\\\\");
            case '\b' -> o.ascii("\\b");
            case '\f' -> o.ascii("\\f");
            case '\n' -> o.ascii("\\n");
            case '\r' -> o.ascii("\\r");
            case '\t' -> o.ascii("\\t");
            default -> {
                if (c < 0x20) {
                    o.ascii("\\u00");
                    o.put(HEX[c >> 4]);
                    o.put(HEX[c & 0xf]);
                } else {
                    o.put(c);
                }
            }
        }
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /**
     * Writes the canonical form of the JSON text {@code b[off, off + len)} (as PostgreSQL prints jsonb, or
     * any other spacing and member order) and returns true; or writes nothing and returns false when the
     * text holds what only a parser into a tree handles the same way as {@link #write}: a number other
     * than an integer of up to 15 digits, a string with non-ASCII text or a {@code \}{@code u} escape of a
     * printable character, a member name with an escape, a repeated member name, or deep nesting.
     */
    static boolean text(byte[] b, int off, int len, Out o) {
        int start = o.len;
        int base = o.top;
        int p = canonical(b, off, off + len, o);
        o.top = base;
        if (p < 0) {
            o.len = start;
            return false;
        }
        return true;
    }

    private static final int MAX_DEPTH = 64;
    private static final int MAX_DIGITS = 15;

    private static int skip(byte[] b, int p, int end) {
        while (p < end && (b[p] == ' ' || b[p] == '\n' || b[p] == '\r' || b[p] == '\t')) {
            p++;
        }
        return p;
    }

    /**
     * The parser behind {@link #text}: one loop with the open arrays and objects on a stack of its own
     * (a recursive parser cost the JIT most of a second to compile). Per open container {@link Out#levels}
     * holds whether it is an object, where its members start in {@link Out#stack}, and the name of the
     * member being read. Returns the end of the text, or -1 to give up.
     */
    private static int canonical(byte[] b, int p, int end, Out o) {
        int[] level = o.levels();
        int depth = 0;
        p = skip(b, p, end);
        while (true) {
            // A value starts at p.
            if (p >= end) {
                return -1;
            }
            byte c = b[p];
            if (c == '{' || c == '[') {
                if (depth == MAX_DEPTH) {
                    return -1;
                }
                boolean object = c == '{';
                o.put((char) c);
                p = skip(b, p + 1, end);
                if (p < end && b[p] == (object ? '}' : ']')) {
                    o.put((char) b[p++]);
                } else {
                    int l = 4 * depth++;
                    level[l] = object ? 1 : 0;
                    level[l + 1] = o.top;
                    if (object && (p = name(b, p, end, o, level, l)) < 0) {
                        return -1;
                    }
                    continue;
                }
            } else if ((p = scalar(b, p, end, o)) < 0) {
                return -1;
            }
            // A value ended: the next item of its container, or the container's end, which ends a value too.
            while (true) {
                p = skip(b, p, end);
                if (depth == 0) {
                    return p == end ? p : -1;
                }
                int l = 4 * (depth - 1);
                boolean object = level[l] == 1;
                if (object) {
                    o.push(level[l + 2], level[l + 3], o.len);
                }
                if (p >= end) {
                    return -1;
                }
                if (b[p] == ',') {
                    o.put(',');
                    p = skip(b, p + 1, end);
                    if (object && (p = name(b, p, end, o, level, l)) < 0) {
                        return -1;
                    }
                    break;
                }
                if (b[p] != (object ? '}' : ']')) {
                    return -1;
                }
                if (object && !order(o, level[l + 1])) {
                    return -1;
                }
                o.top = level[l + 1];
                o.put((char) b[p++]);
                depth--;
            }
        }
    }

    /**
     * A member's name and colon, its position kept in {@code level[l + 2]} and {@code level[l + 3]} for
     * {@link #order}: ASCII without escapes, so that names sort by their bytes as by their UTF-16 code units.
     */
    private static int name(byte[] b, int p, int end, Out o, int[] level, int l) {
        if (p >= end || b[p] != '"') {
            return -1;
        }
        int nameAt = o.len;
        p = quoted(b, p, end, o);
        if (p < 0) {
            return -1;
        }
        for (int i = nameAt; i < o.len; i++) {
            if (o.buf[i] == '\\') {
                return -1;
            }
        }
        level[l + 2] = nameAt;
        level[l + 3] = o.len;
        p = skip(b, p, end);
        if (p >= end || b[p] != ':') {
            return -1;
        }
        o.put(':');
        return skip(b, p + 1, end);
    }

    /** Writes the string, number or literal at {@code p}; returns the position after it, or -1 to give up. */
    private static int scalar(byte[] b, int p, int end, Out o) {
        return switch (b[p]) {
            case '"' -> quoted(b, p, end, o);
            case 't' -> literal(b, p, end, "true", o);
            case 'f' -> literal(b, p, end, "false", o);
            case 'n' -> literal(b, p, end, "null", o);
            default -> number(b, p, end, o);
        };
    }

    private static int literal(byte[] b, int p, int end, String word, Out o) {
        if (end - p < word.length()) {
            return -1;
        }
        for (int i = 0; i < word.length(); i++) {
            if (b[p + i] != word.charAt(i)) {
                return -1;
            }
        }
        o.ascii(word);
        return p + word.length();
    }

    /** An integer of at most 15 digits, spelled as JSON spells it: exactly its canonical form. */
    private static int number(byte[] b, int p, int end, Out o) {
        int q = p;
        if (q < end && b[q] == '-') {
            q++;
        }
        int digits = q;
        while (q < end && b[q] >= '0' && b[q] <= '9') {
            q++;
        }
        int n = q - digits;
        if (n == 0 || n > MAX_DIGITS || (b[digits] == '0' && (n > 1 || digits > p))) {
            return -1; // no digits, too long, a leading zero, or -0
        }
        if (q < end && (b[q] == '.' || b[q] == 'e' || b[q] == 'E')) {
            return -1;
        }
        o.bytes(b, p, q - p);
        return q;
    }

    /** A string with ASCII text only; escapes are decoded and written again the canonical way. */
    private static int quoted(byte[] b, int p, int end, Out o) {
        o.put('"');
        p++;
        while (p < end) {
            byte c = b[p++];
            if (c == '"') {
                o.put('"');
                return p;
            }
            if (c < 0x20) {
                return -1; // non-ASCII (negative) or a raw control character
            }
            if (c != '\\') {
                o.put((char) c);
                continue;
            }
            if (p >= end) {
                return -1;
            }
            byte e = b[p++];
            switch (e) {
                case '"', '\\', '/' -> ascii((char) e, o);
                case 'b' -> ascii('\b', o);
                case 'f' -> ascii('\f', o);
                case 'n' -> ascii('\n', o);
                case 'r' -> ascii('\r', o);
                case 't' -> ascii('\t', o);
                case 'u' -> {
                    int u = p + 4 <= end ? hex4(b, p) : -1;
                    if (u < 0 || u >= 0x20) {
                        return -1;
                    }
                    ascii((char) u, o);
                    p += 4;
                }
                default -> {
                    return -1;
                }
            }
        }
        return -1;
    }

    private static int hex4(byte[] b, int p) {
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(b[p + i], 16);
            if (d < 0) {
                return -1;
            }
            v = v << 4 | d;
        }
        return v;
    }

    /** Compares the names of the members recorded at stack positions {@code a} and {@code m}. */
    private static int compareNames(Out o, int a, int m) {
        return Arrays.compareUnsigned(o.buf, o.stack[a] + 1, o.stack[a + 1] - 1, o.buf, o.stack[m] + 1, o.stack[m + 1] - 1);
    }

    /**
     * Rewrites the members recorded from {@code base} on in order of their names, unless they are in order
     * already (as they mostly are); false on a repeated name.
     */
    private static boolean order(Out o, int base) {
        int count = (o.top - base) / 3;
        boolean sorted = true;
        for (int i = 1; i < count; i++) {
            int c = compareNames(o, base + 3 * (i - 1), base + 3 * i);
            if (c == 0) {
                return false;
            }
            sorted &= c < 0;
        }
        if (sorted) {
            return true;
        }
        int[] order = new int[count];
        for (int i = 0; i < count; i++) {
            int j = i;
            while (j > 0) {
                int c = compareNames(o, base + 3 * order[j - 1], base + 3 * i);
                if (c == 0) {
                    return false;
                }
                if (c < 0) {
                    break;
                }
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
        }
        int from = o.stack[base];
        byte[] copy = Arrays.copyOfRange(o.buf, from, o.len);
        o.len = from;
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                o.put(',');
            }
            int m = base + 3 * order[i];
            o.bytes(copy, o.stack[m] - from, o.stack[m + 2] - o.stack[m]);
        }
        return true;
    }

    /**
     * A growable byte buffer that canonical JSON is written to, meant to be reused by one thread for one
     * record after another ({@link #reset}).
     */
    static final class Out {
        byte[] buf;
        int len;
        /** Scratch for {@link #text}: name start, name end and member end of the members of open objects. */
        int[] stack = new int[48];
        int top;
        /** Scratch for {@link #text}: four ints per open array or object. */
        private int[] levels;

        int[] levels() {
            if (levels == null) {
                levels = new int[4 * MAX_DEPTH];
            }
            return levels;
        }

        Out(int capacity) {
            buf = new byte[capacity];
        }

        void reset() {
            len = 0;
            top = 0;
        }

        void ensure(int more) {
            if (len + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
            }
        }

        void put(char c) {
            if (len == buf.length) {
                ensure(1);
            }
            buf[len++] = (byte) c;
        }

        void ascii(String s) {
            int n = s.length();
            ensure(n);
            for (int i = 0; i < n; i++) {
                buf[len++] = (byte) s.charAt(i);
            }
        }

        void bytes(byte[] b) {
            bytes(b, 0, b.length);
        }

        void bytes(byte[] b, int off, int n) {
            ensure(n);
            System.arraycopy(b, off, buf, len, n);
            len += n;
        }

        /** A long in decimal, as {@code Long.toString} spells it. */
        void number(long v) {
            if (v == Long.MIN_VALUE) {
                ascii(Long.toString(v));
                return;
            }
            ensure(20);
            if (v < 0) {
                buf[len++] = '-';
                v = -v;
            }
            int digits = 1;
            for (long t = v; t >= 10; t /= 10) {
                digits++;
            }
            for (int i = len + digits - 1; i >= len; i--) {
                buf[i] = (byte) ('0' + v % 10);
                v /= 10;
            }
            len += digits;
        }

        void push(int a, int b, int c) {
            if (top + 3 > stack.length) {
                stack = Arrays.copyOf(stack, stack.length * 2);
            }
            stack[top++] = a;
            stack[top++] = b;
            stack[top++] = c;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, len);
        }
    }
}
