//! Administrative commands run from the terminal, on the same storage the server uses.

use std::io::{BufRead, IsTerminal};

use crate::config::Settings;
use crate::crypto;
use crate::domain::password::validate_password;
use crate::domain::{Email, NewUser, Username};
use crate::startup::open_storage;
use crate::storage::{SiteStore, StorageError, UserStore};

#[derive(Debug, clap::Args)]
pub struct SuperuserArgs {
    /// The admin's username (an existing account is restored as admin).
    #[arg(long)]
    pub username: String,
    /// Email for a new account; ignored when the account exists.
    #[arg(long)]
    pub email: Option<String>,
    /// Read the password from the first line of standard input instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
}

/// `hearth createsuperuser`: creates an admin, or restores an existing account as an
/// active admin with a new password and no sessions.
pub async fn create_superuser(settings: &Settings, args: SuperuserArgs) -> Result<(), String> {
    let username = Username::parse(&args.username).map_err(|e| format!("--username: {e}"))?;
    let password = read_password(args.password_stdin)?;
    let storage = open_storage(settings).await.map_err(|e| e.to_string())?;
    let existing = match storage.credentials_by_login(username.as_str()).await {
        Ok(found) if found.user.username == username.as_str() => Some(found.user),
        Ok(_) | Err(StorageError::NotFound) => None,
        Err(e) => return Err(e.to_string()),
    };
    let email_for_rules = existing
        .as_ref()
        .map(|u| u.email.clone())
        .or(args.email.clone());
    validate_password(
        &password,
        username.as_str(),
        email_for_rules.as_deref().unwrap_or(""),
    )
    .map_err(|problems| format!("password: {}", problems.join(" ")))?;
    let password_hash = crypto::hash_password(&password).map_err(|e| e.to_string())?;
    match existing {
        Some(user) => {
            storage
                .recover_admin(user.id, password_hash)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "{} is now an active admin with the new password; its sessions were ended",
                user.username
            );
        }
        None => {
            let raw_email = args
                .email
                .ok_or("--email is required to create a new account")?;
            let email = Email::parse(&raw_email).map_err(|e| format!("--email: {e}"))?;
            let new = NewUser {
                username,
                email,
                password_hash,
                is_admin: true,
            };
            let user = storage.create_user(new).await.map_err(|e| e.to_string())?;
            println!("admin {} created", user.username);
        }
    }
    Ok(())
}

fn read_password(from_stdin: bool) -> Result<String, String> {
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| format!("password: {e}"))?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
    }
    let first = rpassword::prompt_password("Password: ").map_err(|e| format!("password: {e}"))?;
    let second =
        rpassword::prompt_password("Password (again): ").map_err(|e| format!("password: {e}"))?;
    if first != second {
        return Err("the two passwords differ".into());
    }
    Ok(first)
}

/// `hearth keys list`: the Fernet keys' fingerprints, primary first, and where they are set.
pub fn keys_list(settings: &Settings) -> Result<(), String> {
    let keys = crate::keys::load_or_generate(settings).map_err(|e| e.to_string())?;
    for (index, key) in keys.fernet.iter().enumerate() {
        let role = if index == 0 { "primary" } else { "old" };
        println!("{}  {role}", crypto::fingerprint(key));
    }
    match &keys.fernet_file {
        Some(path) => println!("source: {}", path.display()),
        None => println!("source: configuration (secrets.encrypt_keys / ENCRYPT_KEY)"),
    }
    Ok(())
}

/// `hearth keys rotate`: the same job as /admin/keys/, run here with progress printed.
/// Refused while a server runs on the data dir: it would keep sealing with a key this
/// process is about to retire.
pub async fn keys_rotate(settings: &Settings) -> Result<(), String> {
    let _lock = match crate::keys::lock_data_dir(&settings.data.dir) {
        Ok(lock) => lock,
        Err(crate::keys::LockError::Held(path)) => {
            return Err(format!(
                "a Hearth server is running on this data dir (it holds {}): rotate the keys \
                 from its admin page, /admin/keys/, or stop the server and run this again",
                path.display()
            ));
        }
        Err(crate::keys::LockError::Other(e)) => return Err(e.to_string()),
    };
    let keys = crate::keys::load_or_generate(settings).map_err(|e| e.to_string())?;
    let sealer = std::sync::Arc::new(crypto::Sealer::new(&keys.fernet).map_err(|e| e.to_string())?);
    let storage: std::sync::Arc<dyn crate::storage::Storage> =
        std::sync::Arc::new(open_storage(settings).await.map_err(|e| e.to_string())?);
    let rotator = crate::rotation::Rotator::new(
        std::sync::Arc::clone(&storage),
        sealer,
        keys.fernet_file.clone(),
    );
    match storage
        .rotation_unfinished()
        .await
        .map_err(|e| e.to_string())?
    {
        Some(progress) => println!(
            "resuming the unfinished rotation to key {} ({} / {} done)",
            progress.target, progress.done, progress.total
        ),
        None => {
            let progress = rotator.start().await.map_err(|e| e.to_string())?;
            let entry = crate::audit::security_event(
                "keys.rotation.start",
                None,
                progress.target.clone(),
                format!(
                    "from the command line; {} sealed values to re-seal",
                    progress.total
                ),
                "cli",
            );
            crate::audit::append(&*storage, entry).await;
            println!(
                "new primary key {}; re-sealing {} sealed values",
                progress.target, progress.total
            );
        }
    }
    let finished = rotator
        .run(|p| println!("{} / {}", p.done, p.total.max(p.done)))
        .await
        .map_err(|e| e.to_string())?;
    if let Some(progress) = finished {
        println!(
            "done: {} re-sealed; data/fernet.keys now holds only key {}",
            progress.done, progress.target
        );
    }
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// Where to write the snapshot; must not exist yet.
    pub file: std::path::PathBuf,
}

/// `hearth backup FILE`: a consistent snapshot of the SQLite database, safe while the
/// server runs. Never overwrites a file.
pub async fn backup(settings: &Settings, args: BackupArgs) -> Result<(), String> {
    if args.file.exists() {
        return Err(format!(
            "{} already exists; choose a new file name (a backup never overwrites)",
            args.file.display()
        ));
    }
    let storage = open_storage(settings).await.map_err(|e| e.to_string())?;
    if !storage.supports_snapshot() {
        return Err("this Hearth uses PostgreSQL: back it up with pg_dump \
             (for example `pg_dump --format=custom hearth > hearth.dump`)"
            .into());
    }
    storage
        .snapshot_into(&args.file)
        .await
        .map_err(|e| format!("backup: {e}"))?;
    println!("backup written to {}", args.file.display());
    println!(
        "keep the keys (data/fernet.keys, or secrets.encrypt_keys) separately: without them \
         this backup cannot be read"
    );
    Ok(())
}
