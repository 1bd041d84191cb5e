import type { Request, Response } from 'express';

export interface EventStream {
  send(event: string, data: unknown, id?: string): void;
  /** Runs once when the client goes away (or the stream is closed). */
  onClose(fn: () => void): void;
  close(): void;
}

/**
 * A text/event-stream response: reconnect hint, comment heartbeats so proxies keep the socket
 * open, event ids for Last-Event-ID, and clean-up when the client leaves.
 */
export function openEventStream(req: Request, res: Response, heartbeatMs = 15_000): EventStream {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  res.write('retry: 3000\n\n');
  const closers: (() => void)[] = [];
  let closed = false;
  const heartbeat = setInterval(() => res.write(': ping\n\n'), heartbeatMs);
  const finish = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    for (const fn of closers) fn();
  };
  req.on('close', finish);
  res.on('close', finish);
  return {
    send(event, data, id) {
      if (closed) return;
      res.write(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    onClose(fn) {
      closers.push(fn);
    },
    close() {
      finish();
      res.end();
    },
  };
}
