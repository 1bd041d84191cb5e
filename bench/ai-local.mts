// bench/ai-local: local-engine decisions per second and latency with 10 000 FAQs in one point.
// The engine runs in-process from the built dist (Nest application context with CoreModule and
// AiModule), against a scratch Postgres database; no HTTP, no queue, no WhatsApp.
//
//   npm run build && node bench/ai-local.mts
//   BENCH_FAQS=10000 BENCH_DECISIONS=600 BENCH_CONCURRENCY=1,8 node bench/ai-local.mts
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import pg from 'pg';
import { createStack, destroyStack, log, percentile, ROOT } from './lib.mts';

const FAQS = Number(process.env.BENCH_FAQS ?? 10_000);
const SHIPMENTS = Number(process.env.BENCH_SHIPMENTS ?? 5_000);
const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 600);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,8').split(',').map(Number);
const WARMUP = 50;
const require = createRequire(import.meta.url);
const dist = (p: string) => require(join(ROOT, 'dist/apps/worker', p));

// Deterministic pseudo-random numbers, so every run asks the same questions.
let seed = 42;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = <T,>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];

const SUBJECTS = [
  ['envío de sobres', 'sobre'],
  ['paquetes grandes', 'paquete grande'],
  ['cajas frágiles', 'fragil'],
  ['envíos internacionales', 'internacional'],
  ['entregas a domicilio', 'domicilio'],
  ['recojo en sucursal', 'recojo'],
  ['pagos con tarjeta', 'tarjeta'],
  ['pagos con QR', 'qr'],
  ['facturación', 'factura'],
  ['seguro de la mercadería', 'seguro'],
  ['devoluciones', 'devolucion'],
  ['reclamos por daños', 'reclamo'],
  ['envíos de documentos', 'documento'],
  ['encomiendas refrigeradas', 'refrigerado'],
  ['envíos de medicamentos', 'medicamento'],
  ['mascotas', 'mascota'],
  ['embalaje', 'embalaje'],
  ['cobro contra entrega', 'contra entrega'],
  ['envíos express', 'express'],
  ['envíos económicos', 'economico'],
  ['horarios de atención', 'horario'],
  ['feriados', 'feriado'],
  ['peso máximo', 'peso'],
  ['medidas permitidas', 'medida'],
  ['artículos prohibidos', 'prohibido'],
  ['casilleros', 'casillero'],
  ['envíos masivos para empresas', 'empresa'],
  ['cambio de dirección', 'direccion'],
  ['reprogramar una entrega', 'reprogramar'],
  ['retención en aduana', 'aduana'],
] as const;
const TEMPLATES = [
  (s: string, c: string) => `¿Cuánto cuesta el servicio de ${s} hacia ${c}?`,
  (s: string, c: string) => `¿Qué requisitos hay para ${s} a ${c}?`,
  (s: string, c: string) => `¿Cuánto tarda ${s} hasta ${c}?`,
  (s: string, c: string) => `¿Atienden ${s} en la sucursal de ${c}?`,
  (s: string, c: string) => `¿Qué pasa con ${s} si el destino es ${c}?`,
  (s: string, c: string) => `¿Hay descuentos en ${s} para ${c}?`,
  (s: string, c: string) => `¿Se puede pagar ${s} al llegar a ${c}?`,
  (s: string, c: string) => `¿Qué horario tiene ${s} en ${c}?`,
] as const;
const CITIES = [
  'La Paz',
  'El Alto',
  'Cochabamba',
  'Santa Cruz',
  'Sucre',
  'Oruro',
  'Potosí',
  'Tarija',
  'Trinidad',
  'Cobija',
  'Montero',
  'Quillacollo',
  'Sacaba',
  'Yacuiba',
  'Riberalta',
  'Warnes',
  'Villazón',
  'Camiri',
  'Guayaramerín',
  'Tupiza',
  'Uyuni',
  'Copacabana',
  'Viacha',
  'Caranavi',
  'Coroico',
  'Samaipata',
  'Rurrenabaque',
  'Bermejo',
  'Puerto Suárez',
  'San Ignacio',
  'Achacachi',
  'Punata',
  'Tiquipaya',
  'Vinto',
  'Colcapirhua',
  'Llallagua',
  'Huanuni',
  'Challapata',
  'Villamontes',
  'Concepción',
  'San Borja',
  'Ascensión',
  'Portachuelo',
  'Mineros',
  'Yapacaní',
  'Cotoca',
] as const;
const ANSWERS = [
  'Sí, lo hacemos en todas nuestras oficinas; trae tu carnet y el paquete embalado.',
  'El costo depende del peso; desde Bs 15 por kilo. Te damos el precio exacto en ventanilla.',
  'Tarda de 1 a 3 días hábiles según la ruta.',
  'Puedes pagar en efectivo, con tarjeta o con QR.',
  'Necesitas la factura o un comprobante del contenido.',
  'No, ese servicio no está disponible para ese destino por ahora.',
] as const;

