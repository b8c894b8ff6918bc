import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { createTar } from 'nanotar';
import { type Build, call, del, enc, json, post } from '../api';
import { mayWrite, useCaller } from '../session';
import { ErrorNote, Notice, When, bytes, DangerButton, useEvery, useLoad, Table } from '../ui';

/** An environment spec (EnvironmentSpecView): a base image plus packages a build installs. */
interface Spec {
  id: string;
  name: string;
  base_image: string;
  apt_packages?: string[] | null;
  python_packages?: string[] | null;
  python_version?: string | null;
  pip_index_url?: string | null;
  updated_at: string;
}

/** A tar header names a path in at most 100 bytes (ustar without its prefix field). */
const MAX_TAR_NAME = 100;

const EXAMPLE = `FROM stacyvm/base:bookworm
WORKDIR /srv/app
COPY . .
RUN echo "built $(date -u)" > built.txt
CMD ["sleep", "infinity"]
`;

/** A build's status as a badge: ready green, queued and building blue, failed and canceled red. */
export function BuildStatus({ status }: { status: string }) {
  return <span class={`badge state-${status}`}>{status}</span>;
}

/** `NAME=value` lines as the repeated `build_arg` query parameters a Dockerfile build takes. */
function buildArgs(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(line)) throw new Error(`Build argument "${line}" is not NAME=value`);
      return `&build_arg=${enc(line)}`;
    })
    .join('');
}

/**
 * The build context as a tar (what POST /api/v1/environments/builds takes): the Dockerfile at its
 * top and the chosen files beside it, a chosen folder's files under their paths inside it.
 */
async function context(dockerfile: string, files: File[]): Promise<Uint8Array> {
  const entries = [{ name: 'Dockerfile', data: new TextEncoder().encode(dockerfile) }];
  for (const file of files) {
    // a folder's files carry "folder/sub/name": the folder itself is the context's top
    const path = file.webkitRelativePath ? file.webkitRelativePath.split('/').slice(1).join('/') : file.name;
    if (path === 'Dockerfile') continue; // the text above is the Dockerfile
    if (new TextEncoder().encode(path).length > MAX_TAR_NAME) throw new Error(`${path}: the console sends paths of up to ${MAX_TAR_NAME} bytes`);
    entries.push({ name: path, data: new Uint8Array(await file.arrayBuffer()) });
  }
  return createTar(entries);
}

/**
 * Builds (docs/images.md, Builds): a Dockerfile with its context, or an environment spec's
 * packages, become an image sandboxes spawn from. New builds from a pasted Dockerfile plus files
 * or a folder, the caller's specs (save, build, delete) and their builds, newest first (read again
 * every 3 s while one runs); each build opens its page with the log as it is written.
 */
