package dev.stacyvm.contract.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One JSON text message on an exec WebSocket after the {@link ExecSocketRequest}, in StacyVM's
 * framing where it has one.
 *
 * <p>Server to client: output {@code {"stream":"stdout","data":"..."}} (StacyVM's chunk; on a
 * terminal everything is {@code stdout}); last {@code {"type":"done","exit_code":0,
 * "duration":"1.2s","timed_out":false}} (StacyVM sends {@code type: done} alone; the rest is ours),
 * then a normal close (1000); or {@code {"type":"error","error":"...","code":"not_found"}}
 * (StacyVM's {@code error} field) and a close with 1011, or 1007 when the request was invalid.
 *
 * <p>Client to server: {@code {"type":"stdin","data":"ls\n"}} (a binary message is stdin bytes as
 * they are), {@code {"type":"resize","cols":120,"rows":40}}, {@code {"type":"signal",
 * "signal":"SIGINT"}} (INT, TERM, KILL, HUP, QUIT, USR1, USR2, CONT, STOP, with or without SIG;
 * to the terminal's foreground job), {@code {"type":"eof"}} (ends stdin). Closing the socket kills
 * the command and everything it started.
 */
@Schema(description = "A message on an exec WebSocket after the first: output chunks, done, error (server); stdin, "
        + "resize, signal, eof (client).")
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExecSocketFrame(
        @Schema(description = "done, error, stdin, resize, signal or eof; left out on output chunks.") String type,
        @Schema(description = "stdout or stderr, on output chunks.") String stream,
        @Schema(description = "Output or stdin: text, or base64 when the request set encoding base64.") String data,
        @Schema(description = "Columns, on resize.") Integer cols,
        @Schema(description = "Rows, on resize.") Integer rows,
        @Schema(description = "The signal, on signal.", examples = "SIGINT") String signal,
        @Schema(description = "The command's exit status, on done.") Integer exitCode,
        @Schema(description = "How long the session ran (Go duration), on done.") String duration,
        @Schema(description = "Whether the timeout ended it, on done.") Boolean timedOut,
        @Schema(description = "What went wrong, on error.") String error,
        @Schema(description = "The error's code (ErrorCode's wire name), on error.") String code) {

    public static final String DONE = "done";
    public static final String ERROR = "error";
    public static final String STDIN = "stdin";
    public static final String RESIZE = "resize";
    public static final String SIGNAL = "signal";
    public static final String EOF = "eof";

    /** WebSocket close codes (RFC 6455, section 7.4.1) the endpoint uses. */
    public static final short CLOSE_NORMAL = 1000;
    public static final short CLOSE_GOING_AWAY = 1001;
    public static final short CLOSE_INVALID = 1007;
    public static final short CLOSE_POLICY = 1008;
    public static final short CLOSE_ERROR = 1011;

    /** An output chunk. */
    public static ExecSocketFrame output(String stream, String data) {
        return new ExecSocketFrame(null, stream, data, null, null, null, null, null, null, null, null);
    }

    /** The last frame of a session that ran. */
    public static ExecSocketFrame done(int exitCode, String duration, boolean timedOut) {
        return new ExecSocketFrame(DONE, null, null, null, null, null, exitCode, duration, timedOut, null, null);
    }

    /** The last frame of a session refused or failed. */
    public static ExecSocketFrame failure(ErrorCode code, String message) {
        return new ExecSocketFrame(ERROR, null, null, null, null, null, null, null, null, message, code.wireName());
    }

    /** A client's stdin. */
    public static ExecSocketFrame stdin(String data) {
        return new ExecSocketFrame(STDIN, null, data, null, null, null, null, null, null, null, null);
    }

    /** A client's new terminal size. */
    public static ExecSocketFrame resize(int cols, int rows) {
        return new ExecSocketFrame(RESIZE, null, null, cols, rows, null, null, null, null, null, null);
    }

    /** A client's signal. */
    public static ExecSocketFrame signal(String signal) {
        return new ExecSocketFrame(SIGNAL, null, null, null, null, signal, null, null, null, null, null);
    }

    /** A client's end of stdin. */
    public static ExecSocketFrame eof() {
        return new ExecSocketFrame(EOF, null, null, null, null, null, null, null, null, null, null);
    }
}