function generateFaqs(count: number) {
  const rows: { question: string; answer: string; keywords: string[] }[] = [];
  const seen = new Set<string>();
  let i = 0;
  while (rows.length < count) {
    const [subject, keyword] = SUBJECTS[i % SUBJECTS.length];
    const city = CITIES[Math.floor(i / SUBJECTS.length) % CITIES.length];
    const template =
      TEMPLATES[Math.floor(i / (SUBJECTS.length * CITIES.length)) % TEMPLATES.length];
    let question = template(subject, city);
    if (seen.has(question)) question = `${question.slice(0, -1)} (opción ${rows.length})?`;
    seen.add(question);
    rows.push({
      question,
      answer: `${pick(ANSWERS)} (${city})`,
      keywords: [keyword, city.toLowerCase()],
    });
    i++;
  }
  return rows;
}

/** A customer message: an FAQ paraphrase, a tracking question or a greeting. */
function customerMessage(faqs: { question: string }[], tracking: string[]): string {
  const r = rand();
  if (r < 0.5) {
    const q = pick(faqs).question.replace(/[¿?]/g, '').toLowerCase();
    return rand() < 0.5 ? q : `hola, una consulta: ${q}`;
  }
  if (r < 0.85) {
    const n = pick(tracking);
    return pick([
      `¿Dónde está mi paquete ${n}?`,
      `mi guía es ${n.toLowerCase()}`,
      `estado del envío ${n.replace(/-/g, ' ')}`,
      `hola, quiero rastrear LP-2099-${String(Math.floor(rand() * 999_999)).padStart(6, '0')}`,
    ]);
  }
  return pick(['hola', 'buenas tardes', 'buenos días', 'gracias', 'hello']);
}

