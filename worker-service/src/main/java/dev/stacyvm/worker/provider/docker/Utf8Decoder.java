package dev.stacyvm.worker.provider.docker;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes one output stream that arrives in arbitrary frames: a character split across two
 * frames is kept until its last byte arrives; invalid bytes become U+FFFD.
 */
public final class Utf8Decoder {

    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer pending = ByteBuffer.allocate(0);

    public String decode(byte[] bytes) {
        ByteBuffer input = ByteBuffer.allocate(pending.remaining() + bytes.length);
        input.put(pending).put(bytes).flip();
        CharBuffer output = CharBuffer.allocate((int) (input.remaining() * (double) decoder.maxCharsPerByte()) + 1);
        decoder.decode(input, output, false);
        pending = input.slice();
        return output.flip().toString();
    }

    /** Whatever incomplete bytes remain at the end of the stream, as replacement characters. */
    public String finish() {
        CharBuffer output = CharBuffer.allocate(pending.remaining() + 1);
        decoder.decode(pending, output, true);
        decoder.flush(output);
        pending = ByteBuffer.allocate(0);
        return output.flip().toString();
    }
}
