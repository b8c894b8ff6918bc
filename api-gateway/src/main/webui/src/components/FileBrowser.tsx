import { useState } from 'preact/hooks';
import { type FileInfo, call, del, download, enc, listFiles, post } from '../api';
import { ErrorNote, Notice, bytes, When, useLoad, Table } from '../ui';

/** Bytes one upload may carry: it travels base64-encoded in a JSON body, which the gateway bounds at 64 MiB. */
const MAX_UPLOAD = 32 * 1024 * 1024;
/** Bytes the text editor opens; a larger file is downloaded instead. */
const MAX_EDIT = 1024 * 1024;

/**
 * The sandbox's files through /api/v1/sandboxes/{id}/files (docs/api.md): list a folder, upload by
 * drag and drop or by picking, download a file as it is or a folder as a tar, edit a text file,
 * rename, chmod and delete. Every operation runs as the sandbox's user, so it can do what that user
 * can and nothing more; a refusal shows the API's message.
 */
export function FileBrowser({ sandboxId, writable }: { sandboxId: string; writable: boolean }) {
  const [path, setPath] = useState('/workspace');
  const listing = useLoad(() => listFiles(sandboxId, path), [sandboxId, path]);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [dragging, setDragging] = useState(false);
  const [editing, setEditing] = useState<{ path: string; text: string } | null>(null);
  const base = `/sandboxes/${enc(sandboxId)}/files`;

  /** Runs `action`, says `what` when it worked, shows the API's refusal when not; answers whether it worked. */
  const act = async (what: string, action: () => Promise<unknown>): Promise<boolean> => {
    setError(null);
    setNotice('');
    try {
      await action();
      setNotice(what);
      await listing.reload();
      return true;
    } catch (e) {
      setError(e);
      return false;
    }
  };

  const upload = async (files: FileList | File[]) => {
    for (const file of Array.from(files)) {
      if (file.size > MAX_UPLOAD) {
        setError(
          new Error(
            `${file.name} is ${bytes(file.size)}: the console uploads files of up to ${bytes(MAX_UPLOAD)} (the CLI and SDKs stream larger ones as a tar)`,
          ),
        );
        continue;
      }
      const target = `${path.replace(/\/$/, '')}/${file.name}`;
      await act(`Uploaded ${target} (${bytes(file.size)}).`, async () => post(base, { path: target, content: await base64(file), encoding: 'base64' }));
    }
  };

  const open = async (entry: FileInfo) => {
    if (entry.is_dir) {
      setPath(entry.path);
      return;
    }
    if (entry.size > MAX_EDIT) {
      setError(new Error(`${entry.name} is ${bytes(entry.size)}: download it to read it`));
      return;
    }
    setError(null);
    try {
      const response = await call(`${base}?path=${enc(entry.path)}`, { headers: { Accept: '*/*' } });
      const raw = new Uint8Array(await response.arrayBuffer());
      const text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
      setEditing({ path: entry.path, text });
    } catch (e) {
      setError(e instanceof TypeError ? new Error(`${entry.name} is not UTF-8 text: download it instead`) : e);
    }
  };

  const parent = path === '/' ? null : path.replace(/\/[^/]+\/?$/, '') || '/';
  const entries = [...(listing.value ?? [])].sort((a, b) => Number(b.is_dir) - Number(a.is_dir) || a.name.localeCompare(b.name));

  return (
    <div
      class={`files ${dragging ? 'dragging' : ''}`}
      onDragOver={(e) => {
        if (!writable) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        if (writable && e.dataTransfer?.files.length) void upload(e.dataTransfer.files);
      }}
    >
      <form
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          setPath(String(new FormData(e.target as HTMLFormElement).get('path') || '/'));
        }}
      >
        <label>
          Folder
          <input name="path" value={path} key={path} class="mono" />
        </label>
        <button type="submit">Open</button>
        {parent !== null && (
          <button type="button" onClick={() => setPath(parent)}>
            Up
          </button>
        )}
        <button type="button" onClick={() => download(`${base}/archive?path=${enc(path)}`, `${sandboxId}${path.replace(/\//g, '_')}.tar`).catch(setError)}>
          Download folder (tar)
        </button>
        {writable && (
          <label class="button">
            Upload files
            <input
              type="file"
              multiple
              class="visually-hidden"
              data-testid="upload"
              onChange={(e) => {
                const input = e.target as HTMLInputElement;
                if (input.files) void upload(input.files).then(() => (input.value = ''));
              }}
            />
          </label>
        )}
      </form>
      {writable && <p class="hint">Drop files here to upload them into {path}.</p>}
      {notice && <Notice>{notice}</Notice>}
      <ErrorNote error={error ?? listing.error} onDismiss={() => (error ? setError(null) : listing.setError(null))} />
      {editing && (
        <form
          class="panel editor"
          onSubmit={(e) => {
            e.preventDefault();
            const text = String(new FormData(e.target as HTMLFormElement).get('text') ?? '');
            // a refused save keeps the editor open, with the edits in it
            void act(`Saved ${editing.path}.`, () => post(base, { path: editing.path, content: text })).then((saved) => saved && setEditing(null));
          }}
        >
          <label for="editor-text">
            Editing <code>{editing.path}</code>
          </label>
          <textarea id="editor-text" key={editing.path} name="text" rows={16} class="mono" readOnly={!writable} defaultValue={editing.text} />
          <div class="actions">
            {writable && (
              <button type="submit" class="primary">
                Save
              </button>
            )}
            <button type="button" onClick={() => setEditing(null)}>
              Close
            </button>
          </div>
        </form>
      )}
      <Table columns={['Name', 'Size', 'Mode', 'Modified', 'Actions']} caption={`Files in ${path}`}>
        {entries.map((entry) => (
          <tr key={entry.path} data-file={entry.name}>
            <td>
              <button type="button" class="link" onClick={() => void open(entry)}>
                {entry.is_dir ? `${entry.name}/` : entry.name}
              </button>
            </td>
            <td>{entry.is_dir ? '' : bytes(entry.size)}</td>
            <td class="mono">{entry.mode}</td>
            <td>
              <When at={entry.mod_time} />
            </td>
            <td class="row-actions">
              <button
                type="button"
                onClick={() =>
                  (entry.is_dir
                    ? download(`${base}/archive?path=${enc(entry.path)}`, `${entry.name}.tar`)
                    : download(`${base}?path=${enc(entry.path)}`, entry.name)
                  ).catch(setError)
                }
                aria-label={`Download ${entry.name}`}
              >
                Download
              </button>
              {writable && (
                <>
                  <button
                    type="button"
                    aria-label={`Rename ${entry.name}`}
                    onClick={() => {
                      const to = prompt(`Rename or move ${entry.path} to`, entry.path);
                      if (to && to !== entry.path)
                        void act(`Moved ${entry.path} to ${to}.`, () => post(`${base}/move`, { old_path: entry.path, new_path: to }));
                    }}
                  >
                    Rename
                  </button>
                  <button
                    type="button"
                    aria-label={`Change the mode of ${entry.name}`}
                    onClick={() => {
                      const mode = prompt(`Permission bits of ${entry.path} (octal)`, entry.mode);
                      if (mode && mode !== entry.mode) void act(`${entry.path} is now ${mode}.`, () => post(`${base}/chmod`, { path: entry.path, mode }));
                    }}
                  >
                    Chmod
                  </button>
                  <button
                    type="button"
                    class="danger"
                    aria-label={`Delete ${entry.name}`}
                    onClick={() =>
                      confirm(`Delete ${entry.path}${entry.is_dir ? ' and everything in it' : ''}?`) &&
                      void act(`Deleted ${entry.path}.`, () => del(`${base}?path=${enc(entry.path)}&recursive=${entry.is_dir}`))
                    }
                  >
                    Delete
                  </button>
                </>
              )}
            </td>
          </tr>
        ))}
      </Table>
      {!listing.loading && entries.length === 0 && !listing.error && <p class="empty">{path} is empty.</p>}
    </div>
  );
}

/** A file's bytes as base64, for WriteFileRequest's encoding "base64". */
async function base64(file: File): Promise<string> {
  const url = await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
  return url.slice(url.indexOf(',') + 1);
}
