//! `doudi user …` and `doudi pair …`: accounts and the pairing of cadres with households from
//! the command line, acting as the system (every change is in the audit trail, as one made in
//! the administrator's pages is).

use anyhow::{Context, Result, anyhow};
use clap::Subcommand;
use doudi_app::App;
use doudi_app::accounts::NewAccount;
use doudi_core::{Actor, Department, HouseholdId, Role, Scope};
use doudi_store::{AccountChange, PairingFilter, Store, UserRecord};

use crate::{DbArgs, open, parse_scope};

/// The command line, acting on accounts and pairings.
fn command_line() -> Actor {
    Actor::system("命令行")
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user; the password must be changed at first login.
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// Login name.
        #[arg(long)]
        username: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Role: admin, county_approver, auditor, township_caseworker, community_worker,
        /// department_officer, paired_cadre, social_organisation.
        #[arg(long)]
        role: String,
        /// Division code the user works in (township or community); omit for the whole county.
        #[arg(long)]
        scope: Option<String>,
        /// Department of a department officer: education, health, medical_insurance,
        /// human_resources, housing, disabled_federation, emergency_management.
        #[arg(long)]
        department: Option<String>,
        /// Initial password (read from DOUDI_INITIAL_PASSWORD if not given).
        #[arg(long, env = "DOUDI_INITIAL_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// List every account with its role, scope and state.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Disable an account: it cannot log in and its sessions end.
    Disable {
        #[command(flatten)]
        db: DbArgs,
        /// Login name.
        #[arg(long)]
        username: String,
    },
    /// Enable a disabled account again (also lifts a login lockout).
    Enable {
        #[command(flatten)]
        db: DbArgs,
        /// Login name.
        #[arg(long)]
        username: String,
    },
    /// Set a temporary password that must be changed at the next login; ends the account's
    /// sessions and lifts a lockout.
    ResetPassword {
        #[command(flatten)]
        db: DbArgs,
        /// Login name.
        #[arg(long)]
        username: String,
        /// The temporary password (read from DOUDI_TEMPORARY_PASSWORD if not given).
        #[arg(long, env = "DOUDI_TEMPORARY_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// Give an account a role, scope and department; ends its sessions.
    SetRole {
        #[command(flatten)]
        db: DbArgs,
        /// Login name.
        #[arg(long)]
        username: String,
        /// Role code (see `user add`).
        #[arg(long)]
        role: String,
        /// Division code; omit for the whole county.
        #[arg(long)]
        scope: Option<String>,
        /// Department code, for department officers.
        #[arg(long)]
        department: Option<String>,
    },
}

#[derive(Subcommand)]
pub enum PairCommand {
    /// Pair a cadre (an account with the role paired_cadre) with a household.
    Add {
        #[command(flatten)]
        db: DbArgs,
        /// The household's id (as in its page address /households/ID).
        #[arg(long)]
        household: i64,
        /// The cadre's login name.
        #[arg(long)]
        cadre: String,
    },
    /// End a pairing.
    Remove {
        #[command(flatten)]
        db: DbArgs,
        /// The household's id.
        #[arg(long)]
        household: i64,
        /// The cadre's login name.
        #[arg(long)]
        cadre: String,
    },
    /// List pairings, of one household or one cadre, or all.
    List {
        #[command(flatten)]
        db: DbArgs,
        /// Only this household's (id).
        #[arg(long)]
        household: Option<i64>,
        /// Only this cadre's (login name).
        #[arg(long)]
        cadre: Option<String>,
    },
}

fn parse_role(role: &str) -> Result<Role> {
    Role::parse(role).map_err(|e| anyhow!("{e}"))
}

fn parse_department(department: Option<&str>) -> Result<Option<Department>> {
    department
        .filter(|d| !d.trim().is_empty())
        .map(|d| Department::parse(d).map_err(|e| anyhow!("{e}")))
        .transpose()
}

/// The use cases over the store of `db`, acting now.
async fn app(db: &DbArgs) -> Result<App> {
    Ok(App::new(open(&db.db).await?, None, crate::clock(None)))
}

async fn user(store: &dyn Store, username: &str) -> Result<UserRecord> {
    store
        .user_by_username(username)
        .await?
        .with_context(|| format!("there is no account {username}"))
}

/// Runs a `doudi user` command.
pub async fn user_command(command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Add {
            db,
            username,
            name,
            role,
            scope,
            department,
            password,
        } => {
            let account = NewAccount {
                username: username.clone(),
                display_name: name,
                role: parse_role(&role)?,
                scope: parse_scope(scope.as_deref())?,
                department: parse_department(department.as_deref())?,
                password,
            };
            let id = app(&db)
                .await?
                .create_user(&command_line(), account)
                .await
                .context("creating the user")?;
            outln!(
                "created user {username} (id {id}); the password must be changed at first login"
            );
        }
        UserCommand::List { db } => {
            let store = open(&db.db).await?;
            let now = chrono::Utc::now();
            for u in store.users(&command_line()).await? {
                let state = if u.disabled {
                    "已停用".to_owned()
                } else if let Some(until) = u.locked_at(now) {
                    format!("锁定至 {}", until.to_rfc3339())
                } else if u.must_change_password {
                    "待修改初始密码".to_owned()
                } else {
                    "正常".to_owned()
                };
                let scope = match &u.scope {
                    Scope::County => "全县".to_owned(),
                    Scope::Division(code) => code.to_string(),
                };
                let department = u.department.map_or("", |d| d.label());
                outln!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    u.id,
                    u.username,
                    u.display_name,
                    u.role.label(),
                    department,
                    scope,
                    state
                );
            }
        }
        UserCommand::Disable { db, username } => {
            change(&db, &username, AccountChange::Disable).await?;
            outln!("disabled {username}; its sessions have ended");
        }
        UserCommand::Enable { db, username } => {
            change(&db, &username, AccountChange::Enable).await?;
            outln!("enabled {username}");
        }
        UserCommand::ResetPassword {
            db,
            username,
            password,
        } => {
            let app = app(&db).await?;
            let user = user(app.store(), &username).await?;
            app.reset_password(&command_line(), user.id, &password)
                .await
                .with_context(|| format!("resetting the password of {username}"))?;
            outln!(
                "reset the password of {username}; it must be changed at the next login, and its sessions have ended"
            );
        }
        UserCommand::SetRole {
            db,
            username,
            role,
            scope,
            department,
        } => {
            let change_to = AccountChange::Assign {
                role: parse_role(&role)?,
                scope: parse_scope(scope.as_deref())?,
                department: parse_department(department.as_deref())?,
            };
            change(&db, &username, change_to).await?;
            outln!("changed the role of {username}; its sessions have ended");
        }
    }
    Ok(())
}

