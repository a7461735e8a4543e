//! The one route table: every URL Hearth answers, grouped by who uses it.

use actix_web::web;

use super::{assets, pages, ws};

pub fn configure(cfg: &mut web::ServiceConfig) {
    // Pages
    cfg.route("/", web::get().to(pages::home::home_get))
        .route("/chat/", web::get().to(pages::chat::public_chat_get))
        .route(
            "/accounts/signup/",
            web::get().to(pages::accounts::signup_get),
        )
        .route(
            "/accounts/signup/",
            web::post().to(pages::accounts::signup_post),
        )
        .route(
            "/accounts/login/",
            web::get().to(pages::accounts::login_get),
        )
        .route(
            "/accounts/login/",
            web::post().to(pages::accounts::login_post),
        )
        .route(
            "/accounts/logout/",
            web::post().to(pages::accounts::logout_post),
        )
        .route(
            "/profile/edit/",
            web::get().to(pages::profiles::profile_edit_get),
        )
        .route(
            "/profile/edit/",
            web::post().to(pages::profiles::profile_edit_post),
        )
        .route(
            "/profile/{username}/",
            web::get().to(pages::profiles::profile_get),
        );
    // WebSockets
    cfg.route(
        "/ws/chatroom/{chatroom_name}",
        web::get().to(ws::chatroom_ws),
    );
    // Embedded assets
    cfg.route("/static/{path:.*}", web::get().to(assets::asset_get));
}
