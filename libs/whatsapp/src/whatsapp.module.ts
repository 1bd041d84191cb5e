import { DynamicModule, ModuleMetadata, Provider, Type } from '@nestjs/common';
import { AppConfig, PrismaService } from '@bandeja/core';
import { AuthModule } from '@bandeja/auth';
import { SessionEventsHub } from './api/session-events.hub';
import { SessionStatusService } from './api/session-status.service';
import { WhatsappController } from './api/whatsapp.controller';
import { AUTH_STATE_STORE } from './auth-state/auth-state-store';
import { createAuthStateStore } from './auth-state/auth-state.factory';
import { createBaileysSocketFactory } from './baileys/baileys-socket.factory';
import { SOCKET_FACTORY, SocketFactory } from './baileys/socket.types';
import { INBOUND_SINK, InboundSink } from './session/inbound-sink';
import { SessionBus } from './session/session-bus';
import { SessionManager } from './session/session-manager';
import { SimulatorController } from './simulator/simulator.controller';

export interface WhatsappModuleOptions {
  /** Modules providing the inbound sink (the inbox). */
  imports?: ModuleMetadata['imports'];
  /** Receives inbound messages and receipts (the inbox pipeline). */
  inboundSink: Type<InboundSink>;
  /** Tests replace the real Baileys socket with a fake one. */
  socketFactory?: SocketFactory;
}

const sinkProvider = (sink: Type<InboundSink>): Provider => ({
  provide: INBOUND_SINK,
  useExisting: sink,
});

/**
 * WhatsApp sessions. `forWorker` runs the sockets (SessionManager); `forApi` serves the HTTP
 * routes and talks to the workers through Redis. The single-process mode loads both.
 */
export class WhatsappModule {
  static forWorker(options: WhatsappModuleOptions): DynamicModule {
    return {
      module: WhatsappWorkerModule,
      imports: options.imports ?? [],
      providers: [
        SessionBus,
        SessionManager,
        sinkProvider(options.inboundSink),
        {
          provide: AUTH_STATE_STORE,
          inject: [AppConfig, PrismaService],
          useFactory: createAuthStateStore,
        },
        {
          provide: SOCKET_FACTORY,
          useFactory: () => options.socketFactory ?? createBaileysSocketFactory(),
        },
      ],
      exports: [SessionManager, AUTH_STATE_STORE],
    };
  }

  static forApi(options: WhatsappModuleOptions): DynamicModule {
    return {
      module: WhatsappApiModule,
      // Global: other api modules ask it whether a point can send (e.g. agent replies).
      global: true,
      imports: [AuthModule, ...(options.imports ?? [])],
      controllers: [WhatsappController, SimulatorController],
      providers: [
        SessionBus,
        SessionStatusService,
        SessionEventsHub,
        sinkProvider(options.inboundSink),
      ],
      exports: [SessionStatusService, SessionEventsHub],
    };
  }
}

class WhatsappWorkerModule {}
class WhatsappApiModule {}
