package dev.stacyvm.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Server-Sent Events read as WHATWG HTML says ("Interpreting an event stream"), with no network. */
class ServerSentEventParserTest {

    private static List<ServerSentEventParser.Message> parse(ServerSentEventParser parser, String stream) throws IOException {
        List<ServerSentEventParser.Message> messages = new ArrayList<>();
        BufferedReader lines = new BufferedReader(new StringReader(stream));
        String line;
        while ((line = lines.readLine()) != null) {
            ServerSentEventParser.Message message = parser.line(line);
            if (message != null) {
                messages.add(message);
            }
        }
        return messages;
    }

    private static List<ServerSentEventParser.Message> parse(String stream) throws IOException {
        return parse(new ServerSentEventParser(null), stream);
    }

    @Test
    void commentsAndHeartbeatsAreSkipped() throws IOException {
        ServerSentEventParser parser = new ServerSentEventParser(null);
        List<ServerSentEventParser.Message> messages = parse(parser, """
                : stream of stacyvm.sandbox-events

                : heartbeat

                :no space either
                id: 0:1
                data: {"a":1}

                : heartbeat

                """);
        assertEquals(List.of(new ServerSentEventParser.Message("message", "{\"a\":1}", "0:1")), messages);
        assertEquals("0:1", parser.lastEventId(), "a comment after the event does not move the id");
    }

    @Test
    void dataLinesOfOneEventAreJoinedWithLineFeeds() throws IOException {
        assertEquals(List.of(new ServerSentEventParser.Message("message", "first\n\nthird", null)),
                parse("data: first\ndata\ndata:third\n\n"));
        assertEquals("  two spaces, one kept", parse("data:   two spaces, one kept\n\n").get(0).data(),
                "only the one space after the colon is dropped");
        assertEquals(List.of(), parse("data: cut off by the end of the stream"), "an event without its empty line is dropped");
        assertEquals(List.of(), parse("\n\n\nid: 1\n\n"), "blocks without data dispatch nothing");
    }

    @Test
    void anIdStaysUntilTheNextOneAndMovesTheCursorEvenWithoutData() throws IOException {
        ServerSentEventParser parser = new ServerSentEventParser("0:5");
        List<ServerSentEventParser.Message> messages = parse(parser, """
                data: resumed, no id of its own

                id: 0:7
                data: seven

                data: still seven

                id: 0:9

                """);
        assertEquals(List.of("0:5", "0:7", "0:7"), messages.stream().map(ServerSentEventParser.Message::lastEventId).toList());
        assertEquals("0:9", parser.lastEventId(), "an id block without data moves where a reconnection resumes");
        ServerSentEventParser emptied = new ServerSentEventParser("0:1");
        parse(emptied, "id\ndata: x\n\n");
        assertNull(emptied.lastEventId(), "an empty id resets it");
        ServerSentEventParser nul = new ServerSentEventParser("0:1");
        parse(nul, "id: 0:\u00002\ndata: x\n\n");
        assertEquals("0:1", nul.lastEventId(), "an id with NUL is ignored");
    }

    @Test
    void idIsOnlySetWhenItsBlockEnds() throws IOException {
        ServerSentEventParser parser = new ServerSentEventParser("0:1");
        parse(parser, "id: 0:2\ndata: no empty line yet");
        assertEquals("0:1", parser.lastEventId(), "an unfinished block does not move the cursor");
    }

    @Test
    void retryTakesOnlyDigits() throws IOException {
        ServerSentEventParser parser = new ServerSentEventParser(null);
        assertNull(parser.retryMillis());
        parse(parser, "retry: 2000\n\n");
        assertEquals(2000L, parser.retryMillis());
        parse(parser, "retry: 3s\nretry: -1\nretry:\nretry: 99999999999999999999999\n\n");
        assertEquals(2000L, parser.retryMillis(), "values that are not all digits are ignored");
        parse(parser, "retry:15\n");
        assertEquals(15L, parser.retryMillis(), "retry needs no empty line");
    }

    @Test
    void lineEndingsMayBeCrLfOrCrAndAByteOrderMarkIsDropped() throws IOException {
        List<ServerSentEventParser.Message> messages = parse("\uFEFFid: 1\r\ndata: a\r\n\r\nid: 2\rdata: b\r\rdata: c\n\n");
        assertEquals(List.of("a", "b", "c"), messages.stream().map(ServerSentEventParser.Message::data).toList());
        assertEquals("1", messages.get(0).lastEventId(), "the byte order mark is not part of the first field");
    }

    @Test
    void eventTypesAndUnknownFieldsAreReadAsTheStandardSays() throws IOException {
        List<ServerSentEventParser.Message> messages = parse("""
                event: ping
                data: 1

                data: 2
                event
                foo: bar
                data

                """);
        assertEquals(List.of(new ServerSentEventParser.Message("ping", "1", null),
                new ServerSentEventParser.Message("message", "2\n", null)), messages,
                "the type lasts one event; an empty type is message; a bare data line adds an empty line");
    }
}
