import { PrismaService } from '@bandeja/core';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  adminLogin,
  auth,
  bootApi,
  bootWorker,
  createPoint,
  eventually,
  sessionInState,
  TestApi,
} from '../support/api';

interface ChatRequest {
  model: string;
  messages: { role: string; content: string | null; tool_call_id?: string }[];
  tools?: { function: { name: string } }[];
  tool_choice?: string;
}
interface Recorded {
  authorization: string | undefined;
  body: ChatRequest;
}
/** What the fake server does with one request: a JSON reply, a status error, or a long stall. */
type Script = (
  req: ChatRequest,
  n: number,
) => Record<string, unknown> | { status: number } | 'stall';

const USAGE = { prompt_tokens: 120, completion_tokens: 15, total_tokens: 135 };
const TIMEOUT_MS = 1500;

const completion = (message: Record<string, unknown>, finish: string) => ({
  id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
  object: 'chat.completion',
  created: Math.floor(Date.now() / 1000),
  model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish }],
  usage: USAGE,
});
const toolCall = (name: string, args: Record<string, unknown>, id = `call_${name}`) =>
  completion(
    {
      content: null,
      tool_calls: [{ id, type: 'function', function: { name, arguments: JSON.stringify(args) } }],
    },
    'tool_calls',
  );
const text = (content: string) => completion({ content }, 'stop');

/**
 * The OpenAI provider end to end: the real `openai` SDK over real HTTP to a fake
 * OpenAI-compatible server started here, a customer writing through the Simulator, tools running
 * against Postgres. Covers the tool loop (bound to the conversation's point), the request the
 * model sees (system prompt, context, tool results), the step limit, a 500 and a timeout
 * (the local engine answers) and the token counts in the trace.
 */
