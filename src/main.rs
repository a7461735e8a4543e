//! The `hearth` command: parses the CLI, loads settings, hands over to the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use hearth::config::Settings;
use hearth::startup::{Application, open_storage};

#[derive(Parser)]
#[command(
    name = "hearth",
    version,
    about = "Self-hosted real-time group chat, encrypted at rest"
)]
struct Cli {
    /// Configuration file (default: ./config.toml when present).
    #[arg(long, env = "HEARTH_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Validate the configuration, keys and database, then exit.
    Check,
    /// Create an admin account, or restore an existing one as an active admin with a new
    /// password (signing out its sessions): the way back in when admin access is lost.
    Createsuperuser(hearth::commands::SuperuserArgs),
    /// The encryption keys: list their fingerprints, or rotate to a new key.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Write a consistent snapshot of the SQLite database to FILE (safe while the server runs).
    Backup(hearth::commands::BackupArgs),
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Show the keys' fingerprints (never the keys), the primary first.
    List,
    /// Make a new key the primary, re-seal everything with it, then retire the old keys.
    /// Refused while a server runs on the same data dir: use /admin/keys/ there.
    Rotate,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("hearth: {error}");
            return ExitCode::from(2);
        }
    };
    hearth::telemetry::init(&settings.log.level);
    let outcome = actix_web::rt::System::new().block_on(async move {
        match cli.command.unwrap_or(Command::Serve) {
            Command::Serve => serve(settings).await,
            Command::Migrate => open_storage(&settings)
                .await
                .map(|_| println!("migrations applied"))
                .map_err(|e| e.to_string()),
            Command::Check => check(settings).await,
            Command::Createsuperuser(args) => {
                hearth::commands::create_superuser(&settings, args).await
            }
            Command::Keys(KeysCommand::List) => hearth::commands::keys_list(&settings),
            Command::Keys(KeysCommand::Rotate) => hearth::commands::keys_rotate(&settings).await,
            Command::Backup(args) => hearth::commands::backup(&settings, args).await,
        }
    });
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("hearth: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: Settings) -> Result<(), String> {
    // Held until the process ends: `hearth keys rotate` refuses while a server runs here.
    let _lock = hearth::keys::lock_data_dir(&settings.data.dir).map_err(|e| e.to_string())?;
    let application = Application::build(settings)
        .await
        .map_err(|e| e.to_string())?;
    println!("Hearth is listening on {}", application.url());
    application
        .run_until_stopped()
        .await
        .map_err(|e| e.to_string())
}

async fn check(settings: Settings) -> Result<(), String> {
    hearth::keys::load_or_generate(&settings).map_err(|e| e.to_string())?;
    open_storage(&settings).await.map_err(|e| e.to_string())?;
    println!("configuration OK");
    Ok(())
}
