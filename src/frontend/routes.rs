//! The one route table: every URL Hearth answers, grouped by who uses it.

use actix_web::middleware::from_fn;
use actix_web::web;

use super::{api, assets, pages, ws};

pub fn configure(cfg: &mut web::ServiceConfig) {
    // Pages
    cfg.route("/", web::get().to(pages::home::home_get))
        .route("/chat/", web::get().to(pages::chat::public_chat_get))
        .route("/chat/room/{name}/", web::get().to(pages::chat::room_get))
        .route("/chat/room/{name}/settings/", web::get().to(pages::room_admin::settings_get))
        .route("/chat/room/{name}/rename/", web::post().to(pages::room_admin::rename_post))
        .route("/chat/room/{name}/members/add/", web::post().to(pages::room_admin::member_add_post))
        .route(
            "/chat/room/{name}/members/{username}/remove/",
            web::post().to(pages::room_admin::member_remove_post),
        )
        .route("/chat/room/{name}/leave/", web::post().to(pages::room_admin::leave_post))
        .route("/chat/room/{name}/delete/", web::post().to(pages::room_admin::delete_post))
        .route("/chat/users/search/", web::get().to(pages::room_admin::user_search_get))
        .route("/chat/dm/{username}/", web::get().to(pages::rooms::dm_get))
        .route(
            "/chat/new_groupchat/",
            web::get().to(pages::rooms::new_group_get),
        )
        .route(
            "/chat/new_groupchat/",
            web::post().to(pages::rooms::new_group_post),
        )
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
    // REST API for programs (JWT, JSON errors; the CSRF guard skips /api/)
    cfg.service(
        web::scope("/api")
            .service(
                web::resource("/token/")
                    .wrap(from_fn(api::tokens::throttle))
                    .route(web::post().to(api::tokens::token_post)),
            )
            .service(
                web::resource("/token/refresh/")
                    .wrap(from_fn(api::tokens::throttle))
                    .route(web::post().to(api::tokens::token_refresh_post)),
            )
            .route("/users/", web::get().to(api::users::users_get))
            .route("/users/{id}/", web::get().to(api::users::user_get)),
    );
    // Embedded assets
    cfg.route("/static/{path:.*}", web::get().to(assets::asset_get));
}
