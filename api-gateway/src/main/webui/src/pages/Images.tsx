import { useState } from 'preact/hooks';
import { del, enc, json } from '../api';
import { ErrorNote, Notice, When, bytes, DangerButton, useLoad, Table } from '../ui';

interface Image {
  reference: string;
  references: string[];
  digest?: string | null;
  size_bytes: number;
  last_used_at?: string | null;
  in_use: number;
  pinned: boolean;
}

interface WorkerImages {
  worker_id: string;
  images: Image[];
  error?: string | null;
}

/**
 * The images on every worker (administrators: GET /api/v1/images), largest first, with what uses
 * them; an image no sandbox runs and garbage collection does not keep can be removed.
 */
export function Images() {
  const workers = useLoad(() => json<WorkerImages[]>('/images'), []);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  return (
    <section>
      <h1>Images</h1>
      {notice && <Notice>{notice}</Notice>}
      <ErrorNote error={error ?? workers.error} />
      {(workers.value ?? []).map((worker) => (
        <div key={worker.worker_id}>
          <h2 class="mono">{worker.worker_id}</h2>
          {worker.error && <ErrorNote error={new Error(`The worker did not say: ${worker.error}`)} />}
          <Table columns={['Image', 'Size', 'In use', 'Last used', 'Kept', 'Actions']}>
            {worker.images.map((image) => (
              <tr key={image.reference} data-image={image.reference}>
                <td class="mono">
                  {image.reference}
                  {image.digest && <small class="progress">{image.digest}</small>}
                </td>
                <td>{bytes(image.size_bytes)}</td>
                <td>{image.in_use}</td>
                <td>
                  <When at={image.last_used_at} />
                </td>
                <td>{image.pinned ? 'always' : 'until collected'}</td>
                <td>
                  {!image.pinned && image.in_use === 0 && (
                    <DangerButton
                      label={`Remove ${image.reference}`}
                      question={`Remove ${image.reference} from every worker that has it?`}
                      action={
                        // the route takes the reference with its slashes: each segment encoded on its own
                        () => del(`/images/${image.reference.split('/').map(enc).join('/')}`)
                      }
                      done={() => {
                        setNotice(`Removed ${image.reference}.`);
                        return workers.reload();
                      }}
                      failed={setError}
                    >
                      Remove
                    </DangerButton>
                  )}
                </td>
              </tr>
            ))}
          </Table>
        </div>
      ))}
    </section>
  );
}
