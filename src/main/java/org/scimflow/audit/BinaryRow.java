package org.scimflow.audit;

import java.nio.charset.StandardCharsets;

/**
 * One {@code audit_event} row of {@code COPY (select RawRecord.COLUMNS …) TO STDOUT WITH (FORMAT binary)},
 * read in place: where each value lies in the message, and its values written as the record's canonical
 * JSON spells them, with no object per value. One instance is reused, row after row, by one thread.
 */
final class BinaryRow implements FastCanonical.Fields {

    private static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    /** 2000-01-01T00:00:00Z, PostgreSQL's timestamp epoch, in microseconds since 1970. */
    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

    byte[] m;
    /** Where each column's value starts in {@link #m}, and its length (-1 for null). */
    final int[] at = new int[RawRecord.COUNT];
    final int[] len = new int[RawRecord.COUNT];

    /**
     * Reads one COPY message: PostgreSQL sends each row as one, the first preceded by the file header,
     * then a trailer, for which this returns false.
     */
    boolean read(byte[] message) {
        m = message;
        int p = 0;
        if (m.length >= 19 && java.util.Arrays.equals(m, 0, SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
            p = 19 + int32(m, 15);
        }
        int count = (short) int16(m, p);
        p += 2;
        if (count == -1) {
            return false;
        }
        if (count != RawRecord.COUNT) {
            throw new IllegalStateException("unexpected COPY row with " + count + " fields");
        }
        for (int i = 0; i < RawRecord.COUNT; i++) {
            int n = int32(m, p);
            p += 4;
            at[i] = p;
            len[i] = n;
            if (n > 0) {
                p += n;
            }
        }
        if (len[RawRecord.SEQ] != 8) {
            throw new IllegalStateException("a record without a bigint seq");
        }
        if (len[RawRecord.PREV_HASH] < 0 || len[RawRecord.RECORD_HASH] < 0) {
            throw new IllegalStateException("record " + seq() + " has no prev_hash or record_hash");
        }
        return true;
    }

    long seq() {
        return int64(m, at[RawRecord.SEQ]);
    }

    @Override
    public boolean has(int col) {
        return len[col] >= 0;
    }

    @Override
    public void string(int col, CanonicalJson.Out o) {
        switch (col) {
            case RawRecord.EVENT_ID, RawRecord.PARENT_EVENT_ID -> uuid(int64(m, at[col]), int64(m, at[col] + 8), o);
            case RawRecord.EVENT_TIME, RawRecord.RECORDED_TIME -> {
                o.put('"');
                instant(int64(m, at[col]) + PG_EPOCH_MICROS, o);
                o.put('"');
            }
            default -> CanonicalJson.string(m, at[col], len[col], o);
        }
    }

    @Override
    public void number(int col, CanonicalJson.Out o) {
        o.number(col == RawRecord.SCHEMA_VERSION ? (short) int16(m, at[col]) : int32(m, at[col]));
    }

    /** jsonb: a format version byte, then the text. */
    @Override
    public byte[] changes() {
        return has(RawRecord.CHANGES) ? m : null;
    }

    @Override
    public int changesFrom() {
        return at[RawRecord.CHANGES] + 1;
    }

    @Override
    public int changesLength() {
        return len[RawRecord.CHANGES] - 1;
    }

    private static int int16(byte[] b, int p) {
        return ((b[p] & 0xff) << 8) | (b[p + 1] & 0xff);
    }

    private static int int32(byte[] b, int p) {
        return (b[p] << 24) | ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
    }

    private static long int64(byte[] b, int p) {
        return ((long) int32(b, p) << 32) | (int32(b, p + 4) & 0xffffffffL);
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** A UUID in quotes, as {@link java.util.UUID#toString} spells it. */
    private static void uuid(long msb, long lsb, CanonicalJson.Out o) {
        o.ensure(38);
        byte[] b = o.buf;
        int p = o.len;
        b[p++] = '"';
        p = hex(msb >>> 32, 8, b, p);
        b[p++] = '-';
        p = hex(msb >>> 16, 4, b, p);
        b[p++] = '-';
        p = hex(msb, 4, b, p);
        b[p++] = '-';
        p = hex(lsb >>> 48, 4, b, p);
        b[p++] = '-';
        p = hex(lsb, 12, b, p);
        b[p++] = '"';
        o.len = p;
    }

    /** The low {@code digits} hex digits of {@code v}. */
    private static int hex(long v, int digits, byte[] b, int p) {
        for (int i = digits - 1; i >= 0; i--) {
            b[p + i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
        return p + digits;
    }

    /** The second last written by {@link #instant}, as {@code yyyy-mm-ddThh:mm:ss}: records come in time order. */
    private long second = Long.MIN_VALUE;
    private final byte[] dateTime = new byte[19];

    /** Microseconds since 1970 as {@link java.time.Instant#toString()} prints them (millis or micros shown). */
    static String instantOfMicros(long micros) {
        CanonicalJson.Out o = new CanonicalJson.Out(32);
        long secs = Math.floorDiv(micros, 1_000_000L);
        byte[] d = new byte[19];
        if (!dateTime(secs, d)) {
            return java.time.Instant.ofEpochSecond(secs, (micros - secs * 1_000_000L) * 1000L).toString();
        }
        fraction(d, (int) (micros - secs * 1_000_000L), o);
        return new String(o.buf, 0, o.len, StandardCharsets.US_ASCII);
    }

    /** {@link #instantOfMicros} written to {@code o}, reusing the date and time of the previous call's second. */
    void instant(long micros, CanonicalJson.Out o) {
        long secs = Math.floorDiv(micros, 1_000_000L);
        int micro = (int) (micros - secs * 1_000_000L);
        if (secs != second) {
            if (!dateTime(secs, dateTime)) {
                o.ascii(java.time.Instant.ofEpochSecond(secs, micro * 1000L).toString());
                return;
            }
            second = secs;
        }
        fraction(dateTime, micro, o);
    }

    /** {@code yyyy-mm-ddThh:mm:ss} of {@code secs} into {@code d}; false outside years 1000–9999 (other spellings). */
    private static boolean dateTime(long secs, byte[] d) {
        long day = Math.floorDiv(secs, 86_400L);
        java.time.LocalDate date = java.time.LocalDate.ofEpochDay(day);
        if (date.getYear() < 1000 || date.getYear() > 9999) {
            return false;
        }
        int sod = (int) (secs - day * 86_400L);
        digits(d, 0, date.getYear(), 4);
        d[4] = '-';
        digits(d, 5, date.getMonthValue(), 2);
        d[7] = '-';
        digits(d, 8, date.getDayOfMonth(), 2);
        d[10] = 'T';
        digits(d, 11, sod / 3600, 2);
        d[13] = ':';
        digits(d, 14, sod / 60 % 60, 2);
        d[16] = ':';
        digits(d, 17, sod % 60, 2);
        return true;
    }

    /** The date and time, then the milliseconds or microseconds if any, then {@code Z}. */
    private static void fraction(byte[] dateTime, int micro, CanonicalJson.Out o) {
        o.ensure(27);
        byte[] b = o.buf;
        int n = o.len;
        System.arraycopy(dateTime, 0, b, n, 19);
        n += 19;
        if (micro != 0) {
            b[n++] = '.';
            n = micro % 1000 == 0 ? digits(b, n, micro / 1000, 3) : digits(b, n, micro, 6);
        }
        b[n++] = 'Z';
        o.len = n;
    }

    private static int digits(byte[] b, int n, int v, int width) {
        for (int i = width - 1; i >= 0; i--) {
            b[n + i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return n + width;
    }
}
