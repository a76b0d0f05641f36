-- The schemas of both backends made equal (the schema comparison test checks them; here
-- nothing differed), and two rules of casework kept by the database itself, not only by the
-- store's checks.

-- One open case of each type per household (4.2.b: an application is not submitted twice
-- while one is in progress): open is any state but the three final ones.
CREATE UNIQUE INDEX cases_one_open_per_type ON cases (household_id, case_type)
    WHERE state NOT IN ('approved', 'refused', 'withdrawn');

-- One open entitlement period per household: a period is open while `until_month` is NULL,
-- and a new amount closes the old period before it opens the new one.
CREATE UNIQUE INDEX entitlements_one_open ON entitlements (household_id)
    WHERE until_month IS NULL;
