CREATE TABLE "environment_pauses" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"environment" text,
	"reason" text NOT NULL,
	"paused_by" text NOT NULL,
	"paused_by_token_id" uuid,
	"paused_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resumed_at" timestamp with time zone,
	"resumed_by" text,
	"resume_reason" text
);
--> statement-breakpoint
CREATE TABLE "release_rejections" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"release_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"rejected_by" text NOT NULL,
	"rejected_by_token_id" uuid,
	"rejected_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lifted_at" timestamp with time zone,
	"lifted_by" text,
	"lift_reason" text
);
--> statement-breakpoint
ALTER TABLE "environment_pauses" ADD CONSTRAINT "environment_pauses_environment_environments_name_fk" FOREIGN KEY ("environment") REFERENCES "public"."environments"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "environment_pauses" ADD CONSTRAINT "environment_pauses_paused_by_token_id_api_tokens_id_fk" FOREIGN KEY ("paused_by_token_id") REFERENCES "public"."api_tokens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "release_rejections" ADD CONSTRAINT "release_rejections_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "release_rejections" ADD CONSTRAINT "release_rejections_rejected_by_token_id_api_tokens_id_fk" FOREIGN KEY ("rejected_by_token_id") REFERENCES "public"."api_tokens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "environment_pauses_one_idx" ON "environment_pauses" USING btree (coalesce("environment", '')) WHERE "environment_pauses"."resumed_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "release_rejections_one_idx" ON "release_rejections" USING btree ("release_id") WHERE "release_rejections"."lifted_at" is null;--> statement-breakpoint
-- The application role rejects/lifts and pauses/resumes (no DELETE: the rows stay, with who lifted or resumed).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'flow_controller_app') THEN
    GRANT INSERT, UPDATE ON release_rejections, environment_pauses TO flow_controller_app;
  END IF;
END $$;
--> statement-breakpoint
-- Events (docs/events.md): `rejection` and `pause`, written like the others by SECURITY DEFINER triggers.
CREATE FUNCTION fc_event_rejection() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.lifted_at IS NOT DISTINCT FROM OLD.lifted_at THEN RETURN NULL; END IF;
  PERFORM fc_emit_event('rejection', NULL, NEW.release_id, NULL, jsonb_build_object(
    'rejected', NEW.lifted_at IS NULL, 'reason', NEW.reason, 'rejectedBy', NEW.rejected_by,
    'liftedBy', NEW.lifted_by, 'liftReason', NEW.lift_reason));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER release_rejections_events AFTER INSERT OR UPDATE ON release_rejections FOR EACH ROW EXECUTE FUNCTION fc_event_rejection();
--> statement-breakpoint
CREATE FUNCTION fc_event_pause() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.resumed_at IS NOT DISTINCT FROM OLD.resumed_at THEN RETURN NULL; END IF;
  PERFORM fc_emit_event('pause', NEW.environment, NULL, NULL, jsonb_build_object(
    'paused', NEW.resumed_at IS NULL, 'reason', NEW.reason, 'pausedBy', NEW.paused_by,
    'resumedBy', NEW.resumed_by, 'resumeReason', NEW.resume_reason));
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER environment_pauses_events AFTER INSERT OR UPDATE ON environment_pauses FOR EACH ROW EXECUTE FUNCTION fc_event_pause();
