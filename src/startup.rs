//! Builds the whole application from `Settings`: storage, keys, hub, HTTP server. The
//! binary and the tests both go through `Application::build`, so tests run the real thing.

use std::net::TcpListener;
use std::sync::Arc;

use actix_identity::IdentityMiddleware;
use actix_session::SessionMiddleware;
use actix_session::config::{CookieContentSecurity, PersistentSession};
use actix_web::cookie::{Key, SameSite, time};
use actix_web::dev::Server;
use actix_web::middleware::{Compress, NormalizePath, TrailingSlash, from_fn};
use actix_web::{App, HttpServer, web};

use crate::config::{ConfigError, Settings};
use crate::crypto::Sealer;
use crate::domain::{NewRoom, RoomKind, RoomName};
use crate::frontend::api::ApiState;
use crate::frontend::api::cors::api_cors;
use crate::frontend::api::error as api_error;
use crate::frontend::assets;
use crate::frontend::auth::csrf;
use crate::frontend::auth::remember;
use crate::frontend::auth::session_store::StorageSessionStore;
use crate::frontend::limits::Limiters;
use crate::frontend::origin::AllowedOrigins;
use crate::frontend::present::events::render_presence;
use crate::frontend::present::templates::Templates;
use crate::frontend::reach::Reach;
use crate::frontend::reach::push::PushSender;
use crate::frontend::routes;
use crate::frontend::security_headers::default_headers;
use crate::frontend::service::Chat;
use crate::frontend::service::account_mail::AccountMail;
use crate::frontend::service::missed_mail::MissedMail;
use crate::frontend::state::AppState;
use crate::hub::{Hub, LocalHub};
use crate::keys;
use crate::mail::Mailer;
use crate::rotation::Rotator;
use crate::storage::Storage;
use crate::storage::sql::SqlStorage;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("database: {0}")]
    Storage(#[from] crate::storage::StorageError),
    #[error("server.port: cannot listen on {address}: {source}")]
    Bind {
        address: String,
        source: std::io::Error,
    },
}

pub struct Application {
    port: u16,
    background: tokio_util::task::TaskTracker,
    origin: String,
    server: Server,
}

/// Opens the database and brings its schema up to date.
pub async fn open_storage(settings: &Settings) -> Result<SqlStorage, StartError> {
    keys::prepare_data_dir(&settings.data.dir)?;
    let storage = SqlStorage::connect(&settings.database_url()).await?;
    storage.migrate().await?;
    Ok(storage.with_data_dir(&settings.data.dir).await?)
}

