ALTER TABLE "deployments" DROP CONSTRAINT "deployments_status_check";--> statement-breakpoint
ALTER TABLE "deployments" ADD COLUMN "queued_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "queue_policy" text DEFAULT 'fifo' NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "deployments_one_queued_idx" ON "deployments" USING btree ("environment","release_id") WHERE "deployments"."status" = 'queued';--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_status_check" CHECK ("deployments"."status" in ('queued','pending','scheduled','awaiting_approval','running','awaiting_operator','succeeded','failed','aborted','superseded'));--> statement-breakpoint
ALTER TABLE "environments" ADD CONSTRAINT "environments_queue_policy_check" CHECK ("environments"."queue_policy" in ('fifo','newest-wins'));--> statement-breakpoint
-- The lifecycle graph gains `queued` and `superseded` (domain/promotion.ts; db/vocabulary.test.ts checks it): the
-- table is immutable for everyone, so its guard is lifted for this one change, by the owner, inside the migration.
ALTER TABLE promotion_transitions DISABLE TRIGGER promotion_transitions_immutable;
--> statement-breakpoint
INSERT INTO promotion_transitions (from_status, to_status) VALUES
	('queued', 'pending'), ('queued', 'superseded'), ('queued', 'aborted'), ('queued', 'failed');
--> statement-breakpoint
ALTER TABLE promotion_transitions ENABLE TRIGGER promotion_transitions_immutable;
--> statement-breakpoint
-- 0004's guard, with two changes: `superseded` is terminal (its outcome never changes either), and a queued
-- record's predecessor (previous release, rollback or not) is decided when it starts, not when it was queued.
CREATE OR REPLACE FUNCTION flow_deployment_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id <> OLD.id OR NEW.environment <> OLD.environment OR NEW.release_id <> OLD.release_id
     OR NEW.workflow_id <> OLD.workflow_id OR NEW.started_by <> OLD.started_by
     OR NEW.started_by_token_id IS DISTINCT FROM OLD.started_by_token_id
     OR (OLD.status <> 'queued' AND (NEW.previous_release_id IS DISTINCT FROM OLD.previous_release_id OR NEW.is_rollback <> OLD.is_rollback)) THEN
    RAISE EXCEPTION 'deployment %: its identity columns never change', OLD.id USING ERRCODE = 'restrict_violation';
  END IF;
  IF OLD.run_id IS NOT NULL AND NEW.run_id IS DISTINCT FROM OLD.run_id THEN
    RAISE EXCEPTION 'deployment %: it belongs to run % already', OLD.id, OLD.run_id USING ERRCODE = 'restrict_violation';
  END IF;
  IF NEW.status <> OLD.status AND NOT EXISTS (
    SELECT 1 FROM promotion_transitions WHERE from_status = OLD.status AND to_status = NEW.status
  ) THEN
    RAISE EXCEPTION 'deployment %: % -> % is not a transition of the promotion lifecycle', OLD.id, OLD.status, NEW.status
      USING ERRCODE = 'restrict_violation';
  END IF;
  IF OLD.status IN ('succeeded', 'failed', 'aborted', 'superseded') AND (
    NEW.finished_at IS DISTINCT FROM OLD.finished_at OR NEW.commit_sha IS DISTINCT FROM OLD.commit_sha
    OR NEW.revert_sha IS DISTINCT FROM OLD.revert_sha OR NEW.actions IS DISTINCT FROM OLD.actions
  ) THEN
    RAISE EXCEPTION 'deployment % has ended (%): its outcome never changes', OLD.id, OLD.status USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END;
$$;