async fn change(db: &DbArgs, username: &str, change: AccountChange) -> Result<()> {
    let store = open(&db.db).await?;
    let user = user(store.as_ref(), username).await?;
    store
        .change_user(&command_line(), user.id, &change)
        .await
        .with_context(|| format!("changing the account {username}"))?;
    Ok(())
}

/// Runs a `doudi pair` command.
pub async fn pair_command(command: PairCommand) -> Result<()> {
    match command {
        PairCommand::Add {
            db,
            household,
            cadre,
        } => {
            let store = open(&db.db).await?;
            let cadre_user = user(store.as_ref(), &cadre).await?;
            store
                .pair(&command_line(), HouseholdId(household), cadre_user.id)
                .await
                .with_context(|| format!("pairing {cadre} with household {household}"))?;
            outln!("paired {cadre} with household {household}");
        }
        PairCommand::Remove {
            db,
            household,
            cadre,
        } => {
            let store = open(&db.db).await?;
            let cadre_user = user(store.as_ref(), &cadre).await?;
            store
                .unpair(&command_line(), HouseholdId(household), cadre_user.id)
                .await
                .with_context(|| {
                    format!("ending the pairing of {cadre} with household {household}")
                })?;
            outln!("ended the pairing of {cadre} with household {household}");
        }
        PairCommand::List {
            db,
            household,
            cadre,
        } => {
            let store = open(&db.db).await?;
            let cadre = match cadre {
                Some(c) => Some(user(store.as_ref(), &c).await?.id),
                None => None,
            };
            let filter = PairingFilter {
                household: household.map(HouseholdId),
                cadre,
            };
            for p in store.pairings(&command_line(), filter).await? {
                outln!(
                    "{}\t{}\t{}\t{}\t{}",
                    p.household.0,
                    p.household_number,
                    p.cadre_username,
                    p.cadre_name,
                    p.since.to_rfc3339()
                );
            }
        }
    }
    Ok(())
}
