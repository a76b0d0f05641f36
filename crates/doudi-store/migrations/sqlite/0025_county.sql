-- Every household-scoped table carries the code of its household's county (the first six
-- digits of every division code), the column a province's database on Citus is distributed
-- by (ARCHITECTURE.md, "A province on PostgreSQL, distributed by county").
--
-- An embedded SQLite file holds one county, so the column's default is its code; a
-- household's own county must be that of its township.
ALTER TABLE households ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT households_county CHECK (county = substr(township, 1, 6));
ALTER TABLE persons ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT persons_county CHECK (length(county) = 6);
ALTER TABLE incomes ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT incomes_county CHECK (length(county) = 6);
ALTER TABLE expenses ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT expenses_county CHECK (length(county) = 6);
ALTER TABLE assets ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT assets_county CHECK (length(county) = 6);
ALTER TABLE surveys ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT surveys_county CHECK (length(county) = 6);
ALTER TABLE change_log ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT change_log_county CHECK (length(county) = 6);
ALTER TABLE pairings ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT pairings_county CHECK (length(county) = 6);
ALTER TABLE cases ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT cases_county CHECK (length(county) = 6);
ALTER TABLE case_steps ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT case_steps_county CHECK (length(county) = 6);
ALTER TABLE case_objections ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT case_objections_county CHECK (length(county) = 6);
ALTER TABLE case_exclusions ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT case_exclusions_county CHECK (length(county) = 6);
ALTER TABLE decisions ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT decisions_county CHECK (length(county) = 6);
ALTER TABLE entitlements ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT entitlements_county CHECK (length(county) = 6);
ALTER TABLE payments ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT payments_county CHECK (length(county) = 6);
ALTER TABLE tekun_care ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT tekun_care_county CHECK (length(county) = 6);
ALTER TABLE carried_entitlements ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT carried_entitlements_county CHECK (length(county) = 6);
ALTER TABLE review_proposals ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT review_proposals_county CHECK (length(county) = 6);
ALTER TABLE alerts ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT alerts_county CHECK (length(county) = 6);
ALTER TABLE inpatient_stays ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT inpatient_stays_county CHECK (length(county) = 6);
ALTER TABLE enrolments ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT enrolments_county CHECK (length(county) = 6);
ALTER TABLE education_deliveries ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT education_deliveries_county CHECK (length(county) = 6);
ALTER TABLE disaster_households ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT disaster_households_county CHECK (length(county) = 6);
ALTER TABLE disaster_reliefs ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT disaster_reliefs_county CHECK (length(county) = 6);
ALTER TABLE relief_months ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT relief_months_county CHECK (length(county) = 6);
ALTER TABLE service_records ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT service_records_county CHECK (length(county) = 6);
ALTER TABLE housing_applications ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT housing_applications_county CHECK (length(county) = 6);
ALTER TABLE job_referrals ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT job_referrals_county CHECK (length(county) = 6);
ALTER TABLE job_training ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT job_training_county CHECK (length(county) = 6);
ALTER TABLE visits ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT visits_county CHECK (length(county) = 6);
ALTER TABLE visit_attachments ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT visit_attachments_county CHECK (length(county) = 6);
ALTER TABLE social_needs ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT social_needs_county CHECK (length(county) = 6);
ALTER TABLE fund_findings ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT fund_findings_county CHECK (length(county) = 6);
ALTER TABLE inspection_samples ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT inspection_samples_county CHECK (length(county) = 6);
ALTER TABLE inspection_findings ADD COLUMN county TEXT NOT NULL DEFAULT '500235'
    CONSTRAINT inspection_findings_county CHECK (length(county) = 6);