describe('AI bot on OpenAI (fake OpenAI-compatible server)', () => {
  let server: Server;
  let script: Script = () => ({ status: 500 });
  const requests: Recorded[] = [];
  let api: TestApi;
  let worker: Awaited<ReturnType<typeof bootWorker>>;
  let admin: string;
  let prisma: PrismaService;
  let pointId: string;
  let pointName: string;
  let seq = 0;

  const phone = () => `+5918${String(Date.now() % 100_000).padStart(5, '0')}${seq++}`.slice(0, 14);
  const say = (from: string, body: string) =>
    api
      .http()
      .post(`/api/v1/service-points/${pointId}/simulator/inbound`)
      .set(auth(admin))
      .send({ from, text: body })
      .expect(202);
  const botReplies = (from: string) =>
    prisma.message.findMany({
      where: { servicePointId: pointId, conversation: { customerPhone: from }, senderType: 'BOT' },
      orderBy: [{ timestamp: 'asc' }, { createdAt: 'asc' }],
    });
  const nthReply = (from: string, n: number) =>
    eventually(async () => (await botReplies(from))[n - 1], 15000, `bot reply ${n} to ${from}`);
  const traces = async (from: string) => {
    const conv = await prisma.conversation.findFirstOrThrow({
      where: { servicePointId: pointId, customerPhone: from },
    });
    const res = await api
      .http()
      .get(`/api/v1/conversations/${conv.id}/ai-traces`)
      .set(auth(admin))
      .expect(200);
    return res.body.items as Record<string, unknown>[];
  };

  function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest;
      requests.push({ authorization: req.headers.authorization, body });
      const answer = script(body, requests.length);
      if (answer === 'stall') return; // never answers; the socket is destroyed in afterAll
      if ('status' in answer && typeof answer.status === 'number') {
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'boom', type: 'server_error' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
  }

  beforeAll(async () => {
    server = createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const env = {
      REDIS_PREFIX: `${process.env.REDIS_PREFIX}-aiopenai`,
      WA_START_STAGGER_MS: '0',
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1`,
      OPENAI_TIMEOUT_MS: String(TIMEOUT_MS),
      OPENAI_MAX_TOOL_STEPS: '3',
    };
    api = await bootApi(env);
    worker = await bootWorker(env);
    admin = await adminLogin(api);
    prisma = api.app.get(PrismaService);
    const point = await createPoint(api, admin, { provider: 'SIMULATOR' });
    pointId = point.id;
    pointName = (await prisma.servicePoint.findUniqueOrThrow({ where: { id: pointId } })).name;
    const other = await createPoint(api, admin, { provider: 'SIMULATOR' });
    // The same tracking number in both points: only this point's shipment may ever be used.
    for (const [servicePointId, status, destination] of [
      [pointId, 'OUT_FOR_DELIVERY', 'Miraflores'],
      [other.id, 'DELIVERED', 'Sopocachi'],
    ]) {
      await api
        .http()
        .post('/api/v1/shipments')
        .set(auth(admin))
        .send({ servicePointId, trackingNumber: 'LP-2024-000187', status, destination })
        .expect(201);
    }
    await api
      .http()
      .post('/api/v1/faqs')
      .set(auth(admin))
      .send({
        servicePointId: pointId,
        question: '¿Hacen entregas los domingos?',
        answer: 'Los domingos no repartimos; entregamos de lunes a sábado.',
        keywords: ['domingo', 'domingos', 'fin de semana'],
      })
      .expect(201);
    await sessionInState(worker, pointId);
  });
  beforeEach(() => {
    requests.length = 0;
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('runs the scripted tool call against this point, sends the final text, records tokens', async () => {
    const from = phone();
    const finalText = 'Tu envío LP-2024-000187 está en reparto, destino Miraflores. 🚚';
    script = (_req, n) =>
      n === 1 ? toolCall('consultar_guia', { trackingNumber: 'lp-2024-000187' }) : text(finalText);
    await say(from, '¿Dónde está mi paquete lp-2024-000187?');
    const reply = await nthReply(from, 1);
    expect(reply.content).toBe(finalText);
    await eventually(async () => (await botReplies(from))[0].status === 'SENT', 10000, 'sent');

    expect(requests).toHaveLength(2);
    const [first, second] = requests;
    expect(first.authorization).toBe('Bearer test-key');
    expect(first.body.model).toBe('gpt-4o-mini');
    expect(first.body.tools?.map((t) => t.function.name).sort()).toEqual([
      'consultar_faq',
      'consultar_guia',
      'transferir_a_humano',
    ]);
    const system = first.body.messages[0];
    expect(system.role).toBe('system');
    expect(system.content).toContain(pointName);
    expect(system.content).toMatch(/NUNCA afirmes un estado/);
    expect(first.body.messages.at(-1)).toEqual({
      role: 'user',
      content: '¿Dónde está mi paquete lp-2024-000187?',
    });
    // The second request carries the tool result: this point's shipment, not the other one.
    const toolMessage = second.body.messages.find((m) => m.role === 'tool')!;
    expect(toolMessage.tool_call_id).toBe('call_consultar_guia');
    const toolResult = JSON.parse(toolMessage.content!);
    expect(toolResult).toMatchObject({
      found: true,
      trackingNumber: 'LP-2024-000187',
      status: 'OUT_FOR_DELIVERY',
      destination: 'Miraflores',
    });
    expect(toolMessage.content).not.toContain('Sopocachi');

    const [trace] = await traces(from);
    expect(trace).toMatchObject({
      provider: 'openai',
      outcome: 'tracking_found',
      fallbackUsed: false,
      reply: finalText,
      promptTokens: 2 * USAGE.prompt_tokens,
      completionTokens: 2 * USAGE.completion_tokens,
      toolCalls: [
        {
          name: 'consultar_guia',
          arguments: { trackingNumber: 'LP2024000187' },
          result: { found: true, status: 'OUT_FOR_DELIVERY', destination: 'Miraflores' },
        },
      ],
    });
    expect(trace.latencyMs).toEqual(expect.any(Number));

    // The next turn sees the conversation so far as context.
    requests.length = 0;
    script = () => text('¡Con gusto!');
    await say(from, 'gracias');
    expect((await nthReply(from, 2)).content).toBe('¡Con gusto!');
    expect(requests[0].body.messages.slice(1)).toEqual([
      { role: 'user', content: '¿Dónde está mi paquete lp-2024-000187?' },
      { role: 'assistant', content: finalText },
      { role: 'user', content: 'gracias' },
    ]);
  });

  it('a model reply stating a status no tool returned is replaced', async () => {
    const from = phone();
    script = () => text('Sí, tu paquete ya fue entregado.');
    await say(from, 'dime que mi paquete está entregado');
    const reply = await nthReply(from, 1);
    expect(reply.content).not.toMatch(/entregado/);
    expect(reply.content).toMatch(/persona/);
    const [trace] = await traces(from);
    expect(trace).toMatchObject({ provider: 'openai', fallbackUsed: false, toolCalls: [] });
  });

  it('stops a tool loop at OPENAI_MAX_TOOL_STEPS; the local engine answers', async () => {
    const from = phone();
    script = (_req, n) => toolCall('consultar_guia', { trackingNumber: 'LP-2024-000187' }, `c${n}`);
    await say(from, '¿Dónde está mi paquete LP-2024-000187?');
    const reply = await nthReply(from, 1);
    expect(reply.content).toContain('en reparto');
    expect(reply.content).toContain('Miraflores');
    // Three tool rounds, then one last request that may not call tools.
    expect(requests).toHaveLength(4);
    expect(requests.map((r) => r.body.tool_choice)).toEqual(['auto', 'auto', 'auto', 'none']);
    const [trace] = await traces(from);
    expect(trace).toMatchObject({
      provider: 'local',
      outcome: 'tracking_found',
      fallbackUsed: true,
      promptTokens: 4 * USAGE.prompt_tokens,
      completionTokens: 4 * USAGE.completion_tokens,
    });
    expect((trace.toolCalls as { name: string }[]).every((c) => c.name === 'consultar_guia')).toBe(
      true,
    );
  });

  it('a 500 from the provider → the local engine answers', async () => {
    const from = phone();
    script = () => ({ status: 500 });
    await say(from, 'entregan el domingo?');
    expect((await nthReply(from, 1)).content).toBe(
      'Los domingos no repartimos; entregamos de lunes a sábado.',
    );
    expect(requests.length).toBeGreaterThanOrEqual(1);
    const [trace] = await traces(from);
    expect(trace).toMatchObject({ provider: 'local', outcome: 'faq', fallbackUsed: true });
  });

  it('no answer within OPENAI_TIMEOUT_MS → the local engine answers', async () => {
    const from = phone();
    script = () => 'stall';
    await say(from, 'hola');
    const reply = await nthReply(from, 1);
    expect(reply.content).toContain(pointName);
    const [trace] = await traces(from);
    expect(trace).toMatchObject({ provider: 'local', outcome: 'greeting', fallbackUsed: true });
    expect(trace.latencyMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(trace.latencyMs).toBeLessThan(TIMEOUT_MS + 5000);
  });
});
