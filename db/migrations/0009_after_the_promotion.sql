CREATE TABLE "incidents" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"environment" text NOT NULL,
	"application" text DEFAULT '' NOT NULL,
	"kind" text NOT NULL,
	"release_id" uuid,
	"deployment_id" bigint,
	"summary" text NOT NULL,
	"evidence" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp with time zone,
	"action" text,
	"action_at" timestamp with time zone,
	"action_deployment_id" bigint,
	"action_message" text,
	CONSTRAINT "incidents_kind_check" CHECK ("incidents"."kind" in ('drift','degraded','missing','out-of-sync','verification-failed')),
	CONSTRAINT "incidents_action_check" CHECK ("incidents"."action" is null or "incidents"."action" in ('alerted','resynced','rolled-back','rollback-refused'))
);
--> statement-breakpoint
CREATE TABLE "release_verifications" (
	"deployment_id" bigint PRIMARY KEY NOT NULL,
	"environment" text NOT NULL,
	"release_id" uuid NOT NULL,
	"state" text NOT NULL,
	"checks_passed_at" timestamp with time zone,
	"soak_until" timestamp with time zone,
	"verified_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"reason" text,
	"evidence" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "release_verifications_state_check" CHECK ("release_verifications"."state" in ('verifying','soaking','verified','failed','revoked'))
);
--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "upstream_requires" text DEFAULT 'succeeded' NOT NULL;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "verification" jsonb;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "monitoring" jsonb;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_environment_environments_name_fk" FOREIGN KEY ("environment") REFERENCES "public"."environments"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_action_deployment_id_deployments_id_fk" FOREIGN KEY ("action_deployment_id") REFERENCES "public"."deployments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "release_verifications" ADD CONSTRAINT "release_verifications_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "release_verifications" ADD CONSTRAINT "release_verifications_environment_environments_name_fk" FOREIGN KEY ("environment") REFERENCES "public"."environments"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "release_verifications" ADD CONSTRAINT "release_verifications_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "incidents_one_open_idx" ON "incidents" USING btree ("environment","application","kind") WHERE "incidents"."resolved_at" is null;--> statement-breakpoint
CREATE INDEX "incidents_env_idx" ON "incidents" USING btree ("environment","id");--> statement-breakpoint
CREATE INDEX "release_verifications_release_idx" ON "release_verifications" USING btree ("release_id","environment","deployment_id");--> statement-breakpoint
CREATE INDEX "release_verifications_env_idx" ON "release_verifications" USING btree ("environment","deployment_id");--> statement-breakpoint
ALTER TABLE "environments" ADD CONSTRAINT "environments_upstream_requires_check" CHECK ("environments"."upstream_requires" in ('succeeded','verified'));--> statement-breakpoint
-- The application role writes verification states and incidents (no DELETE: incidents are resolved, never removed).
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'flow_controller_app') THEN
    GRANT INSERT, UPDATE ON release_verifications, incidents TO flow_controller_app;
  END IF;
END $$;
