-- Every household-scoped table carries the code of its household's county (the first six
-- digits of every division code), the column a province's database on Citus is distributed
-- by (ARCHITECTURE.md, "A province on PostgreSQL, distributed by county").
--
-- No INSERT names it: the column's default is the connection's county, the setting
-- `doudi.county` that `PgStore::connect` gives every connection it opens (a connection without
-- it cannot write these tables: "unrecognized configuration parameter"). A household's own
-- county must be that of its township, so a process of one county cannot file a household of
-- another. Existing rows get the county of the connection that migrates: a database holds one
-- county (every division code starts with it).
ALTER TABLE households ADD COLUMN county TEXT NOT NULL
    DEFAULT current_setting('doudi.county')
    CONSTRAINT households_county CHECK (county = substr(township, 1, 6));
ALTER TABLE persons ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT persons_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE incomes ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT incomes_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE expenses ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT expenses_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE assets ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT assets_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE surveys ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT surveys_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE change_log ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT change_log_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE pairings ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT pairings_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE cases ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT cases_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE case_steps ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT case_steps_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE case_objections ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT case_objections_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE case_exclusions ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT case_exclusions_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE decisions ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT decisions_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE entitlements ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT entitlements_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE payments ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT payments_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE tekun_care ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT tekun_care_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE carried_entitlements ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT carried_entitlements_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE review_proposals ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT review_proposals_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE alerts ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT alerts_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE inpatient_stays ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT inpatient_stays_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE enrolments ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT enrolments_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE education_deliveries ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT education_deliveries_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE disaster_households ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT disaster_households_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE disaster_reliefs ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT disaster_reliefs_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE relief_months ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT relief_months_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE service_records ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT service_records_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE housing_applications ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT housing_applications_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE job_referrals ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT job_referrals_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE job_training ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT job_training_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE visits ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT visits_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE visit_attachments ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT visit_attachments_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE social_needs ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT social_needs_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE fund_findings ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT fund_findings_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE inspection_samples ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT inspection_samples_county CHECK (county ~ '^[0-9]{6}$');
ALTER TABLE inspection_findings ADD COLUMN county TEXT NOT NULL DEFAULT current_setting('doudi.county')
    CONSTRAINT inspection_findings_county CHECK (county ~ '^[0-9]{6}$');
