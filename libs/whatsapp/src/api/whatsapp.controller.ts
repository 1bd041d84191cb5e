import { Controller, Get, Headers, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { AppError, MembershipRole, openEventStream } from '@bandeja/core';
import { PointAccess, UuidParam, POINT_FROM_ID } from '@bandeja/auth';
import type { Request, Response } from 'express';
import * as QRCode from 'qrcode';
import { SessionBus, SessionCommand, StoredStatus } from '../session/session-bus';
import { SessionEventsHub } from './session-events.hub';
import { SessionStatusService } from './session-status.service';

/** The contract's "WhatsApp session of a point": the sockets live in the worker. */
@ApiTags('whatsapp')
@ApiBearerAuth()
@ApiSecurity('apiKey')
@Controller('service-points/:id/whatsapp')
export class WhatsappController {
  constructor(
    private readonly status: SessionStatusService,
    private readonly bus: SessionBus,
    private readonly hub: SessionEventsHub,
  ) {}

  @Get()
  @PointAccess(MembershipRole.AGENT, POINT_FROM_ID)
  @ApiOperation({ summary: "The session's real state and what a person should do" })
  get(@UuidParam('id') id: string) {
    return this.status.get(id);
  }

  @Post('connect')
  @HttpCode(202)
  @PointAccess(MembershipRole.AGENT, POINT_FROM_ID)
  @ApiOperation({ summary: 'Start or restart the socket of this point (others are untouched)' })
  connect(@UuidParam('id') id: string, @Req() req: Request) {
    return this.command('connect', id, req);
  }

  @Post('disconnect')
  @HttpCode(202)
  @PointAccess(MembershipRole.AGENT, POINT_FROM_ID)
  @ApiOperation({ summary: 'Close the socket and keep the credentials' })
  disconnect(@UuidParam('id') id: string, @Req() req: Request) {
    return this.command('disconnect', id, req);
  }

  @Post('logout')
  @HttpCode(202)
  @PointAccess(MembershipRole.AGENT, POINT_FROM_ID)
  @ApiOperation({
    summary: 'Unlink the device and delete the credentials; the next connect needs a QR',
  })
  logout(@UuidParam('id') id: string, @Req() req: Request) {
    return this.command('logout', id, req);
  }

  @Get('qr')
  @PointAccess(MembershipRole.AGENT, POINT_FROM_ID)
  @ApiProduces('application/json', 'image/png')
  @ApiOperation({
    summary: 'The QR to scan, as JSON (with a data URL) or, with Accept: image/png, the image',
  })
  async qr(
    @UuidParam('id') id: string,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { qr, expiresAt } = await this.status.qr(id);
    res.setHeader('Cache-Control', 'no-store');
    if (accept?.includes('image/png')) {
      const png = await QRCode.toBuffer(qr, {
        type: 'png',
        margin: 2,
        width: 320,
        errorCorrectionLevel: 'M',
      });
      res.setHeader('Content-Type', 'image/png');
      res.send(png);
      return;
    }
    return {
      qr,
      qrDataUrl: await QRCode.toDataURL(qr, { margin: 2, width: 320, errorCorrectionLevel: 'M' }),
      expiresAt,
    };
  }

  @Get('events')
  @PointAccess(MembershipRole.AGENT, POINT_FROM_ID)
  @ApiProduces('text/event-stream')
  @ApiOperation({ summary: 'Server-sent `state` and `qr` events of this point' })
  async events(
    @UuidParam('id') id: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const stream = openEventStream(req, res);
    const subscription = this.hub.events$.subscribe((event) => {
      if (event.servicePointId !== id) return;
      if (event.type === 'qr')
        stream.send('qr', { servicePointId: id, qr: event.qr, expiresAt: event.expiresAt });
      else
        stream.send(
          'state',
          { servicePointId: id, ...this.viewOf(event.status) },
          event.status.updatedAt,
        );
    });
    stream.onClose(() => subscription.unsubscribe());
    // The current state first, so a fresh client does not wait for the next change.
    stream.send('state', { servicePointId: id, ...(await this.status.get(id)) });
  }

  private viewOf(status: StoredStatus) {
    const { workerId: _worker, updatedAt: _updated, qr, ...rest } = status;
    return { ...rest, qrExpiresAt: qr?.expiresAt ?? null };
  }

  private async command(op: SessionCommand['op'], servicePointId: string, req: Request) {
    const receivers = await this.bus
      .command({ op, servicePointId, requestId: String(req.id ?? '') })
      .catch(() => {
        throw AppError.unavailable(
          'dependency_unavailable',
          'Redis is not reachable; the command was not sent',
        );
      });
    if (receivers === 0) {
      throw AppError.unavailable(
        'worker_unavailable',
        'No worker process is running to execute this; start the worker and try again',
      );
    }
    return { accepted: true, op, servicePointId };
  }
}
