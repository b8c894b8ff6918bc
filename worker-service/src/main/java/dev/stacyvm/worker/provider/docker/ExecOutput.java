package dev.stacyvm.worker.provider.docker;

import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Collects an exec's stdout and stderr separately, each up to a limit; what passes the limit is
 * dropped (never held in memory) and the result says how much.
 */
class ExecOutput extends ResultCallback.Adapter<Frame> {

    private final int limit;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private long droppedStdout;
    private long droppedStderr;

    ExecOutput(int limit) {
        this.limit = limit;
    }

    @Override
    public synchronized void onNext(Frame frame) {
        byte[] payload = frame.getPayload();
        if (payload == null) {
            return;
        }
        if (frame.getStreamType() == StreamType.STDERR) {
            droppedStderr += append(stderr, payload);
        } else {
            droppedStdout += append(stdout, payload);
        }
    }

    private int append(ByteArrayOutputStream target, byte[] payload) {
        int room = Math.max(0, limit - target.size());
        int kept = Math.min(room, payload.length);
        target.write(payload, 0, kept);
        return payload.length - kept;
    }

    synchronized String stdout() {
        return text(stdout, droppedStdout);
    }

    synchronized String stderr() {
        return text(stderr, droppedStderr);
    }

    private static String text(ByteArrayOutputStream kept, long dropped) {
        String text = kept.toString(StandardCharsets.UTF_8);
        return dropped == 0 ? text : text + "\n[stacyvm: output truncated, " + dropped + " more bytes dropped]";
    }
}
