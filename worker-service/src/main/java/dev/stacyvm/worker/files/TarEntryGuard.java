package dev.stacyvm.worker.files;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Ours rather than Commons Compress's {@code TarArchiveInputStream}: that one normalizes names as
 * it reads them ({@code TarArchiveEntry.setName} drops a pax {@code path}'s leading '/'), so it
 * cannot judge the header bytes the sandbox's own tar acts on, which is this class's one job.
 *
 * <p>Passes a tar stream through unchanged while reading every header on the way, and stops it at
 * the first entry that could reach outside the target directory or is not a plain file: an
 * absolute name, a {@code ..} component, a link whose target is absolute or climbs with
 * {@code ..}, a device, a FIFO, or a type it does not know. GNU long names and pax
 * {@code path}/{@code linkpath} records are honoured, as tar itself would.
 */
public final class TarEntryGuard extends InputStream {

    private static final int BLOCK = 512;
    private static final int MAX_EXTENDED_HEADER = 1 << 20;

    private final InputStream in;
    private final byte[] header = new byte[BLOCK];
    private int headerFill;
    private long dataRemaining;
    private ByteArrayOutputStream extended;
    private char extendedType;
    private String longName;
    private String longLink;
    private String paxPath;
    private String paxLink;
    private boolean ended;
    private volatile String refusal;

    public TarEntryGuard(InputStream in) {
        this.in = in;
    }

    /** Why the archive was refused, or null while it is acceptable. */
    public String refusal() {
        return refusal;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (refusal != null) {
            throw new IOException("archive refused: " + refusal);
        }
        int n = in.read(buffer, offset, length);
        if (n > 0) {
            inspect(buffer, offset, n);
        }
        if (refusal != null) {
            throw new IOException("archive refused: " + refusal);
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private void inspect(byte[] buffer, int offset, int length) {
        int position = offset;
        int end = offset + length;
        while (position < end && !ended && refusal == null) {
            if (dataRemaining > 0) {
                int take = (int) Math.min(dataRemaining, end - position);
                if (extended != null && extended.size() < MAX_EXTENDED_HEADER) {
                    extended.write(buffer, position, take);
                }
                dataRemaining -= take;
                position += take;
                if (dataRemaining == 0 && extended != null) {
                    finishExtended();
                }
                continue;
            }
            int take = Math.min(BLOCK - headerFill, end - position);
            System.arraycopy(buffer, position, header, headerFill, take);
            headerFill += take;
            position += take;
            if (headerFill == BLOCK) {
                headerFill = 0;
                onHeader();
            }
        }
    }

    private void onHeader() {
        if (isZero(header)) {
            ended = true; // the end-of-archive marker; what follows is padding
            return;
        }
        long size = number(124, 12);
        long padded = (size + BLOCK - 1) / BLOCK * BLOCK;
        char type = (char) header[156];
        switch (type) {
            case 'L', 'K', 'x', 'g' -> {
                if (size > MAX_EXTENDED_HEADER) {
                    refusal = "an extended header is too large";
                    return;
                }
                extended = new ByteArrayOutputStream((int) size);
                extendedType = type;
                dataRemaining = padded;
                if (padded == 0) {
                    finishExtended();
                }
                return;
            }
            case '0', '\0', '7', '5', '1', '2' -> {
                // plain files, directories and links: checked below
            }
            case '3', '4' -> {
                refusal = "device entries are not allowed: " + entryName();
                return;
            }
            case '6' -> {
                refusal = "FIFO entries are not allowed: " + entryName();
                return;
            }
            default -> {
                refusal = "unsupported entry type '" + type + "': " + entryName();
                return;
            }
        }
        String name = entryName();
        String why = unsafe(name);
        if (why != null) {
            refusal = "entry \"" + name + "\" " + why;
            return;
        }
        if (type == '1' || type == '2') {
            String target = paxLink != null ? paxLink : longLink != null ? longLink : text(157, 100);
            String linkWhy = unsafe(target);
            if (linkWhy != null) {
                refusal = "link \"" + name + "\" -> \"" + target + "\" " + linkWhy;
                return;
            }
        }
        longName = null;
        longLink = null;
        paxPath = null;
        paxLink = null;
        dataRemaining = type == '5' || type == '1' || type == '2' ? 0 : padded;
    }

    private void finishExtended() {
        byte[] bytes = extended.toByteArray();
        extended = null;
        switch (extendedType) {
            case 'L' -> longName = cString(bytes);
            case 'K' -> longLink = cString(bytes);
            case 'x' -> readPax(bytes, false);
            case 'g' -> readPax(bytes, true);
            default -> {
            }
        }
    }

    /**
     * pax records: "length key=value\n", where the length counts bytes (of UTF-8), so the records
     * are walked over the bytes, not the decoded text; a global header naming a path is refused.
     */
    private void readPax(byte[] records, boolean global) {
        int position = 0;
        while (position < records.length) {
            int space = position;
            while (space < records.length && records[space] != ' ') {
                space++;
            }
            if (space == records.length) {
                return;
            }
            int length;
            try {
                length = Integer.parseInt(new String(records, position, space - position, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                refusal = "a pax header is malformed";
                return;
            }
            if (length <= space - position || position + length > records.length) {
                refusal = "a pax header is malformed";
                return;
            }
            String record = new String(records, space + 1, position + length - space - 2, StandardCharsets.UTF_8);
            int equals = record.indexOf('=');
            if (equals > 0) {
                String key = record.substring(0, equals);
                String value = record.substring(equals + 1);
                if (key.equals("path") || key.equals("linkpath")) {
                    if (global) {
                        refusal = "global pax headers may not name paths";
                        return;
                    }
                    if (key.equals("path")) {
                        paxPath = value;
                    } else {
                        paxLink = value;
                    }
                }
            }
            position += length;
        }
    }

    private String entryName() {
        if (paxPath != null) {
            return paxPath;
        }
        if (longName != null) {
            return longName;
        }
        String name = text(0, 100);
        String magic = text(257, 6);
        if (magic.startsWith("ustar")) {
            String prefix = text(345, 155);
            if (!prefix.isEmpty()) {
                name = prefix + "/" + name;
            }
        }
        return name;
    }

    /** Why a name or link target could leave the target directory, or null when it cannot. */
    static String unsafe(String path) {
        if (path.isEmpty()) {
            return "is empty";
        }
        if (path.startsWith("/")) {
            return "is absolute";
        }
        if (path.indexOf('\0') >= 0) {
            return "contains a NUL byte";
        }
        for (String part : path.split("/")) {
            if (part.equals("..")) {
                return "contains '..'";
            }
        }
        return null;
    }

    private String text(int offset, int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static String cString(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }

    /** An octal field, or GNU's base-256 form when the first byte's high bit is set. */
    private long number(int offset, int length) {
        if ((header[offset] & 0x80) != 0) {
            long value = header[offset] & 0x7f;
            for (int i = 1; i < length; i++) {
                value = (value << 8) | (header[offset + i] & 0xff);
            }
            return value;
        }
        String digits = text(offset, length).trim();
        if (digits.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(digits, 8);
        } catch (NumberFormatException e) {
            refusal = "a header has a malformed size";
            return 0;
        }
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }
}
