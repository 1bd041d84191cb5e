import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { INestApplication } from '@nestjs/common';
import { CredentialsResolver } from '@bandeja/auth';
import { AppError, QUEUES, QueueFactory, UserRole } from '@bandeja/core';
import type { NextFunction, Request, Response } from 'express';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/** Mounts the BullMQ dashboard for admins (Bearer, X-Api-Key, or Basic from a browser). */
export function mountQueueDashboard(app: INestApplication): void {
  const queues = app.get(QueueFactory);
  const credentials = app.get(CredentialsResolver);
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: Object.values(QUEUES).map((name) => new BullMQAdapter(queues.get(name))),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Bandeja queues' } },
  });

  const adminOnly = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const principal = await credentials.resolve(req);
      if (!principal) {
        res.setHeader('WWW-Authenticate', 'Basic realm="Bandeja queues", charset="UTF-8"');
        return next(AppError.unauthorized());
      }
      if (principal.role !== UserRole.ADMIN)
        return next(AppError.forbidden('Only admins may see the queues'));
      return next();
    } catch (err) {
      return next(err);
    }
  };
  app.use(QUEUE_DASHBOARD_PATH, adminOnly, serverAdapter.getRouter());
}
