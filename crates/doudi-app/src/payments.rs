//! The monthly payment run and the bank (4.3): paying a month's entitlements, the bank file,
//! the bank's results, and the rural poverty registry that excludes members from a case
//! (4.2.c). The web's payment roster and `doudi pay` / `doudi rural import` call these, so
//! each is written once; the files' layouts are in `doudi_exchange::bank` and
//! `doudi_exchange::rural`, and "today" is the application's clock.
//!
//! **Invariant:** a results or registry file is all or nothing: with one bad row nothing of
//! it reaches the store, and every bad row is in the error.

use doudi_core::{Actor, IdNumber, Month};
use doudi_exchange::bank::{self, BankLine};
use doudi_exchange::rural::{self, RuralRegistry};
use doudi_exchange::{Refused, Table, read};
use doudi_store::AuditAction;
use doudi_store::casework::{PaymentLine, PaymentPreview, PaymentRun, Settlement};

use crate::{App, Error};

/// What came of reading the bank's results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settled {
    /// Lines the file gives a result for.
    pub lines: usize,
    /// Lines whose status changed (a line already settled keeps its result).
    pub settled: u64,
}

/// A refused file as the use case's error: unreadable is one error on `file`; bad rows are
/// each an error on `file`, in file order, saying its row and column.
pub(crate) fn refused(e: Refused) -> Error {
    match e {
        Refused::File(e) => Error::invalid("file", e.to_string()),
        Refused::Rows(rows) => {
            Error::Fields(rows.iter().map(|r| ("file", r.to_string())).collect())
        }
    }
}

/// The bank file of `lines`, in their order, ended by the 合计 row.
pub fn bank_table(lines: &[PaymentLine]) -> Result<Table, Error> {
    let lines: Vec<BankLine<'_>> = lines
        .iter()
        .map(|l| BankLine {
            id: l.id,
            household_number: &l.household_number,
            payee: &l.payee,
            bank_account: &l.bank_account,
            program: l.program.label(),
            amount: doudi_core::Money::from_fen(l.amount_fen),
            status: l.status.label(),
        })
        .collect();
    bank::bank_table(&lines).map_err(|e| Error::Rules(e.to_string()))
}

impl App {
    /// Makes the payment lines of `month` for every entitlement open in it, as of today; a
    /// month already run pays nothing twice.
    /// After the run commits, the funds checks of the month run (5.2); their failure is
    /// recorded and logged, never the run's.
    pub async fn run_payments(&self, actor: &Actor, month: Month) -> Result<PaymentRun, Error> {
        let run = self
            .store()
            .run_payments(actor, month, self.today())
            .await?;
        self.checks_after_run(actor, month).await;
        Ok(run)
    }

    /// What running `month` would pay, without paying: new lines and their total, lines
    /// already there, and households without a bank account.
    pub async fn payment_preview(
        &self,
        actor: &Actor,
        month: Month,
    ) -> Result<PaymentPreview, Error> {
        Ok(self.store().payment_preview(actor, month).await?)
    }

    /// The bank file of `month`'s payment lines (the last row is 合计 with their count and
    /// total); the export is recorded in the audit log.
    pub async fn bank_file(&self, actor: &Actor, month: Month) -> Result<Table, Error> {
        let lines = self.store().payments(actor, month).await?;
        let table = bank_table(&lines)?;
        self.store()
            .record_audit(
                actor,
                AuditAction::Export,
                &format!("payments:{month}"),
                &format!("导出银行发放文件{}笔", lines.len()),
            )
            .await?;
        Ok(table)
    }

    /// Records the bank's results for `month` from a file (`name` says CSV or XLSX by its
    /// ending, `bytes` its content). With any bad row nothing is recorded and every bad row is
    /// in the error.
    pub async fn settle(
        &self,
        actor: &Actor,
        month: Month,
        name: &str,
        bytes: &[u8],
    ) -> Result<Settled, Error> {
        let sheet = read::read_file(name, bytes).map_err(|e| refused(e.into()))?;
        let results: Vec<Settlement> = bank::parse_results(&sheet)
            .map_err(refused)?
            .into_iter()
            .map(|r| Settlement {
                payment: r.payment,
                failure: r.failure,
            })
            .collect();
        let settled = self.store().settle_payments(actor, month, &results).await?;
        Ok(Settled {
            lines: results.len(),
            settled,
        })
    }

    /// Reads a rural registry file (`name` says CSV or XLSX), checking each identity number as
    /// of today; with any bad number nothing is returned and every bad row is in the error.
    pub fn read_rural_registry(&self, name: &str, bytes: &[u8]) -> Result<RuralRegistry, Error> {
        let sheet = read::read_file(name, bytes).map_err(|e| refused(e.into()))?;
        rural::parse_rural(&sheet, self.today()).map_err(refused)
    }

    /// Replaces the rural poverty registry (4.2.c) by `ids`, from `source` (shown with each
    /// exclusion); returns how many people it now holds.
    pub async fn replace_rural_registry(
        &self,
        actor: &Actor,
        source: &str,
        ids: &[IdNumber],
    ) -> Result<u64, Error> {
        Ok(self
            .store()
            .import_rural_registry(actor, ids, source)
            .await?)
    }
}
