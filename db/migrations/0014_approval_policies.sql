ALTER TABLE "operator_actions" DROP CONSTRAINT "operator_actions_action_check";--> statement-breakpoint
ALTER TABLE "api_tokens" ADD COLUMN "groups" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "approval_wait_seconds" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "operator_actions" ADD CONSTRAINT "operator_actions_action_check" CHECK ("operator_actions"."action" in ('approve','reject','retry','abort'));