package dev.stacyvm.worker.files;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TarEntryGuardTest {

    /** One ustar header for {@code name} of {@code type} with {@code size} bytes of content. */
    private static byte[] header(String name, char type, int size, String link) {
        byte[] h = new byte[512];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 124, String.format("%011o", size));
        h[156] = (byte) type;
        put(h, 157, link);
        put(h, 257, "ustar");
        put(h, 263, "00");
        return h;
    }

    private static void put(byte[] header, int offset, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }

    private static String scan(byte[]... blocks) {
        ByteArrayOutputStream archive = new ByteArrayOutputStream();
        for (byte[] block : blocks) {
            archive.writeBytes(block);
        }
        archive.writeBytes(new byte[1024]);
        TarEntryGuard guard = new TarEntryGuard(new ByteArrayInputStream(archive.toByteArray()));
        try {
            guard.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException refused) {
            assertTrue(refused.getMessage().startsWith("archive refused"));
        }
        return guard.refusal();
    }

    private static byte[] content(String text) {
        byte[] block = new byte[512];
        put(block, 0, text);
        return block;
    }

    @Test
    void plainFilesDirectoriesAndInwardLinksPass() {
        assertNull(scan(header("./dir/", '5', 0, ""), header("./dir/a.txt", '0', 5, ""), content("hello"),
                header("./dir/link", '2', 0, "a.txt"), header("./dir/hard", '1', 0, "dir/a.txt")));
    }

    @Test
    void entriesThatCouldLeaveTheTargetAreRefused() {
        assertNotNull(scan(header("/etc/evil", '0', 0, "")));
        assertNotNull(scan(header("ok/../../evil", '0', 0, "")));
        assertNotNull(scan(header("link", '2', 0, "/etc/shadow")));
        assertNotNull(scan(header("link", '2', 0, "../../etc")));
        assertNotNull(scan(header("hard", '1', 0, "/etc/passwd")));
        assertNotNull(scan(header("fifo", '6', 0, "")));
        assertNotNull(scan(header("tty", '3', 0, "")));
        assertNotNull(scan(header("disk", '4', 0, "")));
    }

    @Test
    void gnuLongNamesAndPaxPathsAreCheckedToo() {
        byte[] longName = "../escape".getBytes(StandardCharsets.UTF_8);
        assertNotNull(scan(header("././@LongLink", 'L', longName.length, ""), content("../escape"),
                header("harmless", '0', 0, "")));
        String record = "path=/etc/cron.d/x\n";
        String pax = (record.length() + 3) + " " + record;
        assertNotNull(scan(header("PaxHeader", 'x', pax.length(), ""), content(pax), header("harmless", '0', 0, "")));
    }

    @Test
    void paxLengthsCountBytesSoMultiByteTextCannotHideARecord() {
        String hidden = "linkpath=/etc/shadow\n";
        String hiddenRecord = (hidden.length() + 3) + " " + hidden;
        // a comment of two-byte characters: counted in bytes, the next record is still read
        String comment = "comment=" + "é".repeat(hiddenRecord.length()) + "\n";
        int commentBytes = comment.getBytes(StandardCharsets.UTF_8).length;
        int total = commentBytes + 2;
        while (String.valueOf(total).length() + 1 + commentBytes != total) {
            total++;
        }
        String commentRecord = total + " " + comment;
        String pax = commentRecord + hiddenRecord;
        int paxBytes = pax.getBytes(StandardCharsets.UTF_8).length;
        byte[] paxBlock = new byte[(paxBytes + 511) / 512 * 512];
        System.arraycopy(pax.getBytes(StandardCharsets.UTF_8), 0, paxBlock, 0, paxBytes);
        assertNotNull(scan(header("PaxHeader", 'x', paxBytes, ""), paxBlock, header("link", '2', 0, "fine")));
    }
}
