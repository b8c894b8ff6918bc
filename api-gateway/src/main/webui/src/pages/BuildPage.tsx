import { useEffect, useRef, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { ApiError, type Build, type BuildLogLine, type Sandbox, del, enc, followLines, json, post } from '../api';
import { mayWrite, useCaller } from '../session';
import { ErrorNote, When, bytes, DangerButton, useEvery, useLoad } from '../ui';
import { BuildStatus } from './Builds';

/** What GET .../builds/{id}/spawn-config answers (SpawnConfig). */
interface SpawnConfig {
  image: string;
  provider: string;
  ready: boolean;
}

const RUNNING = ['queued', 'building'];

/**
 * One build: its status and step, its log as the build writes it (GET .../logs, NDJSON, followed
 * while it runs; the stored log once it has ended), and what may be done with it: cancel it while
 * it runs, start a sandbox from its image once ready, delete it and its image once ended.
 */
export function BuildPage() {
  const { params } = useRoute();
  const id = params.id;
  const caller = useCaller();
  const writable = mayWrite(caller);
  const build = useLoad(() => json<Build>(`/environments/builds/${enc(id)}`), [id]);
  const [log, setLog] = useState('');
  const [following, setFollowing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const { route } = useLocation();
  const logView = useRef<HTMLPreElement>(null);
  const status = build.value?.status;
  const running = status !== undefined && RUNNING.includes(status);

  // a running build's log is followed as written; its last line is the final status. A stream
  // that ends while the build still runs (a proxy's timeout, a dropped connection) is followed
  // again from its start, after a wait that doubles up to 30 s; a refusal (404, 403) stops it.
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!running) return;
    const stop = new AbortController();
    let retry: ReturnType<typeof setTimeout> | undefined;
    let refused = false;
    setLog('');
    setFollowing(true);
    followLines<BuildLogLine>(
      `/environments/builds/${enc(id)}/logs`,
      (line) => {
        if (line.data !== undefined) setLog((text) => text + line.data);
      },
      stop.signal,
    )
      .catch((err) => {
        if (stop.signal.aborted) return;
        refused = err instanceof ApiError && err.status >= 400 && err.status < 500;
        setError(err);
      })
      .finally(async () => {
        if (stop.signal.aborted) return;
        setFollowing(false);
        await build.reload();
        if (!refused && !stop.signal.aborted) retry = setTimeout(() => setAttempt((n) => n + 1), Math.min(30_000, 1000 * 2 ** Math.min(attempt, 5)));
      });
    return () => {
      stop.abort();
      clearTimeout(retry);
    };
  }, [id, running, attempt]);

  // the status and step of a running build, read again every 3 s
  useEvery(3000, () => running && void build.reload(), [running]);

  // an ended build shows the log it kept
  useEffect(() => {
    if (build.value && !running) setLog(build.value.log ?? '');
  }, [build.value, running]);

  // keep the newest line in view while it grows, unless the reader scrolled up
  useEffect(() => {
    const view = logView.current;
    if (view && view.scrollHeight - view.scrollTop - view.clientHeight < 80) view.scrollTop = view.scrollHeight;
  }, [log]);

  const b = build.value;
  return (
    <section>
      <div class="heading">
        <h1 class="mono">{id}</h1>
        {b && <BuildStatus status={b.status} />}
        <a href="/console/builds">All builds</a>
      </div>
      <ErrorNote error={error ?? build.error} onDismiss={error ? () => setError(null) : undefined} />
      {b && (
        <>
          <dl class="details">
            <dt>Name</dt>
            <dd>{b.name}</dd>
            <dt>Step</dt>
            <dd data-testid="step">{b.current_step ?? '–'}</dd>
            {b.error && (
              <>
                <dt>Error</dt>
                <dd class="error-text">{b.error}</dd>
              </>
            )}
            <dt>Image</dt>
            <dd class="mono" data-testid="image">
              {b.image ?? '–'}
            </dd>
            <dt>Digest</dt>
            <dd class="mono">{b.digest_local ?? '–'}</dd>
            <dt>Size</dt>
            <dd>{b.image_size_bytes ? bytes(b.image_size_bytes) : '–'}</dd>
            <dt>Created</dt>
            <dd>
              <When at={b.created_at} />
            </dd>
            <dt>Finished</dt>
            <dd>
              <When at={b.finished_at} />
            </dd>
            {b.spec_id && (
              <>
                <dt>Spec</dt>
                <dd class="mono">{b.spec_id}</dd>
              </>
            )}
          </dl>
          {writable && (
            <div class="toolbar wrap">
              {running && (
                <DangerButton
                  question={`Cancel build ${b.name}?`}
                  action={() => post(`/environments/builds/${enc(id)}/cancel`)}
                  done={() => build.reload()}
                  failed={setError}
                >
                  Cancel build
                </DangerButton>
              )}
              {status === 'ready' && (
                <button
                  type="button"
                  class="primary"
                  onClick={async () => {
                    try {
                      const spawn = await json<SpawnConfig>(`/environments/builds/${enc(id)}/spawn-config`);
                      const sandbox = await post<Sandbox>('/sandboxes', { image: spawn.image, provider: spawn.provider });
                      route(`/console/sandboxes/${sandbox.id}`);
                    } catch (err) {
                      setError(err);
                    }
                  }}
                >
                  New sandbox from this image
                </button>
              )}
              {!running && (
                <DangerButton
                  question={`Delete build ${b.name} and its image?`}
                  action={() => del(`/environments/builds/${enc(id)}`)}
                  done={() => route('/console/builds')}
                  failed={setError}
                >
                  Delete build
                </DangerButton>
              )}
            </div>
          )}
          <h2>Log {following && <span class="badge live">live</span>}</h2>
          <pre class="output" ref={logView} aria-label={`The log of build ${b.name}`} aria-busy={following} data-testid="build-log">
            {log || (running ? 'Waiting for the build to start…' : 'No log.')}
          </pre>
        </>
      )}
    </section>
  );
}
