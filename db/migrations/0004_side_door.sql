CREATE TABLE "deployment_transition_keys" (
	"key" text PRIMARY KEY NOT NULL,
	"deployment_id" bigint NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "operator_actions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"deployment_id" bigint NOT NULL,
	"action" text NOT NULL,
	"token_id" uuid NOT NULL,
	"principal" text NOT NULL,
	"role" text NOT NULL,
	"scope" text[] DEFAULT '{}'::text[] NOT NULL,
	"request_id" text,
	"comment" text,
	"leave_git" boolean DEFAULT false NOT NULL,
	"outcome" text DEFAULT 'pending' NOT NULL,
	"outcome_reason" text,
	"run_id" text,
	"update_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"decided_at" timestamp with time zone,
	CONSTRAINT "operator_actions_action_check" CHECK ("operator_actions"."action" in ('approve','retry','abort')),
	CONSTRAINT "operator_actions_outcome_check" CHECK ("operator_actions"."outcome" in ('pending','applied','rejected'))
);
--> statement-breakpoint
-- Existing tokens: the principal is the token name (hand-edited: drizzle-kit would add NOT NULL to a filled table).
ALTER TABLE "api_tokens" ADD COLUMN "principal" text;--> statement-breakpoint
UPDATE "api_tokens" SET "principal" = "name";--> statement-breakpoint
ALTER TABLE "api_tokens" ALTER COLUMN "principal" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "deployment_transition_keys" ADD CONSTRAINT "deployment_transition_keys_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "operator_actions" ADD CONSTRAINT "operator_actions_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "operator_actions" ADD CONSTRAINT "operator_actions_token_id_api_tokens_id_fk" FOREIGN KEY ("token_id") REFERENCES "public"."api_tokens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "operator_actions_deployment_idx" ON "operator_actions" USING btree ("deployment_id","created_at");--> statement-breakpoint
-- ---- Hand-written below: what Drizzle cannot express ----
-- The lifecycle graph of domain/promotion.ts (canTransition), as data the trigger reads; db/vocabulary.test.ts
-- checks that it equals allTransitions().
CREATE TABLE "promotion_transitions" (
	"from_status" text NOT NULL,
	"to_status" text NOT NULL,
	PRIMARY KEY ("from_status", "to_status")
);
--> statement-breakpoint
INSERT INTO "promotion_transitions" ("from_status", "to_status") VALUES
	('pending', 'awaiting_approval'), ('pending', 'running'), ('pending', 'failed'), ('pending', 'aborted'),
	('awaiting_approval', 'running'), ('awaiting_approval', 'failed'), ('awaiting_approval', 'aborted'),
	('running', 'awaiting_operator'), ('running', 'succeeded'), ('running', 'failed'), ('running', 'aborted'),
	('awaiting_operator', 'running'), ('awaiting_operator', 'failed'), ('awaiting_operator', 'aborted');
--> statement-breakpoint
-- A deployment record follows the graph: a status change outside it (failed/aborted -> succeeded, anything out of
-- a terminal status) is rejected; its identity never changes; a terminal record keeps its outcome columns.
CREATE OR REPLACE FUNCTION flow_deployment_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id <> OLD.id OR NEW.environment <> OLD.environment OR NEW.release_id <> OLD.release_id
     OR NEW.workflow_id <> OLD.workflow_id OR NEW.started_by <> OLD.started_by
     OR NEW.started_by_token_id IS DISTINCT FROM OLD.started_by_token_id
     OR NEW.previous_release_id IS DISTINCT FROM OLD.previous_release_id OR NEW.is_rollback <> OLD.is_rollback THEN
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
  IF OLD.status IN ('succeeded', 'failed', 'aborted') AND (
    NEW.finished_at IS DISTINCT FROM OLD.finished_at OR NEW.commit_sha IS DISTINCT FROM OLD.commit_sha
    OR NEW.revert_sha IS DISTINCT FROM OLD.revert_sha OR NEW.actions IS DISTINCT FROM OLD.actions
  ) THEN
    RAISE EXCEPTION 'deployment % has ended (%): its outcome never changes', OLD.id, OLD.status USING ERRCODE = 'restrict_violation';
  END IF;
  RETURN NEW;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER deployments_lifecycle BEFORE UPDATE ON deployments
  FOR EACH ROW EXECUTE FUNCTION flow_deployment_guard();
--> statement-breakpoint
-- History is append-only: deployments, their steps, operator actions, transition keys and the audit trail are
-- never deleted (flow_reject_mutation from 0002); the audit trail and operator actions' identity never change.
CREATE TRIGGER deployments_no_delete BEFORE DELETE ON deployments
  FOR EACH ROW EXECUTE FUNCTION flow_reject_mutation();
--> statement-breakpoint
CREATE TRIGGER deployment_steps_no_delete BEFORE DELETE ON deployment_steps
  FOR EACH ROW EXECUTE FUNCTION flow_reject_mutation();
--> statement-breakpoint
CREATE TRIGGER audit_events_immutable BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION flow_reject_mutation();
--> statement-breakpoint
CREATE TRIGGER operator_actions_no_delete BEFORE DELETE ON operator_actions
  FOR EACH ROW EXECUTE FUNCTION flow_reject_mutation();
--> statement-breakpoint
CREATE TRIGGER promotion_transitions_immutable BEFORE INSERT OR UPDATE OR DELETE ON promotion_transitions
  FOR EACH ROW EXECUTE FUNCTION flow_reject_mutation();
--> statement-breakpoint
DO $$ BEGIN
  CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION flow_reject_mutation();
  CREATE TRIGGER deployments_no_truncate BEFORE TRUNCATE ON deployments FOR EACH STATEMENT EXECUTE FUNCTION flow_reject_mutation();
END $$;
--> statement-breakpoint
-- The application's least-privilege role (docs/security.md): not the owner, not a superuser, so it cannot
-- disable or drop these triggers (ALTER TABLE needs ownership) nor set session_replication_role. Migrations run
-- as the owner; the role gets a login password from the deployment (dev/migrate-cli.ts, FC_APP_DB_PASSWORD).
-- A migrator without CREATEROLE skips the role (a notice) and the DBA creates it with these grants.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'flow_controller_app') THEN
    BEGIN
      CREATE ROLE flow_controller_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'flow_controller_app not created (no CREATEROLE); create it and grant as in 0004_side_door.sql';
      RETURN;
    END;
  END IF;
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO flow_controller_app', current_database());
  GRANT USAGE ON SCHEMA public TO flow_controller_app;
  GRANT SELECT ON ALL TABLES IN SCHEMA public TO flow_controller_app;
  GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO flow_controller_app;
  -- Append-only: insert and read, never update or delete.
  GRANT INSERT ON releases, templates, audit_events, deployment_transition_keys TO flow_controller_app;
  -- Mutable state (row-level rules above still apply); no DELETE anywhere.
  GRANT INSERT, UPDATE ON api_tokens, environments, deployments, deployment_steps, operator_actions TO flow_controller_app;
  -- Tables of later migrations (created by this same owner) are readable; writes are granted one by one there.
  ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO flow_controller_app;
  ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO flow_controller_app;
END $$;