const stack = await createStack('ailocal');
const results: Record<string, unknown> = {
  node: process.version,
  faqs: FAQS,
  shipments: SHIPMENTS,
  decisions: DECISIONS,
};
try {
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  const pointId = randomUUID();
  await db.query(
    `INSERT INTO "ServicePoint" (id, name, provider, timezone, "workingHours", followups, "createdAt", "updatedAt")
     VALUES ($1, 'Punto Bench', 'SIMULATOR', 'America/La_Paz', '{"days":[1,2,3,4,5],"start":"09:00","end":"18:00"}', '{}', now(), now())`,
    [pointId],
  );
  const faqs = generateFaqs(FAQS);
  await db.query(
    `INSERT INTO "Faq" (id, "servicePointId", question, answer, keywords, "updatedAt")
     SELECT gen_random_uuid(), $1, q, a, string_to_array(k, '|'), now()
     FROM unnest($2::text[], $3::text[], $4::text[]) AS t(q, a, k)`,
    [
      pointId,
      faqs.map((f) => f.question),
      faqs.map((f) => f.answer),
      faqs.map((f) => f.keywords.join('|')),
    ],
  );
  const tracking = Array.from(
    { length: SHIPMENTS },
    (_, i) => `LP-2024-${String(i + 1).padStart(6, '0')}`,
  );
  const statuses = ['CREATED', 'IN_TRANSIT', 'OUT_FOR_DELIVERY', 'DELIVERED'];
  await db.query(
    `INSERT INTO "Shipment" (id, "servicePointId", "trackingNumber", "trackingNumberNormalized", status, destination, "updatedAt")
     SELECT gen_random_uuid(), $1, n, replace(n, '-', ''), s::"ShipmentStatus", 'La Paz', now()
     FROM unnest($2::text[], $3::text[]) AS t(n, s)`,
    [pointId, tracking, tracking.map((_, i) => statuses[i % statuses.length])],
  );
  await db.query('ANALYZE');
  await db.end();

  Object.assign(process.env, stack.env);
  const { NestFactory } = require('@nestjs/core');
  const { Module } = require('@nestjs/common');
  const { CoreModule, loadConfig } = dist('libs/core/src/index.js');
  const { AiModule, LocalEngine, BotDataRepository, BotToolbox } = dist('libs/ai/src/index.js');
  const config = loadConfig(process.env);
  class BenchModule {}
  Module({
    imports: [CoreModule.forRoot(config, { name: 'bench-ai', withHttp: false }), AiModule],
  })(BenchModule);
  const ctx = await NestFactory.createApplicationContext(BenchModule, { logger: false });
  await ctx.init();
  const engine = ctx.get(LocalEngine);
  const data = ctx.get(BotDataRepository);

  const messages = Array.from({ length: DECISIONS + WARMUP }, () =>
    customerMessage(faqs, tracking),
  );
  const outcomes: Record<string, number> = {};
  const byOutcome: Record<string, number[]> = {};
  const decide = async (text: string): Promise<number> => {
    const conversationId = randomUUID();
    const started = performance.now();
    const result = await engine.run({
      input: {
        servicePointId: pointId,
        conversationId,
        customerPhone: '+59170000000',
        customerName: null,
        messageId: randomUUID(),
        text,
      },
      pointName: 'Punto Bench',
      previousOutcomes: [],
      tools: new BotToolbox(data, pointId, conversationId),
    });
    const ms = performance.now() - started;
    outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
    (byOutcome[result.outcome] ??= []).push(ms);
    return ms;
  };

  for (const text of messages.slice(0, WARMUP)) await decide(text);
  const runs: Record<string, unknown>[] = [];
  for (const concurrency of CONCURRENCY) {
    for (const key of Object.keys(outcomes)) delete outcomes[key];
    for (const key of Object.keys(byOutcome)) delete byOutcome[key];
    const latencies: number[] = [];
    let next = WARMUP;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < messages.length) latencies.push(await decide(messages[next++]));
      }),
    );
    const elapsed = performance.now() - started;
    latencies.sort((a, b) => a - b);
    const run = {
      concurrency,
      decisionsPerSecond: Math.round(latencies.length / (elapsed / 1000)),
      p50Ms: Number(percentile(latencies, 50).toFixed(1)),
      p95Ms: Number(percentile(latencies, 95).toFixed(1)),
      p99Ms: Number(percentile(latencies, 99).toFixed(1)),
      outcomes: { ...outcomes },
      // p50 / p99 ms per kind of decision: FAQ retrieval is the expensive one.
      latencyByOutcome: Object.fromEntries(
        Object.entries(byOutcome).map(([outcome, ms]) => {
          ms.sort((a, b) => a - b);
          return [
            outcome,
            [percentile(ms, 50), percentile(ms, 99)].map((v) => Number(v.toFixed(1))),
          ];
        }),
      ),
    };
    log(JSON.stringify(run));
    runs.push(run);
  }
  results.runs = runs;
  await ctx.close();
} finally {
  await destroyStack(stack);
}
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
