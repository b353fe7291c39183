ALTER TABLE "environments" ADD COLUMN "degraded_grace_seconds" integer DEFAULT 60 NOT NULL;--> statement-breakpoint
ALTER TABLE "operator_actions" ADD COLUMN "from_step" text;