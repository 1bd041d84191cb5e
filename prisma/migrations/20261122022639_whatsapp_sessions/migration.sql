-- AlterTable
ALTER TABLE "ServicePoint" ADD COLUMN     "whatsappAutoStart" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "WhatsappAuthEntry" (
    "servicePointId" UUID NOT NULL,
    "key" TEXT NOT NULL,
    "value" BYTEA NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "WhatsappAuthEntry_pkey" PRIMARY KEY ("servicePointId","key")
);

-- AddForeignKey
ALTER TABLE "WhatsappAuthEntry" ADD CONSTRAINT "WhatsappAuthEntry_servicePointId_fkey" FOREIGN KEY ("servicePointId") REFERENCES "ServicePoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;
