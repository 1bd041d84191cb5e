import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AiResponder, AiModule } from '@bandeja/ai';
import { CoreModule, loadConfig, PrismaService } from '@bandeja/core';
import type { ShipmentStatus } from '@bandeja/core';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface FixtureFaq {
  question: string;
  answer: string;
  keywords: string[];
}
interface FixtureShipment {
  trackingNumber: string;
  status: ShipmentStatus;
  destination: string;
}
interface FixtureCase {
  point: 'A' | 'B';
  text: string;
  outcome: string;
  contains?: string[];
  turns?: string[];
  note?: string;
}
interface Fixture {
  points: Record<'A' | 'B', { faqs: FixtureFaq[]; shipments: FixtureShipment[] }>;
  globalFaqs: FixtureFaq[];
  cases: FixtureCase[];
}

/** Share of cases whose outcome and reply must match for the suite to pass. */
const MIN_ACCURACY = 0.9;

const fixture = JSON.parse(
  readFileSync(join(__dirname, '../fixtures/ai-local-cases.json'), 'utf8'),
) as Fixture;

/**
 * The local engine over test/fixtures/ai-local-cases.json, against real Postgres: two points with
 * different FAQs and shipments. Accuracy (outcome and reply text) is printed and must reach
 * MIN_ACCURACY; tenancy (never the other point's data) and the status guardrail must hold in
 * every single case.
 */
describe('AI local engine (table-driven)', () => {
  let ctx: INestApplicationContext;
  let prisma: PrismaService;
  let responder: AiResponder;
  const pointIds: Record<'A' | 'B', string> = { A: '', B: '' };
  const globalFaqIds: string[] = [];

  beforeAll(async () => {
    const config = loadConfig(process.env);
    const moduleRef = await Test.createTestingModule({
      imports: [CoreModule.forRoot(config, { name: 'ai-e2e', withHttp: false }), AiModule],
    }).compile();
    ctx = await moduleRef.init();
    prisma = ctx.get(PrismaService);
    responder = ctx.get(AiResponder);
    for (const key of ['A', 'B'] as const) {
      const point = await prisma.servicePoint.create({
        data: {
          name: `Punto ${key} ${randomUUID().slice(0, 6)}`,
          provider: 'SIMULATOR',
          timezone: 'America/La_Paz',
          workingHours: { days: [1, 2, 3, 4, 5], start: '08:00', end: '18:00' },
          followups: {},
        },
      });
      pointIds[key] = point.id;
      await prisma.faq.createMany({
        data: fixture.points[key].faqs.map((f) => ({ ...f, servicePointId: point.id })),
      });
      await prisma.shipment.createMany({
        data: fixture.points[key].shipments.map((s) => ({
          servicePointId: point.id,
          trackingNumber: s.trackingNumber,
          trackingNumberNormalized: s.trackingNumber.replace(/[\s-]+/g, '').toUpperCase(),
          status: s.status,
          destination: s.destination,
        })),
      });
    }
    for (const f of fixture.globalFaqs)
      globalFaqIds.push((await prisma.faq.create({ data: { ...f, servicePointId: null } })).id);
  });

  afterAll(async () => {
    await prisma.faq.deleteMany({ where: { id: { in: globalFaqIds } } });
    await prisma.servicePoint.deleteMany({ where: { id: { in: Object.values(pointIds) } } });
    await ctx.close();
  });

  /** Runs the turns of one case in a fresh conversation; returns the last reply. */
  async function play(c: FixtureCase) {
    const servicePointId = pointIds[c.point];
    const conversation = await prisma.conversation.create({
      data: {
        servicePointId,
        customerPhone: `+5917${randomUUID().replace(/\D/g, '').slice(0, 9)}`,
      },
    });
    let reply: string | null = null;
    for (const text of [...(c.turns ?? []), c.text]) {
      const answer = await responder.reply({
        servicePointId,
        conversationId: conversation.id,
        customerPhone: conversation.customerPhone,
        customerName: null,
        messageId: randomUUID(),
        text,
      });
      reply = answer?.text ?? null;
    }
    const [trace] = await prisma.aiTrace.findMany({
      where: { conversationId: conversation.id },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: 1,
    });
    const after = await prisma.conversation.findUniqueOrThrow({ where: { id: conversation.id } });
    return { reply, trace, status: after.status };
  }

  it(`answers at least ${MIN_ACCURACY * 100}% of ${fixture.cases.length} cases right, never with the other point's data`, async () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(60);
    const misses: string[] = [];
    const violations: string[] = [];
    for (const c of fixture.cases) {
      const other = fixture.points[c.point === 'A' ? 'B' : 'A'];
      const { reply, trace, status } = await play(c);
      const text = reply ?? '';
      const ok =
        trace.outcome === c.outcome &&
        (c.contains ?? []).every((s) => text.toLowerCase().includes(s.toLowerCase()));
      if (!ok) misses.push(`[${c.point}] ${c.text} → ${trace.outcome}: ${text}`);
      // Hard rules, whatever the accuracy.
      for (const f of other.faqs)
        if (text.includes(f.answer)) violations.push(`other point's FAQ: ${c.text}`);
      for (const s of other.shipments)
        if (text.includes(s.destination)) violations.push(`other point's shipment: ${c.text}`);
      if (trace.outcome === 'handoff' && status !== 'HUMAN')
        violations.push(`handoff without HUMAN: ${c.text}`);
      if (trace.outcome !== 'handoff' && status !== 'BOT')
        violations.push(`HUMAN without handoff: ${c.text}`);
      const calls = trace.toolCalls as { name: string; result: { found?: boolean } }[];
      const shipmentsSeen = calls.filter((t) => t.name === 'consultar_guia' && t.result.found);
      if (
        /(tránsito|transit|entregado|delivered|reparto|devuelto|returned)/i.test(text) &&
        !trace.outcome.startsWith('faq') &&
        shipmentsSeen.length === 0
      )
        violations.push(`status without a tool result: ${c.text}`);
    }
    const accuracy = (fixture.cases.length - misses.length) / fixture.cases.length;
    process.stdout.write(
      `\nAI local engine accuracy: ${(accuracy * 100).toFixed(1)}% (${fixture.cases.length - misses.length}/${fixture.cases.length})\n` +
        misses.map((m) => `  miss: ${m}\n`).join(''),
    );
    expect(violations).toEqual([]);
    expect(accuracy).toBeGreaterThanOrEqual(MIN_ACCURACY);
  });
});
