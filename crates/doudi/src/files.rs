//! The file commands: import, export, template. Errors name the row, the column and the reason;
//! an import writes all of a file or nothing, unless `--partial` is asked for.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use doudi_core::{
    Actor, Division, DivisionCode, Household, HouseholdId, HouseholdRecord, NewHousehold, Person,
    PersonId,
};
use doudi_exchange::{Table, read, write};
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
    let sheet =
        read::read_file(&name, &bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    errln!(
        "[1/4] read {} rows from {} ({:.1?})",
        sheet.rows.len(),
        path.display(),
        started.elapsed()
    );

    let store = crate::open(db).await?;
    let divisions = store
        .divisions()
        .await
        .context("reading the division table")?;
    let today = crate::demo::today_in_china();
    let mut parsed = doudi_exchange::parse_households(&sheet, &divisions, today)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    errln!(
        "[2/4] checked every cell: {} households good, {} problems ({:.1?})",
        parsed.households.len(),
        parsed.errors.len(),
        started.elapsed()
    );

    let numbers: Vec<String> = parsed
        .households
        .iter()
        .map(|h| h.household.fields.number.clone())
        .collect();
    let ids: Vec<doudi_core::IdNumber> = parsed
        .households
        .iter()
        .flat_map(|h| h.household.members.iter().map(|m| m.id_number.clone()))
        .collect();
    let filed_numbers: HashSet<String> = store
        .filed_household_numbers(&numbers)
        .await?
        .into_iter()
        .collect();
    let filed_ids: HashSet<String> = store
        .filed_id_numbers(&ids)
        .await?
        .into_iter()
        .map(|id| id.as_str().to_owned())
        .collect();
    parsed.reject_filed(&filed_numbers, &filed_ids);
    errln!(
        "[3/4] checked against the registry ({:.1?})",
        started.elapsed()
    );

    if !parsed.errors.is_empty() {
        let errors_path = errors_path.unwrap_or_else(|| path.with_extension("errors.csv"));
        write_table(
            &errors_path,
            &write::error_table(&sheet, &parsed.rejected_rows, &parsed.errors),
            false,
        )?;
        for e in parsed.errors.iter().take(30) {
            errln!("  {e}");
        }
        if parsed.errors.len() > 30 {
            errln!("  … {} more", parsed.errors.len() - 30);
        }
        errln!(
            "the rejected rows and their reasons are in {}",
            errors_path.display()
        );
        if !partial {
            bail!(
                "{} problem(s) in {} row(s): nothing was imported (fix them, or use --partial to import the good households)",
                parsed.errors.len(),
                parsed.rejected_rows.len()
            );
        }
    }
    let households: Vec<NewHousehold> =
        parsed.households.into_iter().map(|h| h.household).collect();
    let actor = Actor::system(&format!("命令行导入 {name}"));
    let counts = store
        .import_households(&actor, &households)
        .await
        .context("writing the households")?;
    errln!("[4/4] written ({:.1?})", started.elapsed());
    outln!(
        "imported {} households, {} people, {} income records, {} other records{}",
        counts.households,
        counts.people,
        counts.incomes,
        counts.other_records,
        if parsed.rejected_rows.is_empty() {
            String::new()
        } else {
            format!("; {} rows rejected", parsed.rejected_rows.len())
        }
    );
    Ok(())
}

/// `doudi export FILE`.
pub async fn export(
    db: &str,
    path: &Path,
    division: Option<&str>,
    include_exited: bool,
) -> Result<()> {
    let store = crate::open(db).await?;
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
    let records = store
        .records(&actor, &filter)
        .await
        .context("reading the households")?;
    let divisions = store.divisions().await?;
    write_table(path, &write::export_table(&records, &divisions), false)?;
    outln!(
        "exported {} households to {}",
        records.len(),
        path.display()
    );
    tracing::info!(households = records.len(), "export written");
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
