import { Module } from '@nestjs/common';
import { AuthModule } from '@bandeja/auth';
import { SessionBus } from '@bandeja/whatsapp';
import { FaqsController } from './faqs/faqs.controller';
import { FaqsService } from './faqs/faqs.service';
import { ServicePointsController } from './service-points/service-points.controller';
import { ServicePointsRepository } from './service-points/service-points.repository';
import { ServicePointsService } from './service-points/service-points.service';
import { ShipmentsController } from './shipments/shipments.controller';
import { ShipmentsService } from './shipments/shipments.service';

/** Branch administration: service points and the knowledge the bot answers from. */
@Module({
  imports: [AuthModule],
  controllers: [ServicePointsController, ShipmentsController, FaqsController],
  providers: [
    ServicePointsRepository,
    ServicePointsService,
    ShipmentsService,
    FaqsService,
    SessionBus,
  ],
  exports: [ServicePointsService, ShipmentsService, FaqsService],
})
export class AdminModule {}
