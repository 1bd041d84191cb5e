import http from 'node:http';

export interface SseEvent {
  event: string;
  data: unknown;
  id?: string;
}

/** Reads a text/event-stream over real HTTP, collecting parsed events until closed. */
export function openSse(url: string, headers: Record<string, string>) {
  const events: SseEvent[] = [];
  let status = 0;
  let contentType = '';
  let buffer = '';
  const req = http.get(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
    status = res.statusCode ?? 0;
    contentType = String(res.headers['content-type'] ?? '');
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields: Record<string, string> = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':') || !line.includes(':')) continue;
          const at = line.indexOf(':');
          fields[line.slice(0, at)] = line.slice(at + 1).trimStart();
        }
        if (fields.event && fields.data)
          events.push({ event: fields.event, data: JSON.parse(fields.data), id: fields.id });
      }
    });
  });
  req.on('error', () => undefined);
  return {
    events,
    status: () => status,
    contentType: () => contentType,
    close: () => req.destroy(),
  };
}