impl Application {
    pub async fn build(settings: Settings) -> Result<Self, StartError> {
        let keys = keys::load_or_generate(&settings)?;
        let sealer =
            Sealer::new(&keys.fernet).map_err(|e| ConfigError::new("secrets.encrypt_keys", e))?;
        let storage: Arc<dyn Storage> = Arc::new(open_storage(&settings).await?);
        storage
            .ensure_room(NewRoom {
                name: RoomName::public(),
                title: "Public chat".into(),
                kind: RoomKind::Public,
                admin: None,
            })
            .await?;

        let purged = Arc::clone(&storage);
        crate::supervise::spawn("purge", move || purge_expired_rows(Arc::clone(&purged)));
        let sealer = Arc::new(sealer);
        let rotation = Arc::new(Rotator::new(
            Arc::clone(&storage),
            Arc::clone(&sealer),
            keys.fernet_file.clone(),
        ));
        rotation.resume_in_background();
        let mailer = Mailer::new(&settings.mail, &settings.data.dir)?;
        tracing::info!(mail = %mailer.describe(), "mail backend");

        let address = format!("{}:{}", settings.server.host, settings.server.port);
        let listener = TcpListener::bind(&address).map_err(|source| StartError::Bind {
            address: address.clone(),
            source,
        })?;
        let port = listener
            .local_addr()
            .map_err(|source| StartError::Bind { address, source })?
            .port();

        let templates = Arc::new(Templates::new());
        let presence_templates = Arc::clone(&templates);
        let hub = Arc::new(LocalHub::new(Box::new(move |presence| {
            render_presence(&presence_templates, presence)
        })));
        let origins = AllowedOrigins::new(&settings.server.origins, port);
        let origin = origins.primary().to_owned();
        let reach = Arc::new(start_reach(
            &settings,
            &keys.vapid,
            Arc::clone(&storage),
            Arc::clone(&hub) as Arc<dyn Hub>,
        )?);
        let chat = Chat::start(
            Arc::clone(&storage),
            Arc::clone(&hub) as Arc<dyn Hub>,
            Arc::clone(&sealer),
            Arc::clone(&templates),
            Arc::clone(&reach),
        );
        let mailer = Arc::new(mailer);
        let account_mail = AccountMail {
            storage: Arc::clone(&storage),
            mailer: Arc::clone(&mailer),
            templates: Arc::clone(&templates),
            origin: origin.clone(),
        };
        let missed_mail = Arc::new(MissedMail {
            storage: Arc::clone(&storage),
            sealer: Arc::clone(&sealer),
            mailer: Arc::clone(&mailer),
            templates: Arc::clone(&templates),
            origin: origin.clone(),
            secret: keys.secret.clone(),
            after: chrono::Duration::minutes(settings.notifications.email_after_minutes.into()),
        });
        Arc::clone(&missed_mail).start();
        let background = tokio_util::task::TaskTracker::new();
        let state = web::Data::new(AppState {
            background: background.clone(),
            account_mail,
            missed_mail,
            reach,
            storage: Arc::clone(&storage),
            hub,
            chat,
            sealer,
            rotation,
            templates,
            limits: Limiters::new(&settings.limits),
            origins,
            mailer,
            settings: Arc::new(settings),
            started: std::time::Instant::now(),
        });
        let api = web::Data::new(ApiState::new(
            &keys.secret,
            &state.settings.api,
            state.settings.server.max_body,
        ));
        let cookie_key = Key::derive_from(&keys.secret);
        let server = HttpServer::new(move || {
            let settings = &state.settings;
            let sessions = SessionMiddleware::builder(
                StorageSessionStore::new(Arc::clone(&state.storage)).with_forget_on_close_ttl(
                    time::Duration::hours(settings.server.session_hours_without_remember_me.into()),
                ),
                cookie_key.clone(),
            )
            .cookie_name("hearth_session".into())
            .cookie_http_only(true)
            .cookie_same_site(SameSite::Lax)
            .cookie_secure(settings.server.secure_cookies)
            .cookie_content_security(CookieContentSecurity::Signed)
            .session_lifecycle(
                PersistentSession::default()
                    .session_ttl(time::Duration::days(settings.server.session_days.into())),
            )
            .build();
            App::new()
                .app_data(state.clone())
                .app_data(api.clone())
                .app_data(api.jwt.clone())
                .app_data(web::FormConfig::default().limit(64 * 1024))
                .app_data(web::PayloadConfig::new(state.settings.server.max_body))
                .app_data(
                    web::JsonConfig::default()
                        .limit(state.settings.server.max_body)
                        .error_handler(api_error::json_error),
                )
                .configure(|cfg| routes::configure(cfg, api_cors(&settings.api)))
                .wrap(from_fn(csrf::guard))
                .wrap(IdentityMiddleware::default())
                .wrap(from_fn(remember::mark))
                .wrap(sessions)
                .wrap(from_fn(remember::strip))
                .wrap(from_fn(assets::serve_early))
                .wrap(NormalizePath::new(TrailingSlash::MergeOnly))
                .wrap(Compress::default())
                .wrap(default_headers())
                .wrap(tracing_actix_web::TracingLogger::default())
        })
        // Chat frames are small and latency-bound: Nagle's delay (up to 40 ms against a
        // delayed ACK) measured as the whole p99 of the fan-out benchmark.
        .tcp_nodelay(true)
        .listen(listener)
        .map_err(|source| StartError::Bind {
            address: format!("port {port}"),
            source,
        })?
        .run();
        Ok(Self {
            port,
            background,
            origin,
            server,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The work requests leave running after their answer (mails); waiting on it is how a
    /// test knows that nothing more will happen.
    pub fn background(&self) -> tokio_util::task::TaskTracker {
        self.background.clone()
    }

    /// Where a browser should go.
    pub fn url(&self) -> &str {
        &self.origin
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Expired sessions and refresh tokens are refused on use already; this only keeps their
/// tables from growing.
async fn purge_expired_rows(storage: Arc<dyn Storage>) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match storage.session_purge_expired().await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "expired sessions removed"),
            Err(error) => tracing::warn!(%error, "expired sessions could not be removed"),
        }
        match storage.token_purge_expired().await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "expired refresh tokens removed"),
            Err(error) => tracing::warn!(%error, "expired refresh tokens could not be removed"),
        }
    }
}

/// What is missed is noted for mail; Web Push too, unless `notifications.push_services`
/// is empty.
fn start_reach(
    settings: &Settings,
    vapid: &[u8],
    storage: Arc<dyn Storage>,
    hub: Arc<dyn Hub>,
) -> Result<Reach, ConfigError> {
    let notifications = &settings.notifications;
    if notifications.push_services.is_empty() {
        return Ok(Reach::start(storage, hub, None));
    }
    let contact = if notifications.push_contact.is_empty() {
        let from: lettre::message::Mailbox = settings
            .mail
            .from
            .parse()
            .map_err(|e| ConfigError::new("mail.from", e))?;
        format!("mailto:{}", from.email)
    } else {
        notifications.push_contact.clone()
    };
    let sender =
        PushSender::new(vapid, contact).map_err(|e| ConfigError::new("notifications", e))?;
    Ok(Reach::start(storage, hub, Some(sender)))
}
