CREATE TABLE "notification_cursors" (
	"name" text PRIMARY KEY NOT NULL,
	"tx" bigint NOT NULL,
	"event_id" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"subscription_id" uuid NOT NULL,
	"event_key" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"notification" jsonb NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"redeliveries" integer DEFAULT 0 NOT NULL,
	"last_status_code" integer,
	"last_error" text,
	"event_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	CONSTRAINT "notification_deliveries_state_check" CHECK ("notification_deliveries"."state" in ('pending','delivered','failed-retrying','dead'))
);
--> statement-breakpoint
CREATE TABLE "notification_subscriptions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"filters" jsonb NOT NULL,
	"target" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_by_token_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"deleted_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD CONSTRAINT "notification_deliveries_subscription_id_notification_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."notification_subscriptions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notification_subscriptions" ADD CONSTRAINT "notification_subscriptions_created_by_token_id_api_tokens_id_fk" FOREIGN KEY ("created_by_token_id") REFERENCES "public"."api_tokens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "notification_deliveries_event_idx" ON "notification_deliveries" USING btree ("subscription_id","event_key");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_deliveries_key_idx" ON "notification_deliveries" USING btree ("idempotency_key");--> statement-breakpoint
CREATE INDEX "notification_deliveries_list_idx" ON "notification_deliveries" USING btree ("subscription_id","id");--> statement-breakpoint
CREATE INDEX "notification_deliveries_unattempted_idx" ON "notification_deliveries" USING btree ("created_at") WHERE "notification_deliveries"."state" = 'pending' and "notification_deliveries"."attempts" = 0 and "notification_deliveries"."redeliveries" = 0;--> statement-breakpoint
CREATE INDEX "notification_subscriptions_active_idx" ON "notification_subscriptions" USING btree ("created_at") WHERE "notification_subscriptions"."deleted_at" is null;--> statement-breakpoint
-- The application role manages subscriptions (no DELETE: a deleted subscription keeps its row and delivery log),
-- records deliveries and moves the dispatcher's cursor.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'flow_controller_app') THEN
    GRANT INSERT, UPDATE ON notification_subscriptions, notification_deliveries, notification_cursors TO flow_controller_app;
  END IF;
END $$;
