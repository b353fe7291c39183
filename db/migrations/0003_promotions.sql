CREATE TABLE "deployment_steps" (
	"deployment_id" bigint NOT NULL,
	"step" text NOT NULL,
	"position" integer NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"message" text,
	"observation" jsonb,
	CONSTRAINT "deployment_steps_deployment_id_step_pk" PRIMARY KEY("deployment_id","step")
);
--> statement-breakpoint
CREATE TABLE "deployments" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"environment" text NOT NULL,
	"release_id" uuid NOT NULL,
	"previous_release_id" uuid,
	"is_rollback" boolean DEFAULT false NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"started_by" text NOT NULL,
	"started_by_token_id" uuid,
	"workflow_id" text NOT NULL,
	"run_id" text,
	"current_step" text,
	"commit_sha" text,
	"revert_sha" text,
	"message" text,
	"actions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "deployments_status_check" CHECK ("deployments"."status" in ('pending','awaiting_approval','running','awaiting_operator','succeeded','failed','aborted'))
);
--> statement-breakpoint
CREATE TABLE "environments" (
	"name" text PRIMARY KEY NOT NULL,
	"display_order" integer NOT NULL,
	"upstream" text[] DEFAULT '{}'::text[] NOT NULL,
	"protected" boolean DEFAULT false NOT NULL,
	"approvals_required" integer DEFAULT 0 NOT NULL,
	"approvers" text[] DEFAULT '{}'::text[] NOT NULL,
	"approval_timeout_seconds" integer DEFAULT 86400 NOT NULL,
	"gitops" jsonb NOT NULL,
	"argocd" jsonb NOT NULL,
	"kubernetes" jsonb NOT NULL,
	"convergence_deadline_seconds" integer DEFAULT 600 NOT NULL,
	"current_release_id" uuid,
	"current_deployment_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "environments_approvals_check" CHECK ("environments"."approvals_required" >= 0)
);
--> statement-breakpoint
ALTER TABLE "deployment_steps" ADD CONSTRAINT "deployment_steps_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_environment_environments_name_fk" FOREIGN KEY ("environment") REFERENCES "public"."environments"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_release_id_releases_id_fk" FOREIGN KEY ("release_id") REFERENCES "public"."releases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_previous_release_id_releases_id_fk" FOREIGN KEY ("previous_release_id") REFERENCES "public"."releases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "environments" ADD CONSTRAINT "environments_current_release_id_releases_id_fk" FOREIGN KEY ("current_release_id") REFERENCES "public"."releases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "deployments_one_active_idx" ON "deployments" USING btree ("environment") WHERE "deployments"."status" in ('pending','awaiting_approval','running','awaiting_operator');--> statement-breakpoint
CREATE INDEX "deployments_env_idx" ON "deployments" USING btree ("environment","id");--> statement-breakpoint
CREATE INDEX "deployments_release_idx" ON "deployments" USING btree ("release_id","id");