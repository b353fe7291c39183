CREATE TABLE "events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tx" bigint DEFAULT (pg_current_xact_id()::text::bigint) NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"type" text NOT NULL,
	"environment" text,
	"release_id" uuid,
	"deployment_id" bigint,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE INDEX "events_position_idx" ON "events" USING btree ("tx","id");--> statement-breakpoint
CREATE INDEX "events_environment_idx" ON "events" USING btree ("environment","tx","id");--> statement-breakpoint
CREATE INDEX "events_release_idx" ON "events" USING btree ("release_id","tx","id");--> statement-breakpoint
CREATE INDEX "events_deployment_idx" ON "events" USING btree ("deployment_id","tx","id");--> statement-breakpoint
-- The event log is written only by these triggers (SECURITY DEFINER, owned by the migrator): the application
-- role can read events but not insert them, so every event mirrors a change that was really made, and no
-- writer can forget one. Each trigger also notifies channel fc_events (an empty payload: Postgres folds the
-- notifications of one transaction into one) so API processes streaming GET /v1/events wake up.
CREATE FUNCTION fc_emit_event(p_type text, p_environment text, p_release uuid, p_deployment bigint, p_data jsonb)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO events (type, environment, release_id, deployment_id, data)
  VALUES (p_type, p_environment, p_release, p_deployment, jsonb_strip_nulls(p_data));
  PERFORM pg_notify('fc_events', '');
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION fc_emit_event(text, text, uuid, bigint, jsonb) FROM PUBLIC;
--> statement-breakpoint
CREATE FUNCTION fc_event_deployment() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.status IS NOT DISTINCT FROM OLD.status AND NEW.current_step IS NOT DISTINCT FROM OLD.current_step
     AND NEW.message IS NOT DISTINCT FROM OLD.message AND NEW.commit_sha IS NOT DISTINCT FROM OLD.commit_sha THEN
    RETURN NULL;
  END IF;
  PERFORM fc_emit_event('deployment', NEW.environment, NEW.release_id, NEW.id, jsonb_build_object(
    'status', NEW.status, 'step', NEW.current_step, 'message', NEW.message, 'isRollback', NEW.is_rollback,
    'startedBy', NEW.started_by, 'previousReleaseId', NEW.previous_release_id, 'commitSha', NEW.commit_sha,
    'revertSha', NEW.revert_sha, 'created', TG_OP = 'INSERT'));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER deployments_events AFTER INSERT OR UPDATE ON deployments FOR EACH ROW EXECUTE FUNCTION fc_event_deployment();
--> statement-breakpoint
CREATE FUNCTION fc_event_step() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE d record;
BEGIN
  IF TG_OP = 'INSERT' AND NEW.status = 'pending' THEN RETURN NULL; END IF;
  IF TG_OP = 'UPDATE' AND NEW.status IS NOT DISTINCT FROM OLD.status AND NEW.message IS NOT DISTINCT FROM OLD.message
     AND NEW.attempts IS NOT DISTINCT FROM OLD.attempts THEN
    RETURN NULL;
  END IF;
  SELECT environment, release_id INTO d FROM deployments WHERE id = NEW.deployment_id;
  PERFORM fc_emit_event('step', d.environment, d.release_id, NEW.deployment_id, jsonb_build_object(
    'step', NEW.step, 'status', NEW.status, 'attempts', NEW.attempts, 'message', NEW.message,
    'startedAt', NEW.started_at, 'finishedAt', NEW.finished_at));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER deployment_steps_events AFTER INSERT OR UPDATE ON deployment_steps FOR EACH ROW EXECUTE FUNCTION fc_event_step();
--> statement-breakpoint
CREATE FUNCTION fc_event_operator_action() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE d record;
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.outcome IS NOT DISTINCT FROM OLD.outcome THEN RETURN NULL; END IF;
  SELECT environment, release_id INTO d FROM deployments WHERE id = NEW.deployment_id;
  PERFORM fc_emit_event('operator-action', d.environment, d.release_id, NEW.deployment_id, jsonb_build_object(
    'id', NEW.id, 'action', NEW.action, 'principal', NEW.principal, 'outcome', NEW.outcome,
    'outcomeReason', NEW.outcome_reason, 'comment', NEW.comment));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER operator_actions_events AFTER INSERT OR UPDATE ON operator_actions FOR EACH ROW EXECUTE FUNCTION fc_event_operator_action();
--> statement-breakpoint
CREATE FUNCTION fc_event_verification() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.state IS NOT DISTINCT FROM OLD.state AND NEW.soak_until IS NOT DISTINCT FROM OLD.soak_until THEN
    RETURN NULL;
  END IF;
  PERFORM fc_emit_event('verification', NEW.environment, NEW.release_id, NEW.deployment_id, jsonb_build_object(
    'state', NEW.state, 'soakUntil', NEW.soak_until, 'verifiedAt', NEW.verified_at, 'revokedAt', NEW.revoked_at,
    'reason', NEW.reason));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER release_verifications_events AFTER INSERT OR UPDATE ON release_verifications FOR EACH ROW EXECUTE FUNCTION fc_event_verification();
--> statement-breakpoint
CREATE FUNCTION fc_event_incident() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.resolved_at IS NOT DISTINCT FROM OLD.resolved_at AND NEW.action IS NOT DISTINCT FROM OLD.action THEN
    RETURN NULL;
  END IF;
  PERFORM fc_emit_event('incident', NEW.environment, NEW.release_id, NEW.deployment_id, jsonb_build_object(
    'id', NEW.id, 'application', NEW.application, 'kind', NEW.kind, 'summary', NEW.summary,
    'firstSeenAt', NEW.first_seen_at, 'resolvedAt', NEW.resolved_at, 'action', NEW.action,
    'actionDeploymentId', NEW.action_deployment_id));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER incidents_events AFTER INSERT OR UPDATE ON incidents FOR EACH ROW EXECUTE FUNCTION fc_event_incident();
--> statement-breakpoint
CREATE FUNCTION fc_event_freeze() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.ended_at IS NOT DISTINCT FROM OLD.ended_at THEN RETURN NULL; END IF;
  PERFORM fc_emit_event('freeze', NEW.environment, NULL, NULL, jsonb_build_object(
    'id', NEW.id, 'kind', NEW.kind, 'reason', NEW.reason, 'scheduleType', NEW.schedule->>'type',
    'createdBy', NEW.created_by, 'endedAt', NEW.ended_at, 'endedBy', NEW.ended_by));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER freeze_windows_events AFTER INSERT OR UPDATE ON freeze_windows FOR EACH ROW EXECUTE FUNCTION fc_event_freeze();