export function Builds() {
  const caller = useCaller();
  const writable = mayWrite(caller);
  const builds = useLoad(() => json<Build[]>('/environments/builds?limit=100'), []);
  const specs = useLoad(() => json<Spec[]>('/environments/specs'), []);
  const [files, setFiles] = useState<File[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const [sending, setSending] = useState(false);
  const { route } = useLocation();
  // while a build runs, its row follows it
  const running = (builds.value ?? []).some((b) => b.status === 'queued' || b.status === 'building');
  useEvery(3000, () => running && void builds.reload(), [running]);

  const startDockerfileBuild = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    setError(null);
    setSending(true);
    try {
      const name = String(form.get('name') ?? '').trim();
      const query = `?name=${enc(name)}${buildArgs(String(form.get('build_args') ?? ''))}`;
      const body = await context(String(form.get('dockerfile') ?? ''), files);
      const response = await call(`/environments/builds${query}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-tar' },
        body: body as BodyInit,
      });
      const build = (await response.json()) as Build;
      route(`/console/builds/${build.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setSending(false);
    }
  };

  return (
    <section>
      <h1>Builds</h1>
      {writable && (
        <form class="panel" aria-label="New Dockerfile build" onSubmit={startDockerfileBuild}>
          <h2>Build a Dockerfile</h2>
          <p class="hint">
            One stage, built without network in a hardened build sandbox: FROM, ARG, ENV, RUN, COPY, ADD (local files), WORKDIR, USER, CMD, ENTRYPOINT, EXPOSE,
            LABEL. The image stays on the worker that built it. Build arguments travel in the request's URL: pass no secret in one.
          </p>
          <label>
            Name
            <input name="name" required pattern="[a-z0-9][a-z0-9._-]{0,63}" placeholder="my-app" />
          </label>
          <label class="block">
            Dockerfile
            <textarea name="dockerfile" rows={9} class="mono" required spellcheck={false} defaultValue={EXAMPLE} />
          </label>
          <div class="toolbar wrap">
            <label>
              Context files
              <input type="file" multiple data-testid="context-files" onChange={(e) => setFiles([...((e.target as HTMLInputElement).files ?? [])])} />
            </label>
            <label>
              or a context folder
              <input
                type="file"
                data-testid="context-folder"
                {...{ webkitdirectory: true }}
                onChange={(e) => setFiles([...((e.target as HTMLInputElement).files ?? [])])}
              />
            </label>
            <label>
              Build arguments (NAME=value, a line each)
              <textarea name="build_args" rows={2} class="mono" spellcheck={false} />
            </label>
          </div>
          <p class="hint" data-testid="context">
            Context: Dockerfile{files.length ? ` and ${files.length} file(s), ${bytes(files.reduce((sum, f) => sum + f.size, 0))}` : ' only'}.
          </p>
          <button type="submit" class="primary" disabled={sending}>
            {sending ? 'Sending…' : 'Start build'}
          </button>
        </form>
      )}
      {notice && <Notice>{notice}</Notice>}
      <ErrorNote error={error ?? builds.error} onDismiss={error ? () => setError(null) : undefined} />

      <h2>Builds</h2>
      <Table columns={['Build', 'Name', 'Status', 'Step', 'Image', 'Size', 'Started', 'Finished']} caption="The caller's builds, newest first">
        {(builds.value ?? []).map((b) => (
          <tr key={b.id} data-build={b.id}>
            <td class="mono">
              <a href={`/console/builds/${b.id}`}>{b.id}</a>
            </td>
            <td>{b.name}</td>
            <td>
              <BuildStatus status={b.status} />
            </td>
            <td>{b.error ?? b.current_step ?? '–'}</td>
            <td class="mono">{b.image ?? '–'}</td>
            <td>{b.image_size_bytes ? bytes(b.image_size_bytes) : '–'}</td>
            <td>
              <When at={b.started_at ?? b.created_at} />
            </td>
            <td>
              <When at={b.finished_at} />
            </td>
          </tr>
        ))}
      </Table>
      {!builds.loading && (builds.value ?? []).length === 0 && <p class="empty">No builds yet.</p>}
      <button type="button" onClick={() => void builds.reload()}>
        Refresh
      </button>

      <h2>Environment specs</h2>
      <p class="hint">A base image plus Debian and Python packages; a build of a spec installs them from the package indexes its egress allows.</p>
      {writable && (
        <form
          class="panel toolbar wrap"
          aria-label="New environment spec"
          onSubmit={async (e) => {
            e.preventDefault();
            const form = new FormData(e.target as HTMLFormElement);
            const text = (n: string) => String(form.get(n) ?? '').trim() || undefined;
            const list = (n: string) => text(n)?.split(/[\s,]+/);
            setError(null);
            try {
              await post('/environments/specs', {
                name: text('name'),
                base_image: text('base_image'),
                apt_packages: list('apt_packages'),
                python_packages: list('python_packages'),
                pip_index_url: text('pip_index_url'),
              });
              setNotice(`Spec ${text('name')} saved.`);
              (e.target as HTMLFormElement).reset();
              await specs.reload();
            } catch (err) {
              setError(err);
            }
          }}
        >
          <label>
            Name
            <input name="name" required placeholder="data-science" />
          </label>
          <label>
            Base image
            <input name="base_image" required placeholder="stacyvm/base:bookworm" />
          </label>
          <label>
            Debian packages
            <input name="apt_packages" placeholder="jq curl" />
          </label>
          <label>
            Python packages
            <input name="python_packages" placeholder="numpy==2.1.3 requests" />
          </label>
          <label>
            Package index
            <input name="pip_index_url" type="url" placeholder="pip's default" />
          </label>
          <button type="submit">Save spec</button>
        </form>
      )}
      <ErrorNote error={specs.error} />
      <Table columns={['Spec', 'Base image', 'Debian packages', 'Python packages', 'Saved', writable && 'Actions']} caption="The caller's environment specs">
        {(specs.value ?? []).map((s) => (
          <tr key={s.id} data-spec={s.name}>
            <td>{s.name}</td>
            <td class="mono">{s.base_image}</td>
            <td class="mono">{(s.apt_packages ?? []).join(' ') || '–'}</td>
            <td class="mono">{(s.python_packages ?? []).join(' ') || '–'}</td>
            <td>
              <When at={s.updated_at} />
            </td>
            {writable && (
              <td class="row-actions">
                <button
                  type="button"
                  aria-label={`Build ${s.name}`}
                  onClick={async () => {
                    try {
                      const build = await post<Build>('/environments/builds', { spec_id: s.id });
                      route(`/console/builds/${build.id}`);
                    } catch (err) {
                      setError(err);
                    }
                  }}
                >
                  Build
                </button>
                <DangerButton
                  label={`Delete spec ${s.name}`}
                  question={`Delete spec ${s.name}?`}
                  action={() => del(`/environments/specs/${enc(s.id)}`)}
                  done={() => {
                    setNotice(`Spec ${s.name} deleted.`);
                    return specs.reload();
                  }}
                  failed={setError}
                >
                  Delete
                </DangerButton>
              </td>
            )}
          </tr>
        ))}
      </Table>
      {!specs.loading && (specs.value ?? []).length === 0 && <p class="empty">No specs yet.</p>}
    </section>
  );
}
