import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { RedisService } from '@bandeja/core';
import type { Redis } from 'ioredis';
import { Subject } from 'rxjs';
import { SessionBus, SessionEvent } from '../session/session-bus';

/** One Redis subscription per api process, fanned out to every open event stream. */
@Injectable()
export class SessionEventsHub implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(SessionEventsHub.name);
  readonly events$ = new Subject<SessionEvent>();
  private subscriber?: Redis;

  constructor(
    private readonly redis: RedisService,
    private readonly bus: SessionBus,
  ) {}

  async onModuleInit(): Promise<void> {
    this.subscriber = this.redis.duplicate('wa-events');
    this.subscriber.on('message', (_channel: string, raw: string) => {
      try {
        this.events$.next(JSON.parse(raw) as SessionEvent);
      } catch {
        this.logger.warn('unreadable session event');
      }
    });
    // Do not block start-up on Redis: the subscription is made whenever it connects.
    this.subscriber
      .subscribe(this.bus.eventsChannel)
      .catch((err: Error) =>
        this.logger.warn({ err: err.message }, 'could not subscribe to session events'),
      );
  }

  onModuleDestroy(): void {
    this.events$.complete();
  }
}
