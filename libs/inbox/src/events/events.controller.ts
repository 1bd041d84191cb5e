import { Controller, Get, Headers, OnModuleInit, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { DomainEvent, DomainEvents, openEventStream } from '@bandeja/core';
import { CurrentPrincipal, TenancyService } from '@bandeja/auth';
import type { Principal } from '@bandeja/auth';
import type { Request, Response } from 'express';

/**
 * Live events of the caller's points (`message.created`, `message.updated`,
 * `conversation.updated`, `whatsapp.state`), from every process. Ids are the Redis stream's, so a
 * client reconnecting with Last-Event-ID receives what it missed.
 */
@ApiTags('events')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('events')
export class EventsController implements OnModuleInit {
  constructor(
    private readonly events: DomainEvents,
    private readonly tenancy: TenancyService,
  ) {}

  onModuleInit(): void {
    this.events.startReading();
  }

  @Get()
  @ApiProduces('text/event-stream')
  @ApiOperation({ summary: "Server-sent events of the caller's service points" })
  async stream(
    @CurrentPrincipal() principal: Principal,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const visible = this.tenancy.visiblePointIds(principal);
    const allowed = (e: DomainEvent) => !visible || visible.includes(e.servicePointId);
    const stream = openEventStream(req, res);
    const send = (e: DomainEvent) =>
      stream.send(e.type, { servicePointId: e.servicePointId, ...(e.data as object) }, e.id);
    // Subscribe before replaying so nothing falls between the two; ids dedupe the overlap.
    const buffered: DomainEvent[] = [];
    let replaying = true;
    let lastSent = lastEventId ?? '';
    const subscription = this.events.events$.subscribe((e) => {
      if (!allowed(e)) return;
      if (replaying) buffered.push(e);
      else send(e);
    });
    stream.onClose(() => subscription.unsubscribe());
    if (lastEventId) {
      for (const e of await this.events.since(lastEventId)) {
        if (allowed(e)) {
          send(e);
          lastSent = e.id;
        }
      }
    }
    replaying = false;
    for (const e of buffered) if (!lastSent || compareIds(e.id, lastSent) > 0) send(e);
  }
}

function compareIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}
