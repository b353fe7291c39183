ALTER TABLE "deployments" DROP CONSTRAINT "deployments_status_check";--> statement-breakpoint
DROP INDEX "deployments_one_active_idx";--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "when_open" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "scheduled_for" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "break_glass_reason" text;--> statement-breakpoint
CREATE UNIQUE INDEX "deployments_one_active_idx" ON "deployments" USING btree ("environment") WHERE "deployments"."status" in ('pending','scheduled','awaiting_approval','running','awaiting_operator');--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_status_check" CHECK ("deployments"."status" in ('pending','scheduled','awaiting_approval','running','awaiting_operator','succeeded','failed','aborted'));--> statement-breakpoint
-- The lifecycle graph gains `scheduled` (domain/promotion.ts; db/vocabulary.test.ts checks it): the table is
-- immutable for everyone, so its guard is lifted for this one change, by the owner, inside the migration.
ALTER TABLE promotion_transitions DISABLE TRIGGER promotion_transitions_immutable;
--> statement-breakpoint
INSERT INTO promotion_transitions (from_status, to_status) VALUES
	('pending', 'scheduled'), ('scheduled', 'awaiting_approval'), ('scheduled', 'running'), ('scheduled', 'failed'),
	('scheduled', 'aborted'), ('running', 'scheduled');
--> statement-breakpoint
ALTER TABLE promotion_transitions ENABLE TRIGGER promotion_transitions_immutable;
--> statement-breakpoint
-- Deployment events carry when a scheduled promotion should start and a break-glass reason.
CREATE OR REPLACE FUNCTION fc_event_deployment() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.status IS NOT DISTINCT FROM OLD.status AND NEW.current_step IS NOT DISTINCT FROM OLD.current_step
     AND NEW.message IS NOT DISTINCT FROM OLD.message AND NEW.commit_sha IS NOT DISTINCT FROM OLD.commit_sha
     AND NEW.scheduled_for IS NOT DISTINCT FROM OLD.scheduled_for THEN
    RETURN NULL;
  END IF;
  PERFORM fc_emit_event('deployment', NEW.environment, NEW.release_id, NEW.id, jsonb_build_object(
    'status', NEW.status, 'step', NEW.current_step, 'message', NEW.message, 'isRollback', NEW.is_rollback,
    'startedBy', NEW.started_by, 'previousReleaseId', NEW.previous_release_id, 'commitSha', NEW.commit_sha,
    'revertSha', NEW.revert_sha, 'created', TG_OP = 'INSERT', 'scheduledFor', NEW.scheduled_for,
    'breakGlassReason', NEW.break_glass_reason));
  RETURN NULL;
END $$;
