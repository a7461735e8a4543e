//! The one route table: every URL Hearth answers, grouped by who uses it. Each URL is one
//! resource (see [`methods`]), so a method it does not take is refused with 405 and `Allow`.

use actix_web::middleware::from_fn;
use actix_web::web;

use super::methods::{self, api, hidden, page};
use super::{admin, assets, pages, ws};
use crate::frontend::api as rest;

/// Registers every route; `api_cors` is the `/api` scope's CORS policy, built from config.
pub fn configure(cfg: &mut web::ServiceConfig, api_cors: actix_cors::Cors) {
    pages_routes(cfg);
    admin_routes(cfg);
    // WebSockets
    cfg.service(
        page("/ws/chatroom/{chatroom_name}")
            .get(ws::chatroom_ws)
            .resource(),
    );
    // REST API for programs (JWT, JSON errors; the CSRF guard skips /api/)
    cfg.service(
        web::scope("/api")
            .default_service(web::to(rest::not_found))
            .wrap(from_fn(rest::link::layer))
            .wrap(api_cors)
            .service(
                api("/token/")
                    .post(rest::tokens::token_post)
                    .resource()
                    .wrap(from_fn(rest::tokens::throttle)),
            )
            .service(
                api("/token/refresh/")
                    .post(rest::tokens::token_refresh_post)
                    .resource()
                    .wrap(from_fn(rest::tokens::throttle)),
            )
            .service(api("/users/").get(rest::users::users_get).resource())
            .service(api("/users/{id}/").get(rest::users::user_get).resource())
            .service(
                api("/groups/")
                    .get(rest::groups::groups_get)
                    .post(rest::groups::groups_post)
                    .resource(),
            )
            .service(
                api("/groups/{id}/")
                    .get(rest::groups::group_get)
                    .put(rest::groups::group_put)
                    .delete(rest::groups::group_delete)
                    .resource(),
            )
            .service(
                api("/groups/{id}/messages/")
                    .get(rest::messages::messages_get)
                    .post(rest::messages::messages_post)
                    .resource(),
            )
            .service(
                api("/groups/{id}/messages/{msg_id}/")
                    .get(rest::messages::message_get)
                    .resource(),
            )
            .service(
                api("/groups/{id}/messages/{msg_id}/reactions/")
                    .post(rest::reactions::reactions_post)
                    .resource(),
            )
            .service(
                api("/groups/{id}/messages/{msg_id}/reactions/{emoji}/")
                    .delete(rest::reactions::reaction_delete)
                    .resource(),
            )
            .service(
                api("/mentions/")
                    .get(rest::mentions::mentions_get)
                    .resource(),
            )
            .service(api("/schema/").get(rest::openapi::schema_get).resource())
            .service(api("/docs/").get(rest::docs::docs_get).resource()),
    );
    // Embedded assets (the emoji data first: the catch-all below would take its path)
    cfg.service(page("/static/emoji.json").get(assets::emoji_get).resource());
    cfg.service(page("/sw.js").get(assets::service_worker_get).resource());
    cfg.service(
        page("/manifest.webmanifest")
            .get(assets::manifest_get)
            .resource(),
    );
    cfg.service(page("/static/{path:.*}").get(assets::asset_get).resource());
}

