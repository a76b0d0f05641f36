//! The file commands: import, export, template. Errors name the row, the column and the reason;
//! an import writes all of a file or nothing, unless `--partial` is asked for.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use doudi_app::registry::{ImportMode, ImportStage};
use doudi_core::{
    Actor, Division, DivisionCode, Household, HouseholdId, HouseholdRecord, NewHousehold, Person,
    PersonId,
};
use doudi_exchange::{Table, write};
use doudi_store::HouseholdFilter;

fn is_xlsx(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

fn write_table(path: &Path, table: &Table, notes: bool) -> Result<()> {
    let bytes = if is_xlsx(path) {
        write::to_xlsx(table, notes).context("building the spreadsheet")?
    } else if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
    {
        write::to_csv(table)
    } else {
        bail!(
            "{}: the file name must end in .csv or .xlsx",
            path.display()
        );
    };
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// `doudi template FILE`.
pub fn template(path: &Path) -> Result<()> {
    write_table(path, &write::template_table(), true)?;
    outln!("template written to {}", path.display());
    Ok(())
}

/// `doudi import FILE`.
pub async fn import(
    db: &str,
    path: &Path,
    partial: bool,
    errors_path: Option<PathBuf>,
) -> Result<()> {
    let started = Instant::now();
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;

    let app = doudi_app::App::new(crate::open(db).await?, None, crate::clock(None));
    let actor = Actor::system(&format!("命令行导入 {name}"));
    let mode = if partial {
        ImportMode::GoodOnly
    } else {
        ImportMode::AllOrNothing
    };
    let mut progress = |stage: ImportStage| match stage {
        ImportStage::Read { rows } => errln!(
            "[1/4] read {rows} rows from {} ({:.1?})",
            path.display(),
            started.elapsed()
        ),
        ImportStage::Checked { good, problems } => errln!(
            "[2/4] checked every cell: {good} households good, {problems} problems ({:.1?})",
            started.elapsed()
        ),
        ImportStage::Compared => errln!(
            "[3/4] checked against the registry ({:.1?})",
            started.elapsed()
        ),
        ImportStage::Written => errln!("[4/4] written ({:.1?})", started.elapsed()),
    };
    let report = app
        .import_households(&actor, &name, &bytes, mode, &mut progress)
        .await
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    if let Some(table) = report.error_table() {
        let errors_path = errors_path.unwrap_or_else(|| path.with_extension("errors.csv"));
        write_table(&errors_path, &table, false)?;
        for e in report.errors.iter().take(30) {
            errln!("  {e}");
        }
        if report.errors.len() > 30 {
            errln!("  … {} more", report.errors.len() - 30);
        }
        errln!(
            "the rejected rows and their reasons are in {}",
            errors_path.display()
        );
        if !partial {
            bail!(
                "{} problem(s) in {} row(s): nothing was imported (fix them, or use --partial to import the good households)",
                report.errors.len(),
                report.rejected_rows.len()
            );
        }
    }
    let rejected = if report.rejected_rows.is_empty() {
        String::new()
    } else {
        format!("; {} rows rejected", report.rejected_rows.len())
    };
    match report.written {
        Some(counts) => outln!(
            "imported {} households, {} people, {} income records, {} other records{rejected}",
            counts.households,
            counts.people,
            counts.incomes,
            counts.other_records,
        ),
        None => outln!("imported 0 households{rejected}"),
    }
    Ok(())
}

/// `doudi export FILE`.
pub async fn export(
    db: &str,
    path: &Path,
    division: Option<&str>,
    include_exited: bool,
) -> Result<()> {
    let app = doudi_app::App::new(crate::open(db).await?, None, crate::clock(None));
    let actor = Actor::system("命令行导出");
    let mut filter = HouseholdFilter {
        include_exited,
        ..Default::default()
    };
    if let Some(code) = division {
        let code = DivisionCode::parse(code).map_err(|e| anyhow::anyhow!("{e}"))?;
        if code.is_community() {
            filter.community = Some(code);
        } else {
            filter.township = Some(code);
        }
    }
    let (table, households) = app
        .export_households(&actor, &filter)
        .await
        .context("reading the households")?;
    write_table(path, &table, false)?;
    outln!("exported {households} households to {}", path.display());
    tracing::info!(households, "export written");
    Ok(())
}

/// Lays out households that are not stored yet (the demo written to a file).
pub fn write_new_households(
    path: &Path,
    households: &[NewHousehold],
    divisions: &[Division],
) -> Result<()> {
    let records: Vec<HouseholdRecord> = households
        .iter()
        .enumerate()
        .map(|(i, h)| as_record(i as i64, h))
        .collect();
    write_table(path, &write::export_table(&records, divisions), false)?;
    outln!("wrote {} households to {}", records.len(), path.display());
    Ok(())
}

/// A new household dressed as a stored one, members numbered from 0 as its incomes refer to them.
pub fn as_record(id: i64, h: &NewHousehold) -> HouseholdRecord {
    let household = HouseholdId(id);
    HouseholdRecord {
        household: Household {
            id: household,
            version: 1,
            fields: h.fields.clone(),
        },
        members: h
            .members
            .iter()
            .enumerate()
            .map(|(j, m)| Person {
                id: PersonId(j as i64),
                household,
                fields: m.clone(),
            })
            .collect(),
        incomes: h.incomes.clone(),
        assets: h.assets.clone(),
        expenses: h.expenses.clone(),
        surveys: h.survey.iter().cloned().collect(),
    }
}
