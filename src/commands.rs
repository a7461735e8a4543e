//! Administrative commands run from the terminal, on the same storage the server uses.

use std::io::{BufRead, IsTerminal};

use crate::config::Settings;
use crate::crypto;
use crate::domain::password::validate_password;
use crate::domain::{Email, NewUser, Username};
use crate::startup::open_storage;
use crate::storage::{StorageError, UserStore};

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
