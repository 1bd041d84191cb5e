import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../http/public.decorator';
import { HealthService } from './health.service';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get('live')
  @HttpCode(200)
  @ApiOperation({ summary: 'The process is up' })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Postgres and Redis answer; 503 naming the failed one otherwise' })
  async ready(@Res({ passthrough: true }) res: Response) {
    const report = await this.health.check();
    if (report.status !== 'ok') {
      res.status(503);
      return {
        statusCode: 503,
        error: 'dependency_unavailable',
        message: `Not ready: ${Object.entries(report.checks)
          .filter(([, c]) => c.status !== 'up')
          .map(([name]) => name)
          .join(', ')} unavailable`,
        details: report.checks,
        requestId: String((res.req as { id?: string }).id ?? ''),
      };
    }
    return report;
  }
}
