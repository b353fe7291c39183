ALTER TABLE "environments" ADD COLUMN "cluster_name" text;--> statement-breakpoint
ALTER TABLE "environments" ADD COLUMN "clusters" jsonb DEFAULT '[]'::jsonb NOT NULL;