/// Pages people see, and the htmx partials they load.
fn pages_routes(cfg: &mut web::ServiceConfig) {
    use pages::{
        accounts, chat, email_verification, files, history, home, mentions, notifications,
        password_reset, people, profiles, room_admin, rooms, settings, unsubscribe,
    };
    let endpoints = [
        page("/").get(home::home_get),
        page("/offline/").get(home::offline_get),
        page("/chat/").get(chat::public_chat_get),
        page("/chat/room/{name}/").get(chat::room_get),
        page("/chat/room/{name}/history/").get(history::history_get),
        page("/chat/room/{name}/messages/{id}/words/").get(history::words_get),
        page("/chat/room/{name}/people/").get(history::people_get),
        page("/chat/sidebar/").get(history::sidebar_get),
        page("/chat/mentions/").get(mentions::mentions_get),
        page("/people/").get(people::people_get),
        page("/chat/room/{name}/files/").post(files::upload_post),
        page("/chat/room/{name}/files/{id}/").get(files::file_get),
        page("/chat/room/{name}/files/{id}/thumb/").get(files::thumb_get),
        page("/chat/room/{name}/settings/").get(room_admin::settings_get),
        page("/chat/room/{name}/rename/").post(room_admin::rename_post),
        page("/chat/room/{name}/members/add/").post(room_admin::member_add_post),
        page("/chat/room/{name}/members/{username}/remove/").post(room_admin::member_remove_post),
        page("/chat/room/{name}/leave/").post(room_admin::leave_post),
        page("/chat/room/{name}/notifications/").post(notifications::level_post),
        page("/chat/room/{name}/delete/").post(room_admin::delete_post),
        page("/chat/users/search/").get(room_admin::user_search_get),
        page("/chat/dm/{username}/").get(rooms::dm_get),
        page("/chat/new_groupchat/")
            .get(rooms::new_group_get)
            .post(rooms::new_group_post),
        page("/accounts/signup/")
            .get(accounts::signup_get)
            .post(accounts::signup_post),
        page("/accounts/login/")
            .get(accounts::login_get)
            .post(accounts::login_post),
        page("/accounts/logout/").post(accounts::logout_post),
        page("/accounts/password/reset/")
            .get(password_reset::password_reset_get)
            .post(password_reset::password_reset_post),
        page("/accounts/password/reset/key/{token}/")
            .get(password_reset::password_reset_key_get)
            .post(password_reset::password_reset_key_post),
        page("/accounts/confirm-email/resend/")
            .get(email_verification::resend_get)
            .post(email_verification::resend_post),
        page("/accounts/confirm-email/{token}/").get(email_verification::confirm_email_get),
        page("/accounts/settings/").get(settings::settings_get),
        page("/accounts/settings/password/").post(settings::password_post),
        page("/accounts/settings/sessions/{id}/revoke/").post(settings::session_revoke_post),
        page("/accounts/settings/sessions/revoke-others/")
            .post(settings::sessions_revoke_others_post),
        page("/accounts/settings/email/").post(settings::email_post),
        page("/accounts/settings/push/").post(settings::push_subscribe_post),
        page("/accounts/settings/mail/").post(settings::mail_post),
        page("/notifications/unsubscribe/{user}/{token}/")
            .get(unsubscribe::unsubscribe_get)
            .post(unsubscribe::unsubscribe_post),
        page("/accounts/settings/push/{id}/remove/").post(settings::push_remove_post),
        page("/accounts/settings/username/").post(settings::username_post),
        page("/accounts/settings/delete/").post(settings::delete_post),
        page("/accounts/confirm-email-change/{token}/").get(settings::confirm_email_change_get),
        page("/profile/avatar/").post(profiles::avatar_post),
        page("/media/avatars/{name}").get(profiles::avatar_get),
        page("/profile/edit/")
            .get(profiles::profile_edit_get)
            .post(profiles::profile_edit_post),
        page("/profile/{username}/").get(profiles::profile_get),
    ];
    register(cfg, endpoints);
}

/// `/admin`: 404 for everyone but admins, whatever the path or method.
fn admin_routes(cfg: &mut web::ServiceConfig) {
    use admin::{audit_log, backup, dashboard, keys, registration, rooms, users};
    let endpoints = [
        hidden("/admin/").get(dashboard::dashboard_get),
        hidden("/admin/users/").get(users::users_get),
        hidden("/admin/users/{id}/{action}/").post(users::user_action_post),
        hidden("/admin/rooms/").get(rooms::rooms_get),
        hidden("/admin/rooms/{id}/").get(rooms::room_get),
        hidden("/admin/rooms/{id}/delete/").post(rooms::room_delete_post),
        hidden("/admin/rooms/{id}/messages/{message}/delete/").post(rooms::message_delete_post),
        hidden("/admin/audit/").get(audit_log::audit_get),
        hidden("/admin/registration/")
            .get(registration::registration_get)
            .post(registration::policy_post),
        hidden("/admin/registration/invites/").post(registration::invite_post),
        hidden("/admin/registration/invites/{id}/revoke/").post(registration::revoke_post),
        hidden("/admin/keys/").get(keys::keys_get),
        hidden("/admin/keys/rotate/").post(keys::rotate_post),
        hidden("/admin/keys/progress/").get(keys::progress_get),
        hidden("/admin/backup/").get(backup::backup_get),
        hidden("/admin/backup/download/").post(backup::download_post),
    ];
    register(cfg, endpoints);
}

fn register(cfg: &mut web::ServiceConfig, endpoints: impl IntoIterator<Item = methods::Endpoint>) {
    for endpoint in endpoints {
        cfg.service(endpoint.resource());
    }
}
