//! The one route table: every URL Hearth answers, grouped by who uses it.

use actix_web::middleware::from_fn;
use actix_web::web;

use super::{admin, api, assets, pages, ws};

/// Registers every route; `api_cors` is the `/api` scope's CORS policy, built from config.
pub fn configure(cfg: &mut web::ServiceConfig, api_cors: actix_cors::Cors) {
    // Pages
    cfg.route("/", web::get().to(pages::home::home_get))
        .route("/chat/", web::get().to(pages::chat::public_chat_get))
        .route("/chat/room/{name}/", web::get().to(pages::chat::room_get))
        .route(
            "/chat/room/{name}/history/",
            web::get().to(pages::history::history_get),
        )
        .route("/chat/sidebar/", web::get().to(pages::history::sidebar_get))
        .route(
            "/chat/room/{name}/files/",
            web::post().to(pages::files::upload_post),
        )
        .route(
            "/chat/room/{name}/files/{id}/",
            web::get().to(pages::files::file_get),
        )
        .route(
            "/chat/room/{name}/files/{id}/thumb/",
            web::get().to(pages::files::thumb_get),
        )
        .route(
            "/profile/avatar/",
            web::post().to(pages::profiles::avatar_post),
        )
        .route(
            "/media/avatars/{name}",
            web::get().to(pages::profiles::avatar_get),
        )
        .route(
            "/chat/room/{name}/settings/",
            web::get().to(pages::room_admin::settings_get),
        )
        .route(
            "/chat/room/{name}/rename/",
            web::post().to(pages::room_admin::rename_post),
        )
        .route(
            "/chat/room/{name}/members/add/",
            web::post().to(pages::room_admin::member_add_post),
        )
        .route(
            "/chat/room/{name}/members/{username}/remove/",
            web::post().to(pages::room_admin::member_remove_post),
        )
        .route(
            "/chat/room/{name}/leave/",
            web::post().to(pages::room_admin::leave_post),
        )
        .route(
            "/chat/room/{name}/delete/",
            web::post().to(pages::room_admin::delete_post),
        )
        .route(
            "/chat/users/search/",
            web::get().to(pages::room_admin::user_search_get),
        )
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
            "/accounts/password/reset/",
            web::get().to(pages::password_reset::password_reset_get),
        )
        .route(
            "/accounts/password/reset/",
            web::post().to(pages::password_reset::password_reset_post),
        )
        .route(
            "/accounts/password/reset/key/{token}/",
            web::get().to(pages::password_reset::password_reset_key_get),
        )
        .route(
            "/accounts/password/reset/key/{token}/",
            web::post().to(pages::password_reset::password_reset_key_post),
        )
        .route(
            "/accounts/confirm-email/resend/",
            web::get().to(pages::email_verification::resend_get),
        )
        .route(
            "/accounts/confirm-email/resend/",
            web::post().to(pages::email_verification::resend_post),
        )
        .route(
            "/accounts/confirm-email/{token}/",
            web::get().to(pages::email_verification::confirm_email_get),
        )
        .route(
            "/accounts/settings/",
            web::get().to(pages::settings::settings_get),
        )
        .route(
            "/accounts/settings/password/",
            web::post().to(pages::settings::password_post),
        )
        .route(
            "/accounts/settings/sessions/{id}/revoke/",
            web::post().to(pages::settings::session_revoke_post),
        )
        .route(
            "/accounts/settings/sessions/revoke-others/",
            web::post().to(pages::settings::sessions_revoke_others_post),
        )
        .route(
            "/accounts/settings/email/",
            web::post().to(pages::settings::email_post),
        )
        .route(
            "/accounts/settings/username/",
            web::post().to(pages::settings::username_post),
        )
        .route(
            "/accounts/settings/delete/",
            web::post().to(pages::settings::delete_post),
        )
        .route(
            "/accounts/confirm-email-change/{token}/",
            web::get().to(pages::settings::confirm_email_change_get),
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
    // Admin pages (404 for everyone but admins)
    admin::configure(cfg);
    // WebSockets
    cfg.route(
        "/ws/chatroom/{chatroom_name}",
        web::get().to(ws::chatroom_ws),
    );
    // REST API for programs (JWT, JSON errors; the CSRF guard skips /api/)
    cfg.service(
        web::scope("/api")
            .default_service(web::to(api::not_found))
            .wrap(from_fn(api::link::layer))
            .wrap(api_cors)
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
            .route("/users/{id}/", web::get().to(api::users::user_get))
            .service(
                web::resource("/groups/")
                    .route(web::get().to(api::groups::groups_get))
                    .route(web::post().to(api::groups::groups_post)),
            )
            .service(
                web::resource("/groups/{id}/")
                    .route(web::get().to(api::groups::group_get))
                    .route(web::put().to(api::groups::group_put))
                    .route(web::delete().to(api::groups::group_delete)),
            )
            .service(
                web::resource("/groups/{id}/messages/")
                    .route(web::get().to(api::messages::messages_get))
                    .route(web::post().to(api::messages::messages_post)),
            )
            .route(
                "/groups/{id}/messages/{msg_id}/",
                web::get().to(api::messages::message_get),
            )
            .route("/schema/", web::get().to(api::openapi::schema_get))
            .route("/docs/", web::get().to(api::docs::docs_get)),
    );
    // Embedded assets
    cfg.route("/static/{path:.*}", web::get().to(assets::asset_get));
}
