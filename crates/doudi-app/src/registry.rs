//! The register of households (2.1, 4.2.a) in and out of files: importing a county's CSV or
//! XLSX file, checked cell by cell and against what is already filed, all or nothing or only
//! the good households; and exporting households in the same layout. `doudi import` and
//! `doudi export` call these, and so will the browser's upload page.

use std::collections::HashSet;

use doudi_core::{Actor, IdNumber, NewHousehold};
use doudi_exchange::{Parsed, RowError, Sheet, Table, read, write};
use doudi_store::{HouseholdFilter, ImportCounts};

use crate::{App, Error};

/// What to do with a file that has bad rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportMode {
    /// Nothing is written unless every row is good.
    AllOrNothing,
    /// The good households are written; a household with one bad row is left out whole.
    GoodOnly,
}

/// How far an import has come, for a progress line or bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportStage {
    /// The file is read: this many data rows.
    Read {
        /// Data rows.
        rows: usize,
    },
    /// Every cell is checked.
    Checked {
        /// Households whose every row is good.
        good: usize,
        /// Problems found.
        problems: usize,
    },
    /// Checked against the households and people already filed.
    Compared,
    /// Written to the store.
    Written,
}

/// What came of an import.
#[derive(Debug)]
pub struct ImportReport {
    /// The file as read (for an error file that repeats its rows).
    pub sheet: Sheet,
    /// Households whose every row is good (written, unless all-or-nothing met a problem).
    pub good: usize,
    /// Of those, how many were filed with a benefit already received (to be confirmed by the
    /// county before it is paid).
    pub carried: usize,
    /// Every problem, by row and column.
    pub errors: Vec<RowError>,
    /// Rows of households left out (a household with one bad row is left out whole).
    pub rejected_rows: Vec<usize>,
    /// What was written; `None` when nothing was (a problem in all-or-nothing mode, or no good
    /// household).
    pub written: Option<ImportCounts>,
}

impl ImportReport {
    /// The rejected rows with their reasons, in the file's own layout plus a reason column
    /// (`None` when every row was good).
    pub fn error_table(&self) -> Option<Table> {
        (!self.errors.is_empty())
            .then(|| write::error_table(&self.sheet, &self.rejected_rows, &self.errors))
    }
}

impl App {
    /// Imports the households of a file (`name` says CSV or XLSX by its ending; `bytes` its
    /// content), acting as `actor`. Every cell is checked, then every household against the
    /// numbers and identity numbers already filed; a file that cannot be read at all is an
    /// error, a file with bad rows is a report. Nothing is written in
    /// [`ImportMode::AllOrNothing`] when any row is bad; the store writes the good households
    /// in one transaction, so an import is never half-written. `progress` hears each stage.
    pub async fn import_households(
        &self,
        actor: &Actor,
        name: &str,
        bytes: &[u8],
        mode: ImportMode,
        progress: &mut (dyn FnMut(ImportStage) + Send),
    ) -> Result<ImportReport, Error> {
        let sheet =
            read::read_file(name, bytes).map_err(|e| Error::invalid("file", e.to_string()))?;
        progress(ImportStage::Read {
            rows: sheet.rows.len(),
        });
        let divisions = self.store().divisions().await?;
        let mut parsed = doudi_exchange::parse_households(&sheet, &divisions, self.today())
            .map_err(|e| Error::invalid("file", e.to_string()))?;
        progress(ImportStage::Checked {
            good: parsed.households.len(),
            problems: parsed.errors.len(),
        });
        let numbers: Vec<String> = parsed
            .households
            .iter()
            .map(|h| h.household.fields.number.clone())
            .collect();
        let ids: Vec<IdNumber> = parsed
            .households
            .iter()
            .flat_map(|h| h.household.members.iter().map(|m| m.id_number.clone()))
            .collect();
        let filed_numbers: HashSet<String> = self
            .store()
            .filed_household_numbers(&numbers)
            .await?
            .into_iter()
            .collect();
        let filed_ids: HashSet<String> = self
            .store()
            .filed_id_numbers(&ids)
            .await?
            .into_iter()
            .map(|id| id.as_str().to_owned())
            .collect();
        parsed.reject_filed(&filed_numbers, &filed_ids);
        parsed.reject_communities(
            |community| actor.scope.covers(community),
            "该社区不在您的工作范围内，请由所属乡镇（街道）或社区导入",
        );
        progress(ImportStage::Compared);
        let Parsed {
            households,
            errors,
            rejected_rows,
            ..
        } = parsed;
        let good = households.len();
        let carried = households.iter().filter(|h| h.carried.is_some()).count();
        let write = errors.is_empty() || mode == ImportMode::GoodOnly;
        let written = if write && good > 0 {
            let (households, claims): (Vec<NewHousehold>, Vec<_>) = households
                .into_iter()
                .map(|h| (h.household, h.carried))
                .unzip();
            let counts = self
                .store()
                .import_households_carrying(actor, &households, &claims)
                .await?;
            progress(ImportStage::Written);
            Some(counts)
        } else {
            None
        };
        Ok(ImportReport {
            sheet,
            good,
            carried,
            errors,
            rejected_rows,
            written,
        })
    }

    /// The households `filter` selects that `actor` may read, laid out as the import file
    /// (an export can be edited and imported again).
    pub async fn export_households(
        &self,
        actor: &Actor,
        filter: &HouseholdFilter,
    ) -> Result<(Table, usize), Error> {
        let records = self.store().records(actor, filter).await?;
        let divisions = self.store().divisions().await?;
        Ok((write::export_table(&records, &divisions), records.len()))
    }
}
