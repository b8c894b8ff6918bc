import { useEffect, useRef, useState } from 'preact/hooks';
import { Terminal as XTerm } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { enc, post } from '../api';
import { ErrorNote } from '../ui';

/**
 * A shell in the sandbox: GET /api/v1/sandboxes/{id}/exec/ws with "pty": true (docs/api.md).
 * Browsers cannot set headers on a WebSocket, so the console first asks for a single-use token
 * (POST .../exec/ws/token, 60 s, this sandbox only) and opens the socket with it; the key itself
 * never enters a URL. Data flows base64-encoded both ways, so any byte survives; the terminal
 * follows the element's size, and each resize is sent to the PTY. xterm.js's screen-reader mode keeps
 * what the terminal shows readable to screen readers.
 */
export function Terminal({ sandboxId, command = 'bash -l || sh -l' }: { sandboxId: string; command?: string }) {
  const host = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<unknown>(null);
  const [state, setState] = useState<'connecting' | 'open' | 'ended'>('connecting');
  const [session, setSession] = useState(0);

  useEffect(() => {
    const term = new XTerm({ cursorBlink: true, fontSize: 14, convertEol: false, screenReaderMode: true });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(host.current!);
    fit.fit();
    let socket: WebSocket | null = null;
    let closed = false;
    const encoder = new TextEncoder();
    // in slices: spreading a large paste into one call overflows the engine's argument limit
    const toBase64 = (data: Uint8Array) => {
      let binary = '';
      for (let at = 0; at < data.length; at += 0x8000) binary += String.fromCharCode(...data.subarray(at, at + 0x8000));
      return btoa(binary);
    };
    const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

    const open = async () => {
      setState('connecting');
      setError(null);
      try {
        const { token } = await post<{ token: string }>(`/sandboxes/${enc(sandboxId)}/exec/ws/token`);
        if (closed) return;
        const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
        socket = new WebSocket(`${scheme}://${location.host}/api/v1/sandboxes/${enc(sandboxId)}/exec/ws?token=${enc(token)}`);
        socket.onopen = () => {
          setState('open');
          socket!.send(JSON.stringify({ command, pty: true, cols: term.cols, rows: term.rows, encoding: 'base64' }));
          // typing goes to the shell at once, unless the keyboard is moving through the page:
          // a tab list reached with the arrow keys keeps its focus
          if (!document.activeElement?.matches(':focus-visible')) term.focus();
        };
        socket.onmessage = (message) => {
          const frame = JSON.parse(String(message.data)) as {
            stream?: string;
            data?: string;
            type?: string;
            exit_code?: number;
            error?: string;
            code?: string;
          };
          if (frame.data !== undefined && frame.stream) term.write(fromBase64(frame.data));
          else if (frame.type === 'done')
            term.write(`\r\n[exited with ${frame.exit_code}${(frame as { timed_out?: boolean }).timed_out ? ', timed out' : ''}]\r\n`);
          else if (frame.type === 'error') setError(new Error(`${frame.error} (${frame.code})`));
        };
        socket.onclose = () => setState('ended');
      } catch (e) {
        setError(e);
        setState('ended');
      }
    };
    const input = term.onData((data) => {
      if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'stdin', data: toBase64(encoder.encode(data)) }));
    });
    const resize = term.onResize(({ cols, rows }) => {
      if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'resize', cols, rows }));
    });
    const observer = new ResizeObserver(() => fit.fit());
    observer.observe(host.current!);
    void open();
    return () => {
      closed = true;
      observer.disconnect();
      input.dispose();
      resize.dispose();
      socket?.close();
      term.dispose();
    };
  }, [sandboxId, command, session]);

  return (
    <div class="terminal-panel">
      <div class="toolbar">
        <span role="status" data-testid="terminal-state">
          Terminal {state === 'open' ? 'connected' : state === 'connecting' ? 'connecting…' : 'ended'}
        </span>
        {state === 'ended' && (
          <button type="button" onClick={() => setSession((n) => n + 1)}>
            New session
          </button>
        )}
      </div>
      <ErrorNote error={error} />
      <div class="terminal" ref={host} aria-label="Terminal: a shell in the sandbox" data-testid="terminal" />
    </div>
  );
}